"""The booking service of appointments: a site's booking settings, and booking a slot.

Every writing service of the app (here, and in `appointments.changes` and `appointments.contacts`)
takes the acting user (None for a resident booking online), validates, takes the row locks it
needs inside one transaction, writes, and appends one audit entry. The audit entry never holds
the resident's name, phone or email: only the reference, the site and the time. Messages to the
resident (email and/or SMS) go out after the commit through `notifications.services.notify`.

Overbooking is prevented twice: the `Slot` row of a time is locked (`select_for_update`) while its
`booked` counter is checked and raised, and the database refuses a counter above the capacity
(check constraint). A slot row is created on its first booking with `ignore_conflicts`, so two
first bookings of the same time at once both end up locking the one row. Moving an appointment
(`appointments.changes`) books its new time by the same rules, so the helpers both need
(`ensure_slot`, `booked_in_overlapping`, `slot_full_error`) are public here.

Changing a booking lives in `appointments.changes`, registering a helped appointment as a contact
in `appointments.contacts`, and the reminder run in `appointments.reminders`.

Invalid input raises `django.core.exceptions.ValidationError`, keyed by field where there is one.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from appointments import resident_messages, validation
from appointments import slots as slot_rules
from appointments.models import Appointment, BookingSettings, Slot
from audit.services import field_changes, log_action
from core import links
from core.references import new_reference
from network.models import Site, Theme

SETTINGS_FIELDS = ("is_enabled", "slot_minutes", "capacity", "days_ahead", "min_notice_hours")


class AlreadyBooked(ValidationError):
    """The same person is already booked at this time (a double click, or booking twice);
    `appointment` is that booking. The message speaks to the resident."""

    def __init__(self, appointment: Appointment) -> None:
        super().__init__(
            _(
                "You have already booked this time (reference %(reference)s). Look for the "
                "confirmation in your email or text messages."
            )
            % {"reference": appointment.reference},
            code="already_booked",
        )
        self.appointment = appointment


def slot_full_error() -> ValidationError:
    """The refusal of a time that has no free place left."""
    return ValidationError({"starts_at": validation.slot_full_message()}, code="slot_full")


def booking_settings_of(site: Site) -> BookingSettings:
    """The site's booking settings, or unsaved defaults (booking off) when it has none yet."""
    found = BookingSettings.objects.filter(site=site).first()
    return found if found is not None else BookingSettings(site=site)


# --- settings ---------------------------------------------------------------------------------


def booking_settings_update(*, actor: User, site: Site, data: Mapping[str, Any]) -> BookingSettings:
    """Change whether and how residents book at `site` (the fields in `SETTINGS_FIELDS`).

    A new capacity also applies to times already booked in the future, but never below what is
    already booked there. One audit entry with the changed fields; nothing when nothing changed.
    """
    unknown = set(data) - set(SETTINGS_FIELDS)
    if unknown:
        raise ValueError(f"booking_settings_update cannot change {sorted(unknown)}")
    with transaction.atomic():
        BookingSettings.objects.get_or_create(site=site)
        locked = BookingSettings.objects.select_for_update().get(site=site)
        before = {name: getattr(locked, name) for name in SETTINGS_FIELDS}
        for name, value in data.items():
            setattr(locked, name, value)
        locked.full_clean()
        changes = field_changes(before, {name: getattr(locked, name) for name in SETTINGS_FIELDS})
        if not changes:
            return locked
        locked.save()
        if "capacity" in changes:
            Slot.objects.filter(site=site, starts_at__gt=timezone.now()).update(
                capacity=Greatest(Value(locked.capacity), F("booked"))
            )
        log_action(
            actor=actor, action="booking_settings.update", target=locked, changes=changes, site=site
        )
    return locked


# --- booking ----------------------------------------------------------------------------------


def appointment_book(
    *,
    actor: User | None,
    site: Site,
    starts_at: datetime | None,
    name: str,
    phone: str,
    email: str,
    theme: Theme | None,
    language: str,
    by_staff: bool = False,
) -> tuple[Appointment, str]:
    """Book the slot at `starts_at` at `site` for a resident; returns the appointment and the
    secret of its manage link (shown once and sent to the resident, never stored).

    Residents (`by_staff=False`, actor None) can book only when the site allows online booking
    and only slots at least the notice period ahead; staff booking for a caller may book any
    slot that has not started. The same person booking the same time twice (a double
    submission) is refused. A confirmation goes out by email and/or SMS after the commit.
    """
    now = timezone.now()
    booking = booking_settings_of(site)
    if not by_staff and (booking.pk is None or not booking.is_enabled):
        raise ValidationError(
            _("Appointments cannot be booked online here. Call the Digipunt."),
            code="booking_disabled",
        )
    errors: dict[str, list[str]] = {}
    name, phone, email = validation.clean_person(errors, name, phone, email)
    validation.check_language(errors, site, language)
    # A full slot is refused below, under the lock, after the check for a double submission.
    found = validation.check_starts_at(errors, site, booking, starts_at, now, by_staff=by_staff)
    if errors:
        raise ValidationError(errors)
    assert found is not None
    token = links.new_token()
    with transaction.atomic():
        ensure_slot(site, found, booking)
        slot = Slot.objects.select_for_update().get(site=site, starts_at=found.starts_at)
        duplicate = (
            Appointment.objects.filter(
                slot=slot, status=Appointment.Status.BOOKED, name__iexact=name
            )
            .filter(Q(phone=phone) & Q(email__iexact=email))
            .first()
        )
        if duplicate is not None:
            raise AlreadyBooked(duplicate)
        if slot.booked + booked_in_overlapping(slot) >= slot.capacity:
            raise slot_full_error()
        slot.booked += 1
        slot.save(update_fields=["booked"])
        appointment = Appointment(
            token_hash=links.token_hash(token),
            site=site,
            slot=slot,
            starts_at=slot.starts_at,
            theme=theme,
            language=language,
            name=name,
            phone=phone,
            email=email,
            booked_by=actor if by_staff else None,
        )
        _save_with_unique_reference(appointment)
        log_action(
            actor=actor,
            action="appointment.book",
            target=appointment,
            site=site,
            changes={
                "reference": appointment.reference,
                "starts_at": appointment.starts_at.isoformat(),
                "by_staff": by_staff,
            },
        )
        resident_messages.send(appointment, "confirmation", token=token)
    return appointment, token


def ensure_slot(site: Site, found: slot_rules.BookableSlot, booking: BookingSettings) -> None:
    """The `Slot` row of a bookable time exists afterwards, whoever made it (a booking at the
    same moment may have): the caller then reads it, under a lock where it books."""
    Slot.objects.bulk_create(
        [
            Slot(
                site=site,
                starts_at=found.starts_at,
                ends_at=found.ends_at,
                capacity=booking.capacity,
            )
        ],
        ignore_conflicts=True,
    )


def _save_with_unique_reference(appointment: Appointment) -> None:
    """Save with a fresh random reference, drawing another on the rare collision."""
    for _attempt in range(10):
        appointment.reference = new_reference()
        if Appointment.objects.filter(reference=appointment.reference).exists():
            continue
        try:
            with transaction.atomic():  # a savepoint: a collision must not end the booking
                appointment.save()
        except IntegrityError:
            continue
        return
    raise RuntimeError("No free appointment reference after 10 attempts")


def booked_in_overlapping(slot: Slot, *, besides: Slot | None = None) -> int:
    """People booked in other slots of the site that overlap `slot` in time (only after the
    length of appointments changed do such slots exist). `besides` (the slot an appointment is
    moving out of) counts one person fewer."""
    others = Slot.objects.filter(
        site_id=slot.site_id, starts_at__lt=slot.ends_at, ends_at__gt=slot.starts_at, booked__gt=0
    ).exclude(pk=slot.pk)
    rows = list(others.values_list("starts_at", "ends_at", "capacity", "booked"))
    booked = slot_rules.occupied(rows, slot.starts_at, slot.ends_at)
    if besides is not None and besides.pk != slot.pk and besides.overlaps(slot):
        booked -= 1
    return booked
