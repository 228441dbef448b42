"""The daily retention run: `manage.py purge_personal_data [--dry-run]` (see privacy.retention)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from privacy.retention import personal_data_purge


class Command(BaseCommand):
    help = (
        "Erase residents' personal data from appointments and referrals that are past their "
        "retention period. The rows and counts stay."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Only count what would be erased; change nothing.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = personal_data_purge(dry_run=options["dry_run"])
        except ValueError as error:
            raise CommandError(str(error)) from error
        verb = "Would erase" if result.dry_run else "Erased"
        self.stdout.write(
            f"{verb} the personal data of {result.appointments} appointment(s) "
            f"(started more than {result.appointment_days} days ago)."
        )
        self.stdout.write(
            f"{verb} the personal data of {result.referrals} referral(s) (closed more than "
            f"{result.referral_days} days ago, or open and sent more than "
            f"{result.referral_days * 2} days ago)."
        )
