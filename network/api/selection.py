"""Which published sites, services and organisations an API request returns, and in what order.

An HSDS service is a (site, pillar) pair, not a row, so lists of services are built in two steps
that keep the number of queries constant whatever the page size:

1. one light query lists the matching sites with only what selection needs (id, uuid, pillar
   flags, coordinates); the pairs are expanded, filtered, counted and paged in Python;
2. one query (plus one prefetch for themes) loads the full sites of the requested page.

The directory is at most a few thousand sites, so step 1 stays cheap.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from django.db.models import Prefetch, Q, QuerySet

from network.api.hsds import PILLARS, service_at_location_id, service_id, theme_term_id
from network.api.params import PageRequest, Proximity
from network.finder import distance_km
from network.models import Organisation, Site, SiteQuerySet, Theme

T = TypeVar("T")
M = TypeVar("M")

PILLAR_FIELDS = tuple(f"offers_{pillar}" for pillar in PILLARS)


@dataclass(frozen=True)
class ServiceRef:
    """One service: a site (by primary key) and the pillar it offers."""

    site_pk: int
    pillar: str


@dataclass(frozen=True)
class Filters:
    """The list filters of the HSDS service endpoints; all optional, combined with AND."""

    search: str | None = None
    taxonomy_term_id: uuid.UUID | None = None
    organization_id: uuid.UUID | None = None
    postcode: str | None = None
    proximity: Proximity | None = None


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list, with the HSDS page header."""

    items: Sequence[T]
    request: PageRequest
    total: int

    def header(self) -> dict[str, int | bool]:
        total_pages = max(1, math.ceil(self.total / self.request.per_page))
        return {
            "total_items": self.total,
            "total_pages": total_pages,
            "page_number": self.request.number,
            "size": len(self.items),
            "first_page": self.request.number == 1,
            "last_page": self.request.number >= total_pages,
            "empty": self.total == 0,
        }


def paginate(items: Sequence[T], request: PageRequest) -> Page[T]:
    """The requested page of `items`; a page past the end is empty, not an error."""
    chunk = items[request.offset : request.offset + request.per_page]
    return Page(chunk, request, len(items))


def paginate_queryset(queryset: QuerySet[M], request: PageRequest) -> Page[M]:
    """The requested page of a queryset in two queries (count and slice)."""
    total = queryset.count()
    chunk = list(queryset[request.offset : request.offset + request.per_page])
    return Page(chunk, request, total)


# --- sites -----------------------------------------------------------------------------------


def published_sites() -> SiteQuerySet:
    """The only sites the API ever shows; ordered so that pages are stable."""
    return Site.objects.published().order_by("name", "pk")


def with_related(sites: SiteQuerySet) -> SiteQuerySet:
    """Sites with everything the HSDS and GeoJSON mappings read, in a fixed number of queries."""
    return sites.select_related(
        "organisation__municipality",
        "municipality__province",
        "municipality__region",
    ).prefetch_related("themes")


def load_sites(pks: Sequence[int]) -> dict[int, Site]:
    """The full published sites with these primary keys."""
    return {site.pk: site for site in with_related(published_sites().filter(pk__in=pks))}


def _search(sites: SiteQuerySet, term: str) -> SiteQuerySet:
    return sites.filter(
        Q(name__icontains=term)
        | Q(brand__icontains=term)
        | Q(locality__icontains=term)
        | Q(description__icontains=term)
        | Q(organisation__name__icontains=term)
    )


def _theme_code(term_id: uuid.UUID) -> str | None:
    """The theme whose term id this is; ids are derived from codes, so compare derived ids."""
    for code in Theme.objects.values_list("code", flat=True):
        if theme_term_id(code) == term_id:
            return code
    return None


def filtered_sites(filters: Filters) -> SiteQuerySet:
    """Published sites matching the database-side filters (everything except proximity)."""
    sites = published_sites()
    if filters.search:
        sites = _search(sites, filters.search)
    if filters.organization_id:
        sites = sites.filter(organisation__uuid=filters.organization_id)
    if filters.postcode:
        sites = sites.filter(postal_code=filters.postcode)
    if filters.taxonomy_term_id:
        code = _theme_code(filters.taxonomy_term_id)
        # A filter on a theme that does not exist matches nothing (HSDS filters never widen).
        sites = sites.helping_with(code) if code else sites.none()
    if filters.proximity:
        near = filters.proximity
        sites = sites.in_box(near.latitude, near.longitude, near.radius_km)
    return sites


# --- proximity -------------------------------------------------------------------------------


# --- services --------------------------------------------------------------------------------


def service_refs(filters: Filters) -> list[ServiceRef]:
    """All matching services in list order: by distance when searching near a point (nearest
    first), otherwise by site name; within a site, in pillar order."""
    rows = filtered_sites(filters).values_list("pk", "latitude", "longitude", *PILLAR_FIELDS)
    near = filters.proximity
    ranked: list[tuple[float, int, ServiceRef]] = []
    for index, (pk, latitude, longitude, *flags) in enumerate(rows):
        distance = 0.0
        if near is not None:
            distance = distance_km(near.latitude, near.longitude, latitude, longitude)
            if distance > near.radius_km:
                continue
        for pillar, offered in zip(PILLARS, flags, strict=True):
            if offered:
                ranked.append((distance, index, ServiceRef(pk, pillar)))
    ranked.sort(key=lambda item: (item[0], item[1]))
    return [ref for _distance, _index, ref in ranked]


def find_service(
    target: uuid.UUID, make_id: Callable[[uuid.UUID, str], uuid.UUID] = service_id
) -> ServiceRef | None:
    """The published service whose derived id (`make_id(site uuid, pillar)`) is `target`.

    Derived ids cannot be reversed, so this derives them for every published site: one light
    query and a few thousand uuid5 computations, a few milliseconds for the whole directory.
    """
    rows = published_sites().values_list("pk", "uuid", *PILLAR_FIELDS)
    for pk, site_uuid, *flags in rows:
        for pillar, offered in zip(PILLARS, flags, strict=True):
            if offered and make_id(site_uuid, pillar) == target:
                return ServiceRef(pk, pillar)
    return None


def find_service_at_location(target: uuid.UUID) -> ServiceRef | None:
    """The published service whose service_at_location id is `target`."""
    return find_service(target, service_at_location_id)


def resolve(refs: Sequence[ServiceRef]) -> list[tuple[Site, str]]:
    """The full sites for these services (one query plus the themes prefetch)."""
    sites = load_sites(sorted({ref.site_pk for ref in refs}))
    # A site unpublished between the two queries simply drops out of the page.
    return [(sites[ref.site_pk], ref.pillar) for ref in refs if ref.site_pk in sites]


# --- organisations and themes ----------------------------------------------------------------


def published_organisations(search: str | None = None) -> QuerySet[Organisation]:
    """Organisations with at least one published site (others may be drafts)."""
    organisations = Organisation.objects.filter(
        pk__in=Site.objects.published().values("organisation_id")
    ).select_related("municipality")
    if search:
        organisations = organisations.filter(name__icontains=search)
    return organisations.order_by("name", "pk")


def organisation_with_sites(organisation_uuid: uuid.UUID) -> tuple[Organisation, list[Site]] | None:
    """An organisation with its published sites, or None when it has none (or does not exist)."""
    sites = with_related(published_sites())
    organisation = (
        published_organisations()
        .filter(uuid=organisation_uuid)
        .prefetch_related(Prefetch("sites", queryset=sites, to_attr="published_sites"))
        .first()
    )
    if organisation is None:
        return None
    return organisation, organisation.published_sites


def themes(search: str | None = None) -> QuerySet[Theme]:
    """All themes (the terms of our taxonomy), in their display order."""
    queryset = Theme.objects.all()
    if search:
        queryset = queryset.filter(
            Q(code__icontains=search)
            | Q(name_nl__icontains=search)
            | Q(name_fr__icontains=search)
            | Q(name_en__icontains=search)
        )
    return queryset.order_by("position", "code")


def theme_by_term_id(term_id: uuid.UUID) -> Theme | None:
    code = _theme_code(term_id)
    return Theme.objects.filter(code=code).first() if code else None
