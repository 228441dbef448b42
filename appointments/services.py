"""Writes on appointments: booking, moving, cancelling, marking, and turning one into a contact.

Every service takes the acting user (None for a resident booking online), validates, takes the
row locks it needs inside one transaction, writes, and appends one audit entry. The audit entry
never holds the resident's name, phone or email: only the reference, the site and the time.
Messages to the resident (email and/or SMS) go out after the commit through
`notifications.services.notify`.

Overbooking is prevented twice: the `Slot` row of a time is locked (`select_for_update`) while its
`booked` counter is checked and raised, and the database refuses a counter above the capacity
(check constraint). A slot row is created on its first booking with `ignore_conflicts`, so two
first bookings of the same time at once both end up locking the one row. When two slots must be
locked (moving), they are locked in primary-key order, so two moves in opposite directions cannot
deadlock.

Invalid input raises `django.core.exceptions.ValidationError`, keyed by field where there is one.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from appointments import links, resident_messages, validation
from appointments import slots as slot_rules
from appointments.models import Appointment, BookingSettings, Slot
from audit.services import field_changes, log_action
from digipunt.references import new_reference
from network.models import Site, Theme
from questions.models import Channel, Contact, Duration, Outcome, Source
from questions.services import ContactInput, QuestionInput, contact_register

# Reminders go out for appointments starting between 12 and 36 hours from the run, so an hourly
# run reaches every appointment once, the day before.
REMINDER_FROM = timedelta(hours=12)
REMINDER_UNTIL = timedelta(hours=36)
SETTINGS_FIELDS = ("is_enabled", "slot_minutes", "capacity", "days_ahead", "min_notice_hours")
THEME_WHEN_NONE = "basics"


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


def _slot_full() -> ValidationError:
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
        _ensure_slot(site, found, booking)
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
        if slot.booked + _booked_in_overlapping(slot) >= slot.capacity:
            raise _slot_full()
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


def _ensure_slot(site: Site, found: slot_rules.BookableSlot, booking: BookingSettings) -> None:
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


# --- changing a booking -----------------------------------------------------------------------


def _booked_in_overlapping(slot: Slot, *, besides: Slot | None = None) -> int:
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


class _ChangedMeanwhile(Exception):
    """The appointment moved to another slot between reading it and locking its slot."""


def _locked(appointment: Appointment, *slot_ids: int) -> tuple[Appointment, dict[int, Slot]]:
    """Lock the slots (in primary-key order), then the appointment; return fresh copies.

    Slots first, always in the same order, as booking does: the lock order is what keeps two
    services from waiting on each other.
    """
    ids = sorted({appointment.slot_id, *slot_ids})
    # Evaluate in pk order so the locks are taken in that order on every database.
    locked_slots = {
        slot.pk: slot for slot in Slot.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    }
    fresh = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("site")
        .get(pk=appointment.pk)
    )
    if fresh.slot_id not in locked_slots:
        # Moved by someone else between reading and locking: try again with the new slot.
        raise _ChangedMeanwhile
    return fresh, locked_slots


def _check_bookable_change(appointment: Appointment, now: datetime) -> None:
    if appointment.status == Appointment.Status.CANCELLED:
        raise ValidationError(
            _("This appointment is cancelled: it can no longer be changed."), code="cancelled"
        )
    if appointment.status != Appointment.Status.BOOKED:
        raise ValidationError(
            _("This appointment is over: it can no longer be changed."), code="not_booked"
        )
    if appointment.starts_at <= now:
        raise ValidationError(
            _("This appointment has already started or passed: it can no longer be changed."),
            code="past",
        )


def appointment_cancel(*, actor: User | None, appointment: Appointment) -> Appointment:
    """Cancel a booked appointment that has not started; its place becomes free again.

    `actor` is None when the resident cancels through their link. The resident gets a short
    message saying it is cancelled.
    """
    now = timezone.now()
    for _attempt in range(3):
        try:
            with transaction.atomic():
                fresh, locked_slots = _locked(appointment)
                _check_bookable_change(fresh, now)
                slot = locked_slots[fresh.slot_id]
                slot.booked -= 1
                slot.save(update_fields=["booked"])
                fresh.status = Appointment.Status.CANCELLED
                fresh.cancelled_at = now
                fresh.save(update_fields=["status", "cancelled_at"])
                log_action(
                    actor=actor,
                    action="appointment.cancel",
                    target=fresh,
                    site=fresh.site,
                    changes={
                        "reference": fresh.reference,
                        "starts_at": fresh.starts_at.isoformat(),
                    },
                )
                resident_messages.send(fresh, "cancelled")
                return fresh
        except _ChangedMeanwhile:
            appointment = Appointment.objects.get(pk=appointment.pk)
    raise ValidationError(_("This appointment changed meanwhile. Try again."), code="changed")


def appointment_move(
    *,
    actor: User | None,
    appointment: Appointment,
    starts_at: datetime | None,
    by_staff: bool = False,
) -> Appointment:
    """Move a booked appointment to another free slot of the same site.

    The same rules as booking apply to the new time (online booking on and the notice period
    for residents; any slot that has not started for staff). Both slots are locked in
    primary-key order. The manage link stays the same; the resident gets a message with the
    new time.
    """
    now = timezone.now()
    site = appointment.site
    _check_bookable_change(appointment, now)
    booking = booking_settings_of(site)
    if not by_staff and (booking.pk is None or not booking.is_enabled):
        raise ValidationError(
            _("Appointments cannot be changed online here. Call the Digipunt."),
            code="booking_disabled",
        )
    errors: dict[str, list[str]] = {}
    found = validation.check_starts_at(errors, site, booking, starts_at, now, by_staff=by_staff)
    if found is not None and found.starts_at == appointment.starts_at:
        errors.setdefault("starts_at", []).append(
            _("Your appointment is already at this time. Choose another time.")
        )
    if errors:
        raise ValidationError(errors)
    assert found is not None
    _ensure_slot(site, found, booking)
    target_id = Slot.objects.only("pk").get(site=site, starts_at=found.starts_at).pk
    for _attempt in range(3):
        try:
            with transaction.atomic():
                fresh, locked_slots = _locked(appointment, target_id)
                _check_bookable_change(fresh, now)
                old, new = locked_slots[fresh.slot_id], locked_slots[target_id]
                if new.booked + _booked_in_overlapping(new, besides=old) >= new.capacity:
                    raise _slot_full()
                old.booked -= 1
                old.save(update_fields=["booked"])
                new.booked += 1
                new.save(update_fields=["booked"])
                before = fresh.starts_at
                fresh.slot = new
                fresh.starts_at = new.starts_at
                fresh.reminder_sent_at = None
                fresh.save(update_fields=["slot", "starts_at", "reminder_sent_at"])
                log_action(
                    actor=actor,
                    action="appointment.move",
                    target=fresh,
                    site=fresh.site,
                    changes={
                        "reference": fresh.reference,
                        "starts_at": [before.isoformat(), fresh.starts_at.isoformat()],
                    },
                )
                resident_messages.send(fresh, "moved")
                return fresh
        except _ChangedMeanwhile:
            appointment = Appointment.objects.get(pk=appointment.pk)
    raise ValidationError(_("This appointment changed meanwhile. Try again."), code="changed")


def appointment_mark(*, actor: User, appointment: Appointment, status: str) -> Appointment:
    """Staff say how a booked appointment went: helped (done) or did not come (no show).

    "Did not come" is only possible once the appointment has started. The place stays counted:
    the time has passed.
    """
    if status not in (Appointment.Status.DONE, Appointment.Status.NO_SHOW):
        raise ValueError(f"appointment_mark cannot set {status!r}")
    now = timezone.now()
    with transaction.atomic():
        fresh = (
            Appointment.objects.select_for_update(of=("self",))
            .select_related("site")
            .get(pk=appointment.pk)
        )
        if fresh.status != Appointment.Status.BOOKED:
            raise ValidationError(
                _("This appointment is already marked: %(status)s.")
                % {"status": fresh.get_status_display()},
                code="not_booked",
            )
        if status == Appointment.Status.NO_SHOW and fresh.starts_at > now:
            raise ValidationError(_("This appointment has not started yet."), code="not_started")
        if status == Appointment.Status.DONE and timezone.localdate(fresh.starts_at) > (
            timezone.localdate(now)
        ):
            raise ValidationError(_("This appointment is on a later day."), code="not_started")
        fresh.status = status
        fresh.done_at = now
        fresh.save(update_fields=["status", "done_at"])
        log_action(
            actor=actor,
            action="appointment.mark",
            target=fresh,
            site=fresh.site,
            changes={"reference": fresh.reference, "status": status},
        )
    return fresh


def duration_band(minutes: float) -> str:
    """The contact's duration band for an appointment of `minutes`."""
    if minutes < 15:
        return Duration.UNDER_15
    if minutes <= 30:
        return Duration.FROM_15_TO_30
    if minutes <= 60:
        return Duration.FROM_30_TO_60
    return Duration.OVER_60


def appointment_register_contact(*, actor: User, appointment: Appointment) -> Contact:
    """One click: the resident was helped, so register the appointment as a contact.

    The contact has channel "appointment", the appointment's theme (or the basics when none was
    chosen) solved, the slot's length as its duration band, the appointment's time (or now, when
    the resident was helped before the booked time) and the actor as helper. The appointment is
    then done and linked to the contact; a second time is refused. The helper can correct the
    contact afterwards like any of their entries.
    """
    now = timezone.now()
    with transaction.atomic():
        fresh = (
            Appointment.objects.select_for_update(of=("self",))
            .select_related("site__organisation", "slot", "theme")
            .get(pk=appointment.pk)
        )
        if fresh.contact_id is not None:
            raise ValidationError(
                _("This appointment is already registered as a contact."), code="registered"
            )
        if fresh.status == Appointment.Status.CANCELLED:
            raise ValidationError(
                _("This appointment was cancelled: register the visit as a new contact."),
                code="cancelled",
            )
        if timezone.localdate(fresh.starts_at) > timezone.localdate(now):
            raise ValidationError(_("This appointment is on a later day."), code="not_started")
        theme = fresh.theme or Theme.objects.filter(code=THEME_WHEN_NONE).first()
        if theme is None:  # a taxonomy without "basics": any theme beats losing the count
            theme = Theme.objects.order_by("position", "code").first()
        minutes = (fresh.slot.ends_at - fresh.slot.starts_at).total_seconds() / 60
        contacts = contact_register(
            actor=actor,
            site=fresh.site,
            data=ContactInput(
                channel=Channel.APPOINTMENT,
                duration=duration_band(minutes),
                questions=[QuestionInput(theme=theme, outcome=Outcome.SOLVED)],
                occurred_at=min(fresh.starts_at, now),
            ),
            helper=actor,
            source=Source.APPOINTMENT,
        )
        fresh.contact = contacts[0]
        fresh.status = Appointment.Status.DONE
        fresh.done_at = now
        fresh.save(update_fields=["contact", "status", "done_at"])
        log_action(
            actor=actor,
            action="appointment.register_contact",
            target=fresh,
            site=fresh.site,
            changes={"reference": fresh.reference, "contact": contacts[0].pk},
        )
    return contacts[0]


# --- reminders --------------------------------------------------------------------------------


def appointments_send_reminders(*, now: datetime) -> int:
    """Remind residents of their appointment the day before (12 to 36 hours ahead).

    Each appointment is reminded once: `reminder_sent_at` is set in the same transaction that
    schedules the message, and a second run finds nothing to do. Returns how many reminders
    were sent. Not audited: it changes nothing a person decided.
    """
    due = list(
        Appointment.objects.filter(
            status=Appointment.Status.BOOKED,
            reminder_sent_at__isnull=True,
            erased_at__isnull=True,
            starts_at__gte=now + REMINDER_FROM,
            starts_at__lt=now + REMINDER_UNTIL,
        ).values_list("pk", flat=True)
    )
    sent = 0
    for pk in due:
        with transaction.atomic():
            fresh = (
                Appointment.objects.select_for_update(of=("self",))
                .select_related("site")
                .filter(pk=pk, reminder_sent_at__isnull=True, status=Appointment.Status.BOOKED)
                .first()
            )
            if fresh is None:  # another run was quicker, or it was cancelled meanwhile
                continue
            fresh.reminder_sent_at = now
            fresh.save(update_fields=["reminder_sent_at"])
            resident_messages.send(fresh, "reminder")
            sent += 1
    return sent
