"""The personal data of learning, for the retention run and for requests to see one's data
(`privacy.registry`; registered in `LearningConfig.ready`)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import QuerySet

from learning.models import Registration
from privacy.registry import PersonalData


def due(now: datetime, days: int) -> QuerySet[Registration]:
    """Registrations whose personal data is due for erasure at `now`: their session ended more
    than `days` days ago (or was cancelled that long ago), whatever their status."""
    cutoff = now - timedelta(days=days)
    return Registration.objects.filter(erased_at__isnull=True, session__ends_at__lt=cutoff)


def describe(count: int, days: int) -> str:
    return f"{count} course registration(s) (session ended more than {days} days ago)"


REGISTRATIONS = PersonalData(
    name="registrations",
    model=Registration,
    fields=("name", "phone", "email", "accessibility_needs"),
    setting="RETENTION_PARTICIPANT_DAYS",
    due=due,
    describe=describe,
)
