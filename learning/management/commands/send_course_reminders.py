"""`manage.py send_course_reminders`: remind participants of tomorrow's courses (hourly)."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils import timezone

from learning.reminders import sessions_send_reminders


class Command(BaseCommand):
    help = (
        "Send a reminder (email and/or SMS) to everyone with a place in a course session that "
        "starts in 12 to 36 hours and who has had none yet. Run it every hour."
    )

    def handle(self, *args: object, **options: object) -> None:
        sent = sessions_send_reminders(now=timezone.now())
        self.stdout.write(f"Sent {sent} course reminder(s).")
