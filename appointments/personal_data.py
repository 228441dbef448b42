"""The personal data of appointments, for the retention run and for requests to see one's data
(`privacy.registry`; registered in `AppointmentsConfig.ready`)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import QuerySet

from appointments.models import Appointment
from privacy.registry import PersonalData


def due(now: datetime, days: int) -> QuerySet[Appointment]:
    """Appointments whose personal data is due for erasure at `now` (not erased yet): those that
    started more than `days` days ago, whatever their status."""
    return Appointment.objects.filter(
        erased_at__isnull=True, starts_at__lt=now - timedelta(days=days)
    )


def describe(count: int, days: int) -> str:
    return f"{count} appointment(s) (started more than {days} days ago)"


APPOINTMENTS = PersonalData(
    name="appointments",
    model=Appointment,
    fields=("name", "phone", "email"),
    setting="RETENTION_APPOINTMENT_DAYS",
    due=due,
    describe=describe,
)
