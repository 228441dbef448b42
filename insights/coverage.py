"""Coverage: where the network's help is, measured against where people live.

Pure computation over the directory (published `network.Site`s, `territory.Municipality` with its
population, the localities of `territory.PlaceName`), returning plain dataclasses that a page, a
CSV export or a test reads as they are:

- per municipality (`MunicipalityCoverage`): the published Digipunten, their opening hours in one
  week, hours per 10,000 residents, the estimated digitally vulnerable residents, and whether it
  is a gap (no Digipunt, or fewer hours per 10,000 residents than the minimum);
- per locality (`LocalityCoverage`): its point, its residents and the distance to the nearest
  *open* Digipunt (one with at least one opening hour in the week), and whether that is farther
  than the chosen distance.

Assumptions, shown beside the figures on any page that uses them:

- **Residents per locality**: our data has no population per locality (deelgemeente), so a
  municipality's population is split evenly over its localities. A locality is one point of a
  postal code (`PlaceName` of kind locality; its Dutch and French names count once).
- **Digitally vulnerable residents** = population × a rate: `settings.DIGITALLY_VULNERABLE_RATE`
  (40 % by default, from the Barometer digitale inclusie 2024 of the Koning Boudewijnstichting),
  or the region's rate in `settings.DIGITALLY_VULNERABLE_RATE_BY_REGION` (by region REFNIS).
- **Weekly hours**: the hours a site is open in the seven days from `week_from`, by its opening
  hours (public holidays and closures included); a site without hours counts 0 hours and is not
  "open" for the distances.
- **Distances** are straight lines (haversine, in km), not travel distances.

Speed: the nearest open Digipunt of each locality is found through a grid of cells of about
10 km (`NearestSites`), so 2,781 localities × 900 sites take a few milliseconds.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.conf import settings

from network import hours_document
from network.hours import Schedule
from network.models import KM_PER_DEGREE_LATITUDE, Site
from territory.models import Municipality, PlaceName

EARTH_RADIUS_KM = 6371.0088


# --- distances -----------------------------------------------------------------------------------


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The great-circle distance between two points, in km."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


class NearestSites:
    """The nearest of a set of points, found through a grid instead of measuring them all.

    Points fall in cells of `cell_degrees` of latitude and longitude. A query measures the cells
    in rings around its own cell and stops once the best distance found is shorter than any
    point in the next ring could be (every point beyond ring `r` is at least `r` whole cells
    away, and a cell is at least `_min_cell_km` wide or high).
    """

    def __init__(self, points: Iterable[tuple[int, float, float]], cell_degrees: float = 0.1):
        self.cell = cell_degrees
        self.cells: dict[tuple[int, int], list[tuple[int, float, float]]] = defaultdict(list)
        latitudes: list[float] = []
        for point in points:
            self.cells[self._cell_of(point[1], point[2])].append(point)
            latitudes.append(point[1])
        if self.cells:
            rows = [cell[0] for cell in self.cells]
            cols = [cell[1] for cell in self.cells]
            self._rows = (min(rows), max(rows))
            self._cols = (min(cols), max(cols))
            # The highest latitude of a point: cells are narrowest there (see `_min_cell_km`).
            self._widest = max(abs(lat) for lat in latitudes)

    def __len__(self) -> int:
        return sum(len(points) for points in self.cells.values())

    def _min_cell_km(self, latitude: float) -> float:
        """The narrowest a cell can be between a query at `latitude` and any point (longitude
        degrees shrink towards the pole), with a margin for the curvature of great circles:
        conservative, so the search never stops too early."""
        highest = min(max(abs(latitude), self._widest) + self.cell, 89.0)
        return 0.99 * self.cell * KM_PER_DEGREE_LATITUDE * math.cos(math.radians(highest))

    def _cell_of(self, latitude: float, longitude: float) -> tuple[int, int]:
        return math.floor(latitude / self.cell), math.floor(longitude / self.cell)

    def nearest(self, latitude: float, longitude: float) -> tuple[int, float] | None:
        """(id, km) of the nearest point, or None when there are none."""
        if not self.cells:
            return None
        row, col = self._cell_of(latitude, longitude)
        # Beyond this many rings every cell of the grid has been measured.
        last_ring = max(
            abs(row - self._rows[0]),
            abs(row - self._rows[1]),
            abs(col - self._cols[0]),
            abs(col - self._cols[1]),
        )
        cell_km = self._min_cell_km(latitude)
        best: tuple[int, float] | None = None
        for ring in range(last_ring + 1):
            for cell in _ring(row, col, ring):
                for pk, lat, lon in self.cells.get(cell, ()):
                    km = haversine_km(latitude, longitude, lat, lon)
                    if best is None or km < best[1] or (km == best[1] and pk < best[0]):
                        best = (pk, km)
            # Every point beyond this ring is at least `ring` whole cells away.
            if best is not None and best[1] <= ring * cell_km:
                break
        return best


def _ring(row: int, col: int, ring: int) -> Iterable[tuple[int, int]]:
    """The cells at Chebyshev distance `ring` from (row, col)."""
    if ring == 0:
        yield row, col
        return
    for dc in range(-ring, ring + 1):
        yield row - ring, col + dc
        yield row + ring, col + dc
    for dr in range(-ring + 1, ring):
        yield row + dr, col - ring
        yield row + dr, col + ring


# --- opening hours in a week ---------------------------------------------------------------------


def hours_in_week(schedule: Schedule, week_from: date) -> float:
    """The hours `schedule` is open in the seven days from `week_from` (real hours: a day of a
    clock change counts what the clock shows)."""
    seconds = 0.0
    for offset in range(7):
        for start, end in schedule.day(week_from + timedelta(days=offset)).intervals:
            seconds += (end - start).total_seconds()
    return seconds / 3600


def site_weekly_hours(
    opening_hours: dict[str, Any] | None, closed_on_public_holidays: bool, week_from: date
) -> float:
    """A site's hours in the week from `week_from`; 0 for a site without (readable) hours."""
    parsed = hours_document.readable(opening_hours)
    if parsed is None:
        return 0.0
    periods, exceptions = parsed
    if not periods and not exceptions:
        return 0.0
    schedule = Schedule(periods, exceptions, closed_on_public_holidays=closed_on_public_holidays)
    return hours_in_week(schedule, week_from)


# --- what the computations read ------------------------------------------------------------------


@dataclass(frozen=True)
class SitePoint:
    """A published Digipunt as coverage and the funding cliff read it."""

    id: int
    name: str
    organisation_id: int
    municipality_refnis: str
    latitude: float
    longitude: float
    weekly_hours: float
    services: tuple[str, ...]

    @property
    def is_open(self) -> bool:
        """Open at least one hour in the week measured."""
        return self.weekly_hours > 0


SITE_FIELDS = (
    "id",
    "name",
    "organisation_id",
    "municipality_id",
    "latitude",
    "longitude",
    "opening_hours",
    "closed_on_public_holidays",
    "offers_help",
    "offers_access",
    "offers_lending",
    "offers_learning",
)


def published_sites(week_from: date) -> list[SitePoint]:
    """Every published Digipunt with its hours in the week from `week_from` (one query)."""
    found = []
    for site in Site.objects.published().only(*SITE_FIELDS).order_by("pk"):
        found.append(
            SitePoint(
                id=site.pk,
                name=site.name,
                organisation_id=site.organisation_id,
                municipality_refnis=site.municipality_id,
                latitude=site.latitude,
                longitude=site.longitude,
                weekly_hours=site_weekly_hours(
                    site.opening_hours, site.closed_on_public_holidays, week_from
                ),
                services=tuple(site.services),
            )
        )
    return found


@dataclass(frozen=True)
class Locality:
    """A locality (deelgemeente, village): one point of a postal code in a municipality."""

    municipality_refnis: str
    postal_code: str
    name: str  # its names joined with " / " where Dutch and French differ (Elsene / Ixelles)
    latitude: float
    longitude: float
    residents: float  # the municipality's population split evenly over its localities


def localities(municipalities: Sequence[Municipality]) -> list[Locality]:
    """The localities of `municipalities`, each with its share of the population (one query).

    A municipality without a locality in the data counts as one locality at its own point."""
    by_point: dict[tuple[str, str, float, float], list[str]] = {}
    rows = (
        PlaceName.objects.filter(
            kind=PlaceName.Kind.LOCALITY, municipality__in=[m.refnis for m in municipalities]
        )
        .order_by("municipality_id", "postal_code", "latitude", "longitude", "label")
        .values_list("municipality_id", "postal_code", "latitude", "longitude", "label")
    )
    for refnis, postal_code, latitude, longitude, label in rows:
        names = by_point.setdefault((refnis, postal_code, latitude, longitude), [])
        if label not in names:
            names.append(label)
    by_municipality: dict[str, list[tuple[str, float, float, str]]] = defaultdict(list)
    for (refnis, postal_code, latitude, longitude), names in by_point.items():
        by_municipality[refnis].append((postal_code, latitude, longitude, " / ".join(names)))
    found: list[Locality] = []
    for municipality in municipalities:
        points = by_municipality.get(municipality.refnis)
        if not points and municipality.latitude is not None and municipality.longitude is not None:
            points = [("", municipality.latitude, municipality.longitude, municipality.name_nl)]
        for postal_code, latitude, longitude, name in points or []:
            found.append(
                Locality(
                    municipality_refnis=municipality.refnis,
                    postal_code=postal_code,
                    name=name,
                    latitude=latitude,
                    longitude=longitude,
                    residents=municipality.population / len(points or [None]),
                )
            )
    return found


def network_municipalities(refnis: Iterable[str] | None = None) -> list[Municipality]:
    """The municipalities of the network (Flanders and Brussels), or only those of `refnis`."""
    municipalities = Municipality.objects.in_network().select_related("province", "region")
    if refnis is not None:
        municipalities = municipalities.filter(refnis__in=list(refnis))
    return list(municipalities.order_by("refnis"))


def vulnerable_rate(region_refnis: str) -> float:
    """The share of residents estimated to be digitally vulnerable in a region."""
    by_region: dict[str, float] = settings.DIGITALLY_VULNERABLE_RATE_BY_REGION
    return by_region.get(region_refnis, settings.DIGITALLY_VULNERABLE_RATE)


def per_10000(hours: float, population: int) -> float | None:
    """Opening hours per 10,000 residents; None for a municipality without residents."""
    return hours * 10000 / population if population else None


# --- the result ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LocalityCoverage:
    municipality_refnis: str
    municipality_name: str
    postal_code: str
    name: str
    latitude: float
    longitude: float
    residents: float
    nearest_site_id: int | None
    distance_km: float | None  # None when no Digipunt is open anywhere
    is_gap: bool  # farther than the chosen distance (or no open Digipunt at all)


@dataclass(frozen=True)
class MunicipalityCoverage:
    refnis: str
    name_nl: str
    name_fr: str
    name: str  # in the active language
    province_refnis: str | None
    region_refnis: str
    population: int
    sites: int  # published Digipunten
    open_sites: int  # of which open at least one hour in the week
    weekly_hours: float
    hours_per_10000: float | None
    vulnerable_rate: float
    vulnerable_residents: int
    localities: int
    localities_beyond: int  # localities farther than the distance from an open Digipunt
    residents_beyond: int  # their residents (rounded)
    gap: str  # "" | GAP_NO_SITE | GAP_FEW_HOURS

    @property
    def is_gap(self) -> bool:
        return bool(self.gap)


GAP_NO_SITE = "no_site"
GAP_FEW_HOURS = "few_hours"


@dataclass(frozen=True)
class Coverage:
    """Coverage of the network (or of some municipalities) in the week from `week_from`."""

    week_from: date
    min_hours_per_10000: float
    max_distance_km: float
    vulnerable_rate: float  # the default rate
    vulnerable_rate_by_region: dict[str, float]
    vulnerable_rate_source: str
    municipalities: list[MunicipalityCoverage]
    localities: list[LocalityCoverage]
    sites: list[SitePoint] = field(repr=False)

    @property
    def gaps(self) -> list[MunicipalityCoverage]:
        """Municipalities without a Digipunt or with too few hours, those without first."""
        return sorted(
            (m for m in self.municipalities if m.is_gap),
            key=lambda m: (m.gap != GAP_NO_SITE, m.hours_per_10000 or 0.0, m.name_nl),
        )

    @property
    def remote_localities(self) -> list[LocalityCoverage]:
        """Localities farther than the distance from an open Digipunt, farthest first."""
        return sorted(
            (loc for loc in self.localities if loc.is_gap),
            key=lambda loc: (-(loc.distance_km or math.inf), loc.name),
        )

    @property
    def population(self) -> int:
        return sum(m.population for m in self.municipalities)

    @property
    def weekly_hours(self) -> float:
        return sum(m.weekly_hours for m in self.municipalities)

    @property
    def vulnerable_residents(self) -> int:
        return sum(m.vulnerable_residents for m in self.municipalities)

    @property
    def residents_beyond(self) -> int:
        return round(sum(loc.residents for loc in self.localities if loc.is_gap))


def locality_distances(
    places: Sequence[Locality], sites: Iterable[SitePoint]
) -> list[tuple[int, float] | None]:
    """For each locality, (id, km) of the nearest open site among `sites`, or None."""
    index = NearestSites((s.id, s.latitude, s.longitude) for s in sites if s.is_open)
    return [index.nearest(place.latitude, place.longitude) for place in places]


def coverage(
    *,
    week_from: date,
    refnis: Iterable[str] | None = None,
    max_distance_km: float | None = None,
    min_hours_per_10000: float | None = None,
    sites: list[SitePoint] | None = None,
) -> Coverage:
    """Coverage per municipality and per locality (see the module's docstring).

    `refnis` limits the rows to some municipalities (distances still count every Digipunt, also
    across the border); the distance and the minimum hours default to the settings
    `COVERAGE_MAX_DISTANCE_KM` and `COVERAGE_MIN_HOURS_PER_10000`. `sites` may pass what
    `published_sites(week_from)` returned, to read the directory once for several figures.
    """
    if max_distance_km is None:
        max_distance_km = float(settings.COVERAGE_MAX_DISTANCE_KM)
    if min_hours_per_10000 is None:
        min_hours_per_10000 = float(settings.COVERAGE_MIN_HOURS_PER_10000)
    if sites is None:
        sites = published_sites(week_from)
    municipalities = network_municipalities(refnis)
    places = localities(municipalities)
    nearest = locality_distances(places, sites)

    names = {m.refnis: m.name for m in municipalities}
    locality_rows = [
        LocalityCoverage(
            municipality_refnis=place.municipality_refnis,
            municipality_name=names[place.municipality_refnis],
            postal_code=place.postal_code,
            name=place.name,
            latitude=place.latitude,
            longitude=place.longitude,
            residents=place.residents,
            nearest_site_id=found[0] if found else None,
            distance_km=found[1] if found else None,
            is_gap=found is None or found[1] > max_distance_km,
        )
        for place, found in zip(places, nearest, strict=True)
    ]
    by_municipality: dict[str, list[LocalityCoverage]] = defaultdict(list)
    for row in locality_rows:
        by_municipality[row.municipality_refnis].append(row)
    sites_in: dict[str, list[SitePoint]] = defaultdict(list)
    for site in sites:
        sites_in[site.municipality_refnis].append(site)

    rows = []
    for m in municipalities:
        here = sites_in.get(m.refnis, [])
        hours = sum(site.weekly_hours for site in here)
        density = per_10000(hours, m.population)
        rate = vulnerable_rate(m.region_id)
        own = by_municipality.get(m.refnis, [])
        beyond = [loc for loc in own if loc.is_gap]
        if not here:
            gap = GAP_NO_SITE
        elif density is not None and density < min_hours_per_10000:
            gap = GAP_FEW_HOURS
        else:
            gap = ""
        rows.append(
            MunicipalityCoverage(
                refnis=m.refnis,
                name_nl=m.name_nl,
                name_fr=m.name_fr,
                name=m.name,
                province_refnis=m.province_id,
                region_refnis=m.region_id,
                population=m.population,
                sites=len(here),
                open_sites=sum(1 for site in here if site.is_open),
                weekly_hours=hours,
                hours_per_10000=density,
                vulnerable_rate=rate,
                vulnerable_residents=round(m.population * rate),
                localities=len(own),
                localities_beyond=len(beyond),
                residents_beyond=round(sum(loc.residents for loc in beyond)),
                gap=gap,
            )
        )
    return Coverage(
        week_from=week_from,
        min_hours_per_10000=min_hours_per_10000,
        max_distance_km=max_distance_km,
        vulnerable_rate=settings.DIGITALLY_VULNERABLE_RATE,
        vulnerable_rate_by_region=dict(settings.DIGITALLY_VULNERABLE_RATE_BY_REGION),
        vulnerable_rate_source=settings.DIGITALLY_VULNERABLE_RATE_SOURCE,
        municipalities=rows,
        localities=locality_rows,
        sites=sites,
    )
