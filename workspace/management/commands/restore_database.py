"""`manage.py restore_database FILE [--database-url URL]`: a backup of `backup_database` into an
empty database, checked against the backup's fingerprint (docs/operations.md, "Backups")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.backups import BackupError, database_restore
from core.fingerprint import settings_for, summary


class Command(BaseCommand):
    help = (
        "Restore a backup into an empty database: the configured one, or --database-url (a "
        "restore drill). Then compare every table with the fingerprint beside the backup."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("backup", type=Path, help="A .dump (PostgreSQL) or .sqlite3 file.")
        parser.add_argument(
            "--database-url",
            default=None,
            help="Restore into this empty database instead of the configured one "
            "(postgres://user@host/name or sqlite:////path/to/file.sqlite3).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        target = settings_for(options["database_url"])
        try:
            restore = database_restore(settings_dict=target, path=options["backup"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Restored {summary(restore.fingerprint)} into {target['NAME']}.")
        if restore.expected is None:
            self.stdout.write("No fingerprint beside the backup: nothing to compare with.")
        elif restore.differences:
            for line in restore.differences:
                self.stderr.write(line)
            raise CommandError(
                f"{len(restore.differences)} tables differ from the backup's fingerprint."
            )
        else:
            self.stdout.write("Every table matches the backup's fingerprint.")
