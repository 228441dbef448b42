"""`manage.py import_population <file>`: refresh the population from Statbel's yearly file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from territory.population import PopulationImportError, territory_import_population

# A file in the wrong format can fail on every one of its hundreds of thousands of rows.
MAX_ERRORS_SHOWN = 100


class Command(BaseCommand):
    help = (
        "Import the population per municipality from Statbel's TF_SOC_POP_STRUCT_<year>.txt "
        "(pipe-delimited, UTF-8). All or nothing: any bad row and nothing is written."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "path", type=Path, help="the Statbel file (TF_SOC_POP_STRUCT_<year>.txt)"
        )
        parser.add_argument(
            "--year",
            type=int,
            default=None,
            help="the year of the figures (1 January), if the file name does not say",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            report = territory_import_population(path, year=options["year"])
        except PopulationImportError as error:
            self._write_errors(error.errors)
            raise CommandError(
                f"{len(error.errors)} error(s) in {path.name}; nothing was imported."
            ) from None
        self.stdout.write(f"Population on {report['population_date']:%d/%m/%Y} from {path.name}")
        self.stdout.write(f"rows read: {report['rows']}")
        self.stdout.write(f"municipalities updated: {report['municipalities']}")
        self.stdout.write(f"total population: {report['population']}")
        if report["missing"]:
            self.stdout.write(
                self.style.WARNING(
                    f"not in the file, left as they were ({len(report['missing'])}): "
                    + ", ".join(report["missing"][:20])
                    + (" ..." if len(report["missing"]) > 20 else "")
                )
            )
        self.stdout.write(self.style.SUCCESS("Population imported."))

    def _write_errors(self, errors: list[str]) -> None:
        for message in errors[:MAX_ERRORS_SHOWN]:
            self.stderr.write(message)
        if len(errors) > MAX_ERRORS_SHOWN:
            self.stderr.write(f"... and {len(errors) - MAX_ERRORS_SHOWN} more")
