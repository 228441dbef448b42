"""The funding cliff: what loses its funding on a chosen date, and who is then left far from help.

`funding_cliff(on, distance_km=..., today=...)` compares the grants (`funding.Grant`) that pay for
each published Digipunt `today` with those that still pay for it `on` the chosen date. A grant
pays for a site when it names the site, or names the site's organisation without a site.

- A site **closes** (`FundingCliff.closing`) when some grant pays for it today and none does on
  the date: it loses the services its grants paid for (a grant without services pays for every
  service the site offers) and all its weekly opening hours.
- A site is **reduced** (`FundingCliff.reduced`) when a grant still pays for it on the date but
  some services paid for today are no longer paid for; its hours are assumed to stay.
- A site without any grant recorded, ever, is listed apart (`FundingCliff.no_funding_recorded`)
  and **assumed to stay open**: we do not know who pays for it, so we do not predict it closes.
  A site whose grants all lie in the past or the future is not funded today and stays open too.

Then, with the closing sites taken away, the distance from each locality to the nearest open
Digipunt is measured again (`insights.coverage`): the residents of localities farther than
`distance_km` before and after, and the localities that cross the line. Residents per locality are
the municipality's population split evenly over its localities (see `insights.coverage`).

Everything is returned as plain dataclasses, ready for a page, a CSV export or a test.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import Q

from funding.models import Grant
from insights.coverage import (
    Locality,
    SitePoint,
    localities,
    locality_distances,
    network_municipalities,
    published_sites,
)
from network.models import Service
from territory.models import Municipality, Region


@dataclass(frozen=True)
class SiteLoss:
    """A site that loses some or all of its funding on the date."""

    site_id: int
    name: str
    organisation_id: int
    municipality_refnis: str
    municipality_name: str
    province_refnis: str | None
    region_refnis: str
    closes: bool  # no grant pays for it on the date
    services_lost: tuple[str, ...]  # `network.models.Service` codes, in the order of Service
    weekly_hours_lost: float  # its weekly hours when it closes, else 0
    funded_until: date  # the last day a grant paying for it today runs
    programmes: tuple[str, ...]  # the programmes paying for it today that end before the date
    latitude: float = 0.0
    longitude: float = 0.0

    @property
    def service_names(self) -> list[str]:
        return [str(Service(code).label) for code in self.services_lost]


@dataclass(frozen=True)
class UnfundedSite:
    """A published site without any grant recorded: assumed to stay open."""

    site_id: int
    name: str
    organisation_id: int
    municipality_refnis: str
    municipality_name: str
    weekly_hours: float


@dataclass(frozen=True)
class AreaLoss:
    """The losses of one region or municipality."""

    refnis: str
    name: str
    sites_closing: int
    sites_reduced: int
    weekly_hours_lost: float
    residents_newly_beyond: int  # residents left farther than the distance from a Digipunt


@dataclass(frozen=True)
class LocalityChange:
    """A locality that is farther than the distance from an open Digipunt after the closures,
    and was not before."""

    municipality_refnis: str
    municipality_name: str
    postal_code: str
    name: str
    latitude: float
    longitude: float
    residents: float
    distance_before_km: float | None
    distance_after_km: float | None  # None: no Digipunt open anywhere any more


@dataclass(frozen=True)
class FundingCliff:
    on: date
    today: date
    distance_km: float
    closing: list[SiteLoss]
    reduced: list[SiteLoss]
    no_funding_recorded: list[UnfundedSite]
    by_region: list[AreaLoss]
    by_municipality: list[AreaLoss]
    residents_beyond_before: int
    residents_beyond_after: int
    localities_newly_beyond: list[LocalityChange]

    @property
    def residents_newly_beyond(self) -> int:
        return self.residents_beyond_after - self.residents_beyond_before

    @property
    def weekly_hours_lost(self) -> float:
        return sum(loss.weekly_hours_lost for loss in self.closing)


def _paid_services(grant: Grant, site: SitePoint) -> set[str]:
    codes = grant.service_codes
    return set(codes) if codes else set(site.services)


def _in_service_order(codes: set[str]) -> tuple[str, ...]:
    return tuple(code for code in Service.values if code in codes)


def funding_cliff(
    on: date,
    *,
    distance_km: float,
    today: date,
    refnis: Iterable[str] | None = None,
) -> FundingCliff:
    """What loses its funding `on` a date compared with `today` (see the module's docstring).

    `refnis` limits the sites and residents counted to some municipalities (distances still count
    every Digipunt, also across the border). Weekly hours are those of the week from `today`.
    """
    municipalities = network_municipalities(refnis)
    by_refnis = {m.refnis: m for m in municipalities}
    all_sites = published_sites(today)
    sites = [site for site in all_sites if site.municipality_refnis in by_refnis]

    # The grants that matter: those active today or on the date, and which sites have any grant.
    grants = list(
        Grant.objects.filter(
            Q(starts_on__lte=today, ends_on__gte=today) | Q(starts_on__lte=on, ends_on__gte=on)
        ).select_related("programme")
    )
    by_site: dict[int, list[Grant]] = defaultdict(list)
    by_organisation: dict[int, list[Grant]] = defaultdict(list)
    for grant in grants:
        if grant.site_id is not None:
            by_site[grant.site_id].append(grant)
        else:
            by_organisation[grant.organisation_id].append(grant)
    ever_site = set(Grant.objects.filter(site__isnull=False).values_list("site_id", flat=True))
    ever_organisation = set(
        Grant.objects.filter(site__isnull=True).values_list("organisation_id", flat=True)
    )

    closing: list[SiteLoss] = []
    reduced: list[SiteLoss] = []
    unfunded: list[UnfundedSite] = []
    for site in sites:
        municipality = by_refnis[site.municipality_refnis]
        paying = by_site.get(site.id, []) + by_organisation.get(site.organisation_id, [])
        now = [g for g in paying if g.is_active_on(today)]
        then = [g for g in paying if g.is_active_on(on)]
        if not now:
            if site.id not in ever_site and site.organisation_id not in ever_organisation:
                unfunded.append(
                    UnfundedSite(
                        site_id=site.id,
                        name=site.name,
                        organisation_id=site.organisation_id,
                        municipality_refnis=municipality.refnis,
                        municipality_name=municipality.name,
                        weekly_hours=site.weekly_hours,
                    )
                )
            continue
        paid_now = set().union(*(_paid_services(g, site) for g in now))
        paid_then = set().union(*(_paid_services(g, site) for g in then))
        lost = paid_now - paid_then
        if then and not lost:
            continue
        ending = [g for g in now if not g.is_active_on(on)]
        loss = SiteLoss(
            site_id=site.id,
            name=site.name,
            organisation_id=site.organisation_id,
            municipality_refnis=municipality.refnis,
            municipality_name=municipality.name,
            province_refnis=municipality.province_id,
            region_refnis=municipality.region_id,
            closes=not then,
            services_lost=_in_service_order(lost),
            weekly_hours_lost=0.0 if then else site.weekly_hours,
            funded_until=max(g.ends_on for g in now),
            programmes=tuple(sorted({g.programme.name for g in ending})),
            latitude=site.latitude,
            longitude=site.longitude,
        )
        (reduced if then else closing).append(loss)

    # Residents far from help, before and after the closing sites close.
    places = localities(municipalities)
    closing_ids = {loss.site_id for loss in closing}
    before = locality_distances(places, all_sites)
    after = locality_distances(places, [s for s in all_sites if s.id not in closing_ids])

    def beyond(found: tuple[int, float] | None) -> bool:
        return found is None or found[1] > distance_km

    changes = [
        _change(place, by_refnis[place.municipality_refnis], was, now_)
        for place, was, now_ in zip(places, before, after, strict=True)
        if beyond(now_) and not beyond(was)
    ]

    def residents_beyond(distances: list[tuple[int, float] | None]) -> int:
        pairs = zip(places, distances, strict=True)
        return round(sum(place.residents for place, found in pairs if beyond(found)))

    closing.sort(key=_site_order)
    reduced.sort(key=_site_order)
    unfunded.sort(key=lambda s: (s.municipality_name, s.name))
    return FundingCliff(
        on=on,
        today=today,
        distance_km=distance_km,
        closing=closing,
        reduced=reduced,
        no_funding_recorded=unfunded,
        by_region=_by_area(closing, reduced, changes, municipalities, region=True),
        by_municipality=_by_area(closing, reduced, changes, municipalities, region=False),
        residents_beyond_before=residents_beyond(before),
        residents_beyond_after=residents_beyond(after),
        localities_newly_beyond=changes,
    )


def _site_order(loss: SiteLoss) -> tuple[str, str, str]:
    return loss.region_refnis, loss.municipality_name, loss.name


def _change(
    place: Locality,
    municipality: Municipality,
    before: tuple[int, float] | None,
    after: tuple[int, float] | None,
) -> LocalityChange:
    return LocalityChange(
        municipality_refnis=place.municipality_refnis,
        municipality_name=municipality.name,
        postal_code=place.postal_code,
        name=place.name,
        latitude=place.latitude,
        longitude=place.longitude,
        residents=place.residents,
        distance_before_km=before[1] if before else None,
        distance_after_km=after[1] if after else None,
    )


def _by_area(
    closing: list[SiteLoss],
    reduced: list[SiteLoss],
    changes: list[LocalityChange],
    municipalities: list[Municipality],
    *,
    region: bool,
) -> list[AreaLoss]:
    """Totals per region (or municipality), only for the areas that lose something."""
    area_of = {m.refnis: (m.region_id if region else m.refnis) for m in municipalities}
    if region:
        names = {r.refnis: r.name for r in Region.objects.filter(refnis__in=set(area_of.values()))}
    else:
        names = {m.refnis: m.name for m in municipalities}
    totals: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for loss in closing:
        area = totals[area_of[loss.municipality_refnis]]
        area["closing"] += 1
        area["hours"] += loss.weekly_hours_lost
    for loss in reduced:
        totals[area_of[loss.municipality_refnis]]["reduced"] += 1
    for change in changes:
        totals[area_of[change.municipality_refnis]]["residents"] += change.residents
    rows = [
        AreaLoss(
            refnis=refnis,
            name=names.get(refnis, refnis),
            sites_closing=int(values["closing"]),
            sites_reduced=int(values["reduced"]),
            weekly_hours_lost=values["hours"],
            residents_newly_beyond=round(values["residents"]),
        )
        for refnis, values in totals.items()
    ]
    rows.sort(key=lambda row: (-row.weekly_hours_lost, -row.residents_newly_beyond, row.name))
    return rows
