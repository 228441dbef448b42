"""The public finder: which published Digipunten are nearest to a place, with the filters a
resident chooses, and whether each is open now.

Reads only (a selector). Distances are computed in Python over a light `(id, lat, lon)` list
(docs/decisions/0001-distance-in-python.md): the query is the same on SQLite and PostgreSQL and a
results page takes a fixed handful of queries (docs/performance.md).
"""

from __future__ import annotations

import bisect
import json
import math
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Aggregate, QuerySet, TextField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import get_language

from core.public_cache import Memo, end_of_day
from network import hours, hours_document
from network.models import KM_PER_DEGREE_LATITUDE, Site, Theme, box_half_sides
from network.themes import themes_cached
from territory.selectors import Place

EARTH_RADIUS_KM = 6371.0088
# A result further than this is "not nearby": the page then says so and offers the help line.
NEARBY_KM = 15.0
# "Open now" is checked for at most this many of the nearest sites (one query).
OPEN_NOW_MAX_CHECKED = 1000
# Sites are first looked for in a box this far around the origin (see _nearest_ids).
BOX_RADIUS_KM = 20.0

# What a search reads of the directory, kept in this process until the directory changes
# (core.public_cache.Memo): the positions of the sites matching each recent choice of filters,
# and the sites shown on result pages with their opening hours read. A search that has none of
# them to read asks the database; a warm process answers a new search without a query.
_MATCHING: Memo[_Matching] = Memo(size=64)
_SITES: Memo[_Shown] = Memo(size=5000)


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
    themes: list[Theme] = field(default_factory=list)  # in the taxonomy's order


class _CommaJoined(Aggregate):
    """The values of a to-many relation as one comma-joined text (NULL when there are none)."""

    function = "GROUP_CONCAT"
    output_field = TextField()

    def as_postgresql(self, compiler, connection, **extra_context):  # type: ignore[no-untyped-def]
        return self.as_sql(
            compiler,
            connection,
            function="STRING_AGG",
            template="%(function)s((%(expressions)s)::text, ',')",
            **extra_context,
        )


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

    def true_until(self, now: datetime, *, open_now: bool) -> datetime:
        """When this page of results stops being true (core.public_cache keeps it until then):
        a site on it opens or closes, the day changes ("opens tomorrow"), or, when only open
        sites are asked for, any site may open, so at the next minute."""
        moments = [end_of_day(now)]
        for hit in self.hits:
            moment = hit.closes_at if hit.open_now else hit.next_opening
            if moment is not None:
                moments.append(moment)
        if open_now:
            moments.append(now.replace(second=0, microsecond=0) + timedelta(minutes=1))
        return min(moments)


@dataclass(frozen=True)
class _Matching:
    """The sites matching some filters as (latitude, id, longitude), ordered by latitude, with
    the latitudes alone for bisection: a box around a place is two bisections."""

    rows: list[tuple[float, int, float]]
    latitudes: list[float]

    @classmethod
    def of(cls, qs: QuerySet[Site]) -> _Matching:
        rows = sorted((lat, pk, lon) for pk, lat, lon in _coordinates(qs))
        return cls(rows=rows, latitudes=[row[0] for row in rows])

    def everything(self) -> list[tuple[int, float, float]]:
        return [(pk, lat, lon) for lat, pk, lon in self.rows]

    def in_box(
        self, latitude: float, longitude: float, radius_km: float
    ) -> list[tuple[int, float, float]]:
        """The rows `SiteQuerySet.in_box` would give (the same bounds, inclusive)."""
        dlat, dlon = box_half_sides(latitude, radius_km)
        low = bisect.bisect_left(self.latitudes, latitude - dlat)
        high = bisect.bisect_right(self.latitudes, latitude + dlat)
        west, east = longitude - dlon, longitude + dlon
        return [(pk, lat, lon) for lat, pk, lon in self.rows[low:high] if west <= lon <= east]


@dataclass(frozen=True)
class _Shown:
    """A site as a result shows it: the row with its themes' ids, and its hours read once per
    language (the names of public holidays are in the page's language)."""

    site: Site
    schedules: dict[str, hours.Schedule] = field(default_factory=dict)
    _themes: list[list[Theme]] = field(default_factory=list)
    # The last status worked out, as (from, until, status): true for any moment in between.
    _status: list[tuple[datetime, datetime, hours.Status]] = field(default_factory=list)

    def schedule(self) -> hours.Schedule:
        language = (get_language() or "nl")[:2]
        found = self.schedules.get(language)
        if found is None:
            found = self.schedules[language] = self.site.schedule()
        return found

    def status(self, now: datetime) -> hours.Status:
        """Open now, until when, or when it opens next. A status stays true from the moment it
        was worked out until the site opens or closes (and at most until midnight), so the
        many searches that show this site in between share it."""
        if self._status:
            since, until, known = self._status[0]
            if since <= now < until:
                return known
        status = self.schedule().status(now)
        until = min(m for m in (status.next_change, end_of_day(now)) if m is not None)
        self._status[:] = [(now, until, status)]
        return status

    def themes(self, taxonomy: list[Theme]) -> list[Theme]:
        """The site's themes in the taxonomy's order (the taxonomy of the same version)."""
        if not self._themes:
            ids = {int(pk) for pk in (self.site.theme_ids or "").split(",") if pk}
            self._themes.append([theme for theme in taxonomy if theme.pk in ids])
        return self._themes[0]


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


def _open_ids(ids: Sequence[int], local: datetime, wanted: int) -> tuple[list[int], bool]:
    """The ids (in the given order) of sites open at `local`, stopping once `wanted` are found.

    The candidates have passed the quarter-hour mask in SQL. One query reads the hours of the
    nearest OPEN_NOW_MAX_CHECKED of them as text, and a document is decoded only when its turn
    comes: when most candidates are open, the first few answer. A site none of whose periods or
    opening exceptions for today spans the exact minute cannot be open, so the full engine only
    runs for the others. Returns the open ids and whether every candidate was checked.
    """
    checked = ids[:OPEN_NOW_MAX_CHECKED]
    rows = (
        Site.objects.filter(pk__in=checked)
        .annotate(hours_text=Cast("opening_hours", TextField()))
        .values_list("pk", "hours_text", "closed_on_public_holidays")
    )
    hours_by_id = {pk: (text, holidays) for pk, text, holidays in rows}
    found: list[int] = []
    for pk in checked:
        text, holidays = hours_by_id[pk]
        document = json.loads(text) if text is not None else None
        if not hours_document.may_be_open_at(document, local):
            continue
        site = Site(pk=pk, opening_hours=document, closed_on_public_holidays=holidays)
        if site.schedule().is_open(local):
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
    start = (page - 1) * page_size
    wanted = start + page_size + 1  # one more than the page, to know whether there is a next
    total: int | None
    within_km: float | None = None
    if filters.open_now:
        local = timezone.localtime(now)
        candidates = filtered_sites(filters).may_be_open_at(local)
        ids = [pk for _d, pk in _sorted_by_distance(_coordinates(candidates), origin)]
        ids, complete = _open_ids(ids, local, wanted)
        total = len(ids) if complete else None
    else:
        matching = _MATCHING.get(filters, lambda: _Matching.of(filtered_sites(filters)))
        ids, total, within_km = _nearest_ids(matching, origin, wanted)
    page_ids = ids[start : start + page_size]
    has_next = len(ids) > start + page_size
    by_id = _SITES.get_many(list(page_ids), _shown_sites)
    themes = themes_cached()
    hits = [_hit(by_id[pk], origin, now, themes) for pk in page_ids if pk in by_id]
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
    # No ORDER BY (distance orders them here): the published sites' position index then
    # answers a search without the filters from the index alone.
    return list(qs.order_by().values_list("pk", "latitude", "longitude"))


def _shown_sites(ids: list[Hashable]) -> dict[Hashable, _Shown]:
    """The sites of these ids with their themes' ids in the same query (no join with anything
    the result pages do not show); the names come from the cached taxonomy, which the filter
    menu has read already."""
    sites = Site.objects.filter(pk__in=ids).order_by().annotate(theme_ids=_CommaJoined("themes"))
    return {site.pk: _Shown(site) for site in sites}


def _nearest_ids(
    matching: _Matching, origin: Place, wanted: int
) -> tuple[list[int], int, float | None]:
    """At least `wanted` ids nearest first (or all there are), how many there are, and within
    which radius they were counted (None: everywhere).

    First only the sites in a box around the origin: when the circle inside that box holds
    enough of them, they are certainly the nearest, and the count is of the sites within that
    circle. Otherwise every matching site is ordered.
    """
    boxed = matching.in_box(origin.latitude, origin.longitude, BOX_RADIUS_KM)
    # The squared radius of the circle inside the box, in the units of _sorted_by_distance.
    limit = (BOX_RADIUS_KM / KM_PER_DEGREE_LATITUDE) ** 2
    ordered = _sorted_by_distance(boxed, origin)
    inside = [pk for d, pk in ordered if d <= limit]
    if len(inside) >= wanted:
        return inside, len(inside), BOX_RADIUS_KM
    everything = [pk for _d, pk in _sorted_by_distance(matching.everything(), origin)]
    return everything, len(everything), None


def _hit(shown: _Shown, origin: Place, now: datetime, themes: list[Theme]) -> Hit:
    site = shown.site
    status = shown.status(now)
    return Hit(
        themes=shown.themes(themes),
        site=site,
        distance_km=distance_km(origin.latitude, origin.longitude, site.latitude, site.longitude),
        open_now=status.open_now,
        closes_at=status.closes_at,
        next_opening=status.next_opening,
    )
