"""The daily retention run: `manage.py purge_personal_data [--dry-run]` (see privacy.retention)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from privacy.retention import personal_data_purge


class Command(BaseCommand):
    help = (
        "Erase residents' personal data (appointments, referrals and every other kind the apps "
        "register) that is past its retention period. The rows and counts stay."
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
        for line in result.lines():
            self.stdout.write(line)
