"""Refreshing the population from Statbel's yearly open-data file, all or nothing."""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from django.db import transaction

from territory.models import Municipality
from territory.sources import former_municipalities

POPULATION_FILE_COLUMNS = ("CD_REFNIS", "MS_POPULATION")
_YEAR_IN_FILE_NAME = re.compile(r"(?<!\d)(19|20)(\d{2})(?!\d)")


class PopulationImportError(ValueError):
    """A population file that cannot be imported; `errors` says why, row by row."""

    def __init__(self, errors: Sequence[str]) -> None:
        self.errors = list(errors)
        super().__init__(f"{len(self.errors)} error(s), nothing imported: {self.errors[0]}")


@dataclass(frozen=True)
class _PopulationFile:
    year: int
    rows: int
    population_by_refnis: dict[str, int]


def territory_import_population(path: str | Path, *, year: int | None = None) -> dict[str, Any]:
    """Import Statbel's yearly population file (TF_SOC_POP_STRUCT_<year>.txt), all or nothing.

    The file is pipe-delimited UTF-8 (with a BOM) with one row per municipality, sex, age,
    nationality and marital status; the rows of each `CD_REFNIS` are added up. Rows with a
    pre-2025 code of a merged municipality count for the municipality it is part of now. The
    population date becomes 1 January of `year`, or of the year in the file name.

    Every row is checked before anything is written. Raises `PopulationImportError` with one
    message per bad row (numbered as lines of the file, the header being row 1) if any is bad.
    Returns the year, the population date, the number of rows and of municipalities updated, the
    total population, and the municipalities the file did not mention (left as they were).
    """
    path = Path(path)
    parsed = _parse_population_file(path, year=year)
    population_date = date(parsed.year, 1, 1)
    with transaction.atomic():
        municipalities = list(
            Municipality.objects.filter(refnis__in=parsed.population_by_refnis).order_by("refnis")
        )
        for municipality in municipalities:
            municipality.population = parsed.population_by_refnis[municipality.refnis]
            municipality.population_date = population_date
        Municipality.objects.bulk_update(
            municipalities, ["population", "population_date"], batch_size=500
        )
        missing = sorted(
            Municipality.objects.exclude(refnis__in=parsed.population_by_refnis).values_list(
                "refnis", flat=True
            )
        )
    return {
        "year": parsed.year,
        "population_date": population_date,
        "rows": parsed.rows,
        "municipalities": len(municipalities),
        "population": sum(parsed.population_by_refnis.values()),
        "missing": missing,
    }


def _parse_population_file(path: Path, *, year: int | None) -> _PopulationFile:
    year = year if year is not None else _year_from_file_name(path.name)
    if year is None:
        raise PopulationImportError(
            [f"cannot tell the year from the file name {path.name!r}: give it explicitly"]
        )
    current_of = _current_refnis_by_known_code()
    if not current_of:
        raise PopulationImportError(["no municipalities yet: run load_territory first"])
    # Streamed: the real file has hundreds of thousands of rows.
    try:
        with path.open(encoding="utf-8-sig", newline="") as file:
            totals, rows, errors = _add_up_rows(file, current_of)
    except UnicodeDecodeError as error:
        raise PopulationImportError([f"the file is not UTF-8 text ({error.reason})"]) from None
    if errors:
        raise PopulationImportError(errors)
    if not rows:
        raise PopulationImportError(["the file has no data rows"])
    return _PopulationFile(year=year, rows=rows, population_by_refnis=totals)


def _year_from_file_name(name: str) -> int | None:
    found = _YEAR_IN_FILE_NAME.findall(name)
    return int("".join(found[-1])) if found else None


def _current_refnis_by_known_code() -> dict[str, str]:
    """Every REFNIS code a population file may use, and the municipality it counts for today."""
    current = {refnis: refnis for refnis in Municipality.objects.values_list("refnis", flat=True)}
    merged = {
        former.refnis: former.merged_into
        for former in former_municipalities()
        if former.merged_into in current
    }
    # A code that is still in use (11002 Antwerpen) is itself.
    return {**merged, **current}


def _add_up_rows(file: TextIO, current_of: dict[str, str]) -> tuple[dict[str, int], int, list[str]]:
    """The population per current municipality, the number of data rows, and the errors."""
    # Statbel does not quote fields; a stray quote must not swallow the lines after it.
    reader = csv.reader(file, delimiter="|", quoting=csv.QUOTE_NONE)
    header = [column.strip() for column in next(reader, [])]
    missing_columns = [column for column in POPULATION_FILE_COLUMNS if column not in header]
    if missing_columns:
        return {}, 0, [f"row 1: missing column(s) {', '.join(missing_columns)}"]
    refnis_column = header.index("CD_REFNIS")
    population_column = header.index("MS_POPULATION")
    totals: dict[str, int] = defaultdict(int)
    errors: list[str] = []
    rows = 0
    for fields in reader:
        row = f"row {reader.line_num}"  # the line in the file; the header is row 1
        if not any(field.strip() for field in fields):
            continue  # a blank line, e.g. at the end
        rows += 1
        if len(fields) != len(header):
            errors.append(f"{row}: {len(fields)} fields, expected {len(header)}")
            continue
        refnis = fields[refnis_column].strip()
        count = fields[population_column].strip()
        known = refnis in current_of
        whole_number = count.isascii() and count.isdigit()
        if not known:
            errors.append(f"{row}: unknown REFNIS code {refnis!r}")
        if not whole_number:
            errors.append(f"{row}: population {count!r} is not a whole number")
        if known and whole_number:
            totals[current_of[refnis]] += int(count)
    return dict(totals), rows, errors
