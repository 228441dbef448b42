"""The reminder run: the day before their appointment, residents get a reminder by email
and/or SMS.

`manage.py send_appointment_reminders` runs `appointments_send_reminders` every hour. The window of
12 to 36 hours ahead and the appointment's `reminder_sent_at` mark remind each booked appointment
once; moving an appointment (`appointments.changes`) clears the mark, so the new time is reminded
again.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction

from appointments import resident_messages
from appointments.models import Appointment

# Reminders go out for appointments starting between 12 and 36 hours from the run, so an hourly
# run reaches every appointment once, the day before.
REMINDER_FROM = timedelta(hours=12)
REMINDER_UNTIL = timedelta(hours=36)


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
