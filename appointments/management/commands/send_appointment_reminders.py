"""`manage.py send_appointment_reminders`: remind residents of tomorrow's appointments (hourly)."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils import timezone

from appointments.reminders import appointments_send_reminders


class Command(BaseCommand):
    help = (
        "Send a reminder (email and/or SMS) for every booked appointment that starts in 12 to 36 "
        "hours and has had none yet. Run it every hour; running it twice sends nothing twice."
    )

    def handle(self, *args: object, **options: object) -> None:
        sent = appointments_send_reminders(now=timezone.now())
        self.stdout.write(f"Sent {sent} appointment reminder(s).")
