"""`manage.py send_loan_reminders`: remind borrowers of their loans' dates (daily)."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils import timezone

from lending.reminders import loans_send_reminders


class Command(BaseCommand):
    help = (
        "Send borrowers the reminder that fits today: due in two days, due today, 7 or 21 days "
        "overdue. Run it once a day, in the morning; running it twice sends nothing twice."
    )

    def handle(self, *args: object, **options: object) -> None:
        sent = loans_send_reminders(now=timezone.now())
        self.stdout.write(f"Sent {sent} loan reminder(s).")
