"""The reminder run of learning: the day before a course meets, its participants with a place get
a reminder by email and/or SMS.

`manage.py send_course_reminders` runs `sessions_send_reminders` every hour. The window of 12 to
36 hours before a session's first meeting and the registration's `reminder_sent_at` mark remind
each participant once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction

from learning import participant_messages
from learning.models import Registration, Session

REMINDER_FROM = timedelta(hours=12)
REMINDER_UNTIL = timedelta(hours=36)


def sessions_send_reminders(*, now: datetime) -> int:
    """Remind everyone with a place in a session that starts 12 to 36 hours from `now`, once;
    returns how many were reminded. Not audited: it changes nothing a person decided."""
    due = list(
        Registration.objects.filter(
            status=Registration.Status.CONFIRMED,
            walk_in=False,
            reminder_sent_at__isnull=True,
            erased_at__isnull=True,
            session__status=Session.Status.SCHEDULED,
            session__starts_at__gte=now + REMINDER_FROM,
            session__starts_at__lt=now + REMINDER_UNTIL,
        ).values_list("pk", flat=True)
    )
    sent = 0
    for pk in due:
        with transaction.atomic():
            registration = (
                Registration.objects.select_for_update(of=("self",))
                .select_related("session", "session__course", "session__site")
                .filter(pk=pk, reminder_sent_at__isnull=True, status=Registration.Status.CONFIRMED)
                .first()
            )
            if registration is None:
                continue
            registration.reminder_sent_at = now
            registration.save(update_fields=["reminder_sent_at"])
            if participant_messages.send(registration, "reminder", session=registration.session):
                sent += 1
    return sent
