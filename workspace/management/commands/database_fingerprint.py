"""`manage.py database_fingerprint [--database-url URL] [--json]`: every table with its row count
and a checksum of its rows (core/fingerprint.py), to compare two databases by hand."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from core.fingerprint import connection_to, database_fingerprint, settings_for, to_json


class Command(BaseCommand):
    help = (
        "Print every table of the configured database (or --database-url) with its row count "
        "and a checksum of its rows; two databases with equal output hold the same data."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--database-url", default=None, help="Another database.")
        parser.add_argument("--json", action="store_true", help="As JSON, like a backup's.")

    def handle(self, *args: Any, **options: Any) -> None:
        with connection_to(settings_for(options["database_url"])) as connection:
            fingerprint = database_fingerprint(connection)
        if options["json"]:
            self.stdout.write(json.dumps(to_json(fingerprint), indent=1, sort_keys=True))
            return
        for table, entry in fingerprint.items():
            self.stdout.write(f"{table}\t{entry.rows}\t{entry.checksum}")
