"""Registering a helped appointment as a contact: the one click in the agenda that turns an
appointment into a contact of the questions app (channel "appointment") and marks it done.

It stands apart from `appointments.changes` because it is where appointments write into another
app (`questions.services.contact_register`, which audits the contact itself), and it shares none
of the slot locking of cancelling and moving: it locks the appointment row only.
`duration_band` maps the length of the appointment's slot onto the contact's duration bands.

Invalid input raises `django.core.exceptions.ValidationError`.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from appointments.models import Appointment
from audit.services import log_action
from network.models import Theme
from questions.models import Channel, Contact, Duration, Outcome, Source
from questions.services import ContactInput, QuestionInput, contact_register

THEME_WHEN_NONE = "basics"


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
