"""The personal data of appointments, for the retention run and for requests to see one's data
(`privacy.registry`; registered in `AppointmentsConfig.ready`)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from appointments.models import Appointment
from privacy.registry import PersonalData, Processing


def due(now: datetime, days: int) -> QuerySet[Appointment]:
    """Appointments whose personal data is due for erasure at `now` (not erased yet): those that
    started more than `days` days ago, whatever their status."""
    return Appointment.objects.filter(
        erased_at__isnull=True, starts_at__lt=now - timedelta(days=days)
    )


def describe(count: int, days: int) -> str:
    return f"{count} appointment(s) (started more than {days} days ago)"


def kept_until(rows: QuerySet[Appointment], days: int) -> dict[int, datetime | None]:
    """When the retention run erases each appointment's data: `days` days after it started."""
    return {pk: start + timedelta(days=days) for pk, start in rows.values_list("pk", "starts_at")}


def still_needed(rows: QuerySet[Appointment]) -> QuerySet[Appointment]:
    """Appointments still to come: cancelled first (the resident is told), then erased."""
    return rows.filter(status=Appointment.Status.BOOKED, starts_at__gte=timezone.now())


def retention(days: int) -> str:
    return ngettext(
        "%(days)d day after the appointment", "%(days)d days after the appointment", days
    ) % {"days": days}


APPOINTMENTS = PersonalData(
    name="appointments",
    model=Appointment,
    fields=("name", "phone", "email"),
    setting="RETENTION_APPOINTMENT_DAYS",
    due=due,
    describe=describe,
    held_by=("site__organisation",),
    context=(("site__name", _("Digipunt")), ("starts_at", _("start")), ("theme__code", _("theme"))),
    kept_until=kept_until,
    still_needed=still_needed,
    still_needed_reason=_("The appointment is still to come: cancel it first, then erase."),
    processing=Processing(
        label=_("Appointments"),
        subjects=_("Residents who book an appointment at a Digipunt, online or by phone."),
        purpose=_(
            "To give the appointment: know who is coming, send a confirmation and a reminder, "
            "and reach the person when something changes."
        ),
        legal_basis=_("Needed for the help the resident asks for (GDPR art. 6(1)(b))."),
        recipients=_(
            "The staff and volunteers of the Digipunt and the admins of its organisation. "
            "Messages go out through the platform's email and SMS providers."
        ),
        retention=retention,
    ),
)
