"""Changes to a booked appointment: cancelling it, moving it to another time, and marking how
it went (helped, or did not come).

Like booking (`appointments.services`), every change takes the acting user (None for a resident
using their manage link), validates, locks inside one transaction, writes, and appends one audit
entry without the resident's name, phone or email; the resident's message goes out after the
commit.

Cancelling and moving lock the slot rows before the appointment, in primary-key order, as booking
does, so two moves in opposite directions cannot deadlock. When the appointment moved to another
slot between reading and locking, the change starts over (three attempts in all). A move books
its new time by the booking rules of `appointments.services` (`ensure_slot`,
`booked_in_overlapping`, `slot_full_error`).

Invalid input raises `django.core.exceptions.ValidationError`, keyed by field where there is one.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from appointments import resident_messages, validation
from appointments.models import Appointment, Slot
from appointments.services import (
    booked_in_overlapping,
    booking_settings_of,
    ensure_slot,
    slot_full_error,
)
from audit.services import log_action


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
    ensure_slot(site, found, booking)
    target_id = Slot.objects.only("pk").get(site=site, starts_at=found.starts_at).pk
    for _attempt in range(3):
        try:
            with transaction.atomic():
                fresh, locked_slots = _locked(appointment, target_id)
                _check_bookable_change(fresh, now)
                old, new = locked_slots[fresh.slot_id], locked_slots[target_id]
                if new.booked + booked_in_overlapping(new, besides=old) >= new.capacity:
                    raise slot_full_error()
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
