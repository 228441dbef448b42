"""The public finder: which published Digipunten are nearest to a place, with the filters a
resident chooses, and whether each is open now.

Reads only (a selector). Distances are computed in Python over a light `(id, lat, lon)` list
(docs/decisions/0001-distance-in-python.md): the query is the same on SQLite and PostgreSQL and a
results page takes a fixed handful of queries (docs/performance.md).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from network import hours_document
from network.models import KM_PER_DEGREE_LATITUDE, Site, Theme
from territory.selectors import Place

EARTH_RADIUS_KM = 6371.0088
# A result further than this is "not nearby": the page then says so and offers the help line.
NEARBY_KM = 15.0
# "Open now" is checked for at most this many of the nearest sites (one query).
OPEN_NOW_MAX_CHECKED = 1000
# Sites are first looked for in a box this far around the origin (see _nearest_ids).
BOX_RADIUS_KM = 20.0


@dataclass(frozen=True)
class Filters:
    service: str = ""
    theme: str = ""
    language: str = ""
    open_now: bool = False
    step_free: bool = False
    walk_in: bool = False

    @property
    def any(self) -> bool:
        return any(
            (self.service, self.theme, self.language, self.open_now, self.step_free, self.walk_in)
        )


@dataclass(frozen=True)
class Hit:
    site: Site
    distance_km: float
    open_now: bool
    closes_at: datetime | None
    next_opening: datetime | None


@dataclass
class FinderResult:
    origin: Place | None
    hits: list[Hit] = field(default_factory=list)
    page: int = 1
    page_size: int = 10
    total: int | None = None  # None when "open now" is on: only the pages seen are counted
    within_km: float | None = None  # the total counts the sites within this distance only
    has_next: bool = False

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def first_index(self) -> int:
        return (self.page - 1) * self.page_size + 1

    @property
    def nothing_nearby(self) -> bool:
        """No result at all, or the nearest one is far away: say so and offer the help line."""
        return not self.hits or (self.page == 1 and self.hits[0].distance_km > NEARBY_KM)


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def _sorted_by_distance(
    rows: Iterable[tuple[int, float, float]], origin: Place
) -> list[tuple[float, int]]:
    """(squared distance in degrees of latitude, id), nearest first.

    An equirectangular projection is exact enough to *order* sites within Belgium and is several
    times cheaper than haversine; the distance shown to people uses haversine.
    """
    lat, lon = origin.latitude, origin.longitude
    kx = math.cos(math.radians(lat))
    ordered = sorted((((la - lat) ** 2 + ((lo - lon) * kx) ** 2), pk) for pk, la, lo in rows)
    return ordered


def filtered_sites(filters: Filters) -> QuerySet[Site]:
    qs = Site.objects.published()
    if filters.service:
        qs = qs.offering(filters.service)
    if filters.theme:
        qs = qs.helping_with(filters.theme)
    if filters.language:
        qs = qs.speaking(filters.language)
    if filters.step_free:
        qs = qs.step_free()
    if filters.walk_in:
        qs = qs.walk_in()
    return qs


def _open_ids(ids: Sequence[int], now: datetime, wanted: int) -> tuple[list[int], bool]:
    """The ids (in the given order) of sites open at `now`, stopping once `wanted` are found.

    One query reads the hours of the nearest OPEN_NOW_MAX_CHECKED candidates. A site whose hours
    have no period on this weekday and no opening exception today cannot be open, so the full
    engine only runs for the others. Returns the open ids and whether every candidate was checked.
    """
    checked = ids[:OPEN_NOW_MAX_CHECKED]
    today = timezone.localdate(now)
    rows = Site.objects.filter(pk__in=checked).values_list(
        "pk", "opening_hours", "closed_on_public_holidays"
    )
    hours_by_id = {pk: (document, holidays) for pk, document, holidays in rows}
    found: list[int] = []
    for pk in checked:
        document, holidays = hours_by_id[pk]
        if not hours_document.may_open_on(document, today):
            continue
        site = Site(pk=pk, opening_hours=document, closed_on_public_holidays=holidays)
        if site.schedule().is_open(now):
            found.append(pk)
            if len(found) >= wanted:
                return found, False
    return found, len(ids) <= OPEN_NOW_MAX_CHECKED


def find_sites(
    origin: Place,
    filters: Filters,
    *,
    now: datetime,
    page: int = 1,
    page_size: int = 10,
) -> FinderResult:
    """The page `page` of published sites nearest to `origin` that match `filters`."""
    qs = filtered_sites(filters)
    start = (page - 1) * page_size
    wanted = start + page_size + 1  # one more than the page, to know whether there is a next
    total: int | None
    within_km: float | None = None
    if filters.open_now:
        ids = [pk for _d, pk in _sorted_by_distance(_coordinates(qs), origin)]
        ids, complete = _open_ids(ids, now, wanted)
        total = len(ids) if complete else None
    else:
        ids, total, within_km = _nearest_ids(qs, origin, wanted)
    page_ids = ids[start : start + page_size]
    has_next = len(ids) > start + page_size
    sites = (
        Site.objects.filter(pk__in=page_ids)
        .select_related("municipality")
        .prefetch_related(Prefetch("themes", queryset=Theme.objects.order_by("position")))
    )
    by_id = {site.pk: site for site in sites}
    hits = [_hit(by_id[pk], origin, now) for pk in page_ids if pk in by_id]
    return FinderResult(
        origin=origin,
        hits=hits,
        page=page,
        page_size=page_size,
        total=total,
        within_km=within_km,
        has_next=has_next,
    )


def _coordinates(qs: QuerySet[Site]) -> list[tuple[int, float, float]]:
    return list(qs.values_list("pk", "latitude", "longitude"))


def _nearest_ids(
    qs: QuerySet[Site], origin: Place, wanted: int
) -> tuple[list[int], int, float | None]:
    """At least `wanted` ids nearest first (or all there are), how many there are, and within
    which radius they were counted (None: everywhere).

    First only the sites in a box around the origin (an indexed latitude range): when the circle
    inside that box holds enough of them, they are certainly the nearest, and the count is of the
    sites within that circle. Otherwise every matching site is ordered. At most two queries.
    """
    boxed = qs.in_box(origin.latitude, origin.longitude, BOX_RADIUS_KM)
    # The squared radius of the circle inside the box, in the units of _sorted_by_distance.
    limit = (BOX_RADIUS_KM / KM_PER_DEGREE_LATITUDE) ** 2
    ordered = _sorted_by_distance(_coordinates(boxed), origin)
    inside = [pk for d, pk in ordered if d <= limit]
    if len(inside) >= wanted:
        return inside, len(inside), BOX_RADIUS_KM
    everything = [pk for _d, pk in _sorted_by_distance(_coordinates(qs), origin)]
    return everything, len(everything), None


def _hit(site: Site, origin: Place, now: datetime) -> Hit:
    status = site.schedule().status(now)
    return Hit(
        site=site,
        distance_km=distance_km(origin.latitude, origin.longitude, site.latitude, site.longitude),
        open_now=status.open_now,
        closes_at=status.closes_at,
        next_opening=status.next_opening,
    )
