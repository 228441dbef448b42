"""The personal data of learning, for the retention run and for requests to see one's data
(`privacy.registry`; registered in `LearningConfig.ready`)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from learning.models import Registration, Session
from privacy.registry import PersonalData, Processing


def due(now: datetime, days: int) -> QuerySet[Registration]:
    """Registrations whose personal data is due for erasure at `now`: their session ended more
    than `days` days ago (or was cancelled that long ago), whatever their status."""
    cutoff = now - timedelta(days=days)
    return Registration.objects.filter(erased_at__isnull=True, session__ends_at__lt=cutoff)


def describe(count: int, days: int) -> str:
    return f"{count} course registration(s) (session ended more than {days} days ago)"


def kept_until(rows: QuerySet[Registration], days: int) -> dict[int, datetime | None]:
    """When the retention run erases each registration's data: `days` days after its session
    ended."""
    return {
        pk: ends + timedelta(days=days) for pk, ends in rows.values_list("pk", "session__ends_at")
    }


def still_needed(rows: QuerySet[Registration]) -> QuerySet[Registration]:
    """A place, or a place on the waiting list, for a session still to come: cancelled first
    (the place goes to the next one waiting), then erased."""
    return rows.filter(
        status__in=[Registration.Status.CONFIRMED, Registration.Status.WAITING],
        session__status=Session.Status.SCHEDULED,
        session__ends_at__gte=timezone.now(),
    )


def retention(days: int) -> str:
    return ngettext(
        "%(days)d day after the course ended", "%(days)d days after the course ended", days
    ) % {"days": days}


REGISTRATIONS = PersonalData(
    name="registrations",
    model=Registration,
    fields=("name", "phone", "email", "accessibility_needs"),
    setting="RETENTION_PARTICIPANT_DAYS",
    due=due,
    describe=describe,
    held_by=("session__course__organisation",),
    context=(
        ("session__course__title", _("course")),
        ("session__site__name", _("Digipunt")),
        ("session__starts_at", _("starts")),
    ),
    kept_until=kept_until,
    still_needed=still_needed,
    still_needed_reason=_(
        "The course is still to come and they have a place or are waiting for one: cancel the "
        "registration first, then erase."
    ),
    processing=Processing(
        label=_("Course registrations"),
        subjects=_("Residents who register for a course or come to one."),
        purpose=_(
            "To run the course: keep the places and the waiting list, send a confirmation and a "
            "reminder, take attendance and prepare what helps people take part."
        ),
        legal_basis=_("Needed for the course the resident asks for (GDPR art. 6(1)(b))."),
        recipients=_(
            "The trainer, the staff and volunteers of the Digipunt and the admins of the "
            "organisation that gives the course. Messages go out through the platform's email "
            "and SMS providers."
        ),
        retention=retention,
    ),
)
