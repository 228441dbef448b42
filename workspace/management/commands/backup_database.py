"""`manage.py backup_database [--directory DIR | --output FILE] [--keep N]`: one backup of the
configured database, its fingerprint beside it (core/backups.py; docs/operations.md, "Backups").

It lives in the top layer with the other commands that span every app: a backup holds them all.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from core.backups import BackupError, backup_name, backup_prune, database_backup
from core.fingerprint import summary


class Command(BaseCommand):
    help = (
        "Back up the configured database (PostgreSQL: pg_dump's custom format; SQLite: the online "
        "backup API) to one file readable by its owner only, with its fingerprint beside it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--directory",
            type=Path,
            default=None,
            help="Folder for digipunt-<date>-<time>.dump or .sqlite3 (default: var/backups).",
        )
        parser.add_argument("--output", type=Path, default=None, help="This file instead.")
        parser.add_argument(
            "--keep",
            type=int,
            default=0,
            help="Then remove all but the N newest backups in the folder (default: keep all).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        output: Path | None = options["output"]
        directory: Path = options["directory"] or Path(settings.VAR_DIR) / "backups"
        if output is not None and options["directory"] is not None:
            raise CommandError("Give --directory or --output, not both.")
        if options["keep"] < 0:
            raise CommandError("--keep: a number of backups, 0 to keep all.")
        path = output or directory / backup_name(connections["default"].settings_dict)
        try:
            backup = database_backup(path=path)
        except BackupError as error:
            raise CommandError(str(error)) from error
        size = path.stat().st_size
        self.stdout.write(f"Backed up {summary(backup.fingerprint)} to {path} ({size} bytes).")
        if options["keep"]:
            for removed in backup_prune(path.parent, options["keep"]):
                self.stdout.write(f"Removed the older backup {removed}.")
