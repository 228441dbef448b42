"""Funders, programmes and grants for the demo network, so that the funding pages and the
funding cliff have something true-to-life to show.

The shape follows the real network: the Digibank partnerships were paid by Werk en Sociale
Economie until 31 July 2026, in tiers on the users reached; some municipalities pay from their own
budget (here until the end of 2027); equal opportunities, the federal economy department, a
foundation and the EU's ESF+ pay for some sites; and some sites have no grant recorded at all.
Deterministic: the same seed gives the same grants. Real data is never touched.
"""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction

from funding.models import Funder, Grant, PolicyDomain, Programme
from network.models import Organisation, Partnership, Service, Site

DIGIBANK_TIERS = [
    {"users": 250, "amount": "15000.00"},
    {"users": 500, "amount": "30000.00"},
    {"users": 1000, "amount": "50000.00"},
    {"users": 2000, "amount": "80000.00"},
]
DIGIBANK_END = date(2026, 7, 31)
LOCAL_BUDGET_END = date(2027, 12, 31)

# (funder, policy domain, website, [(programme, starts, ends, tiers)])
FUNDERS = (
    (
        "Vlaanderen – Werk en Sociale Economie",
        PolicyDomain.WORK_SOCIAL_ECONOMY,
        "https://www.vlaanderen.be/werk",
        [("Digibanken", date(2023, 9, 1), DIGIBANK_END, DIGIBANK_TIERS)],
    ),
    (
        "Vlaanderen – Gelijke Kansen",
        PolicyDomain.EQUAL_OPPORTUNITIES,
        "https://www.vlaanderen.be/gelijke-kansen",
        [("Digitale inclusie in de buurt", date(2024, 1, 1), date(2026, 12, 31), [])],
    ),
    (
        "FOD Economie",
        PolicyDomain.FEDERAL_ECONOMY,
        "https://economie.fgov.be",
        [("Digitale inclusie federaal", date(2025, 1, 1), date(2026, 12, 31), [])],
    ),
    (
        "Lokaal bestuur (eigen middelen)",
        PolicyDomain.LOCAL_BUDGET,
        "",
        [("Gemeentelijk budget digitale inclusie", date(2024, 1, 1), LOCAL_BUDGET_END, [])],
    ),
    (
        "Koning Boudewijnstichting",
        PolicyDomain.PRIVATE,
        "https://kbs-frb.be",
        [("Fonds digitale inclusie", date(2025, 3, 1), date(2026, 9, 30), [])],
    ),
    (
        "Europese Unie – ESF+",
        PolicyDomain.EU,
        "https://www.esf.be",
        [("ESF+ Digitale vaardigheden", date(2022, 1, 1), date(2027, 6, 30), [])],
    ),
)


@transaction.atomic
def load_demo_funding(*, seed: int = 2026) -> int:
    """Replace the demo funders, programmes and grants with fresh deterministic ones; returns
    how many grants. Needs the demo network (`network.demo.demo_network_load`)."""
    rng = random.Random(seed)
    Grant.objects.filter(is_demo=True).delete()
    Programme.objects.filter(is_demo=True).delete()
    Funder.objects.filter(is_demo=True).delete()

    programmes: dict[str, Programme] = {}
    for funder_name, domain, website, funder_programmes in FUNDERS:
        funder = Funder.objects.create(
            name=funder_name, policy_domain=domain, website=website, is_demo=True
        )
        for name, starts_on, ends_on, tiers in funder_programmes:
            programmes[domain] = Programme.objects.create(
                funder=funder,
                name=name,
                starts_on=starts_on,
                ends_on=ends_on,
                tiers=tiers,
                is_demo=True,
            )

    in_partnership = set(
        Partnership.objects.filter(is_demo=True, kind=Partnership.Kind.DIGIBANK).values_list(
            "organisations", flat=True
        )
    )
    sites_by_org: dict[int, list[Site]] = {}
    for site in Site.objects.filter(is_demo=True).order_by("pk"):
        sites_by_org.setdefault(site.organisation_id, []).append(site)

    grants: list[Grant] = []

    def grant(domain: str, org: Organisation, site: Site | None, amount: int, **extra: Any) -> None:
        programme = programmes[domain]
        extra.setdefault("starts_on", programme.starts_on)
        extra.setdefault("ends_on", programme.ends_on)
        grants.append(
            Grant(
                programme=programme,
                organisation=org,
                site=site,
                amount=Decimal(amount),
                is_demo=True,
                **extra,
            )
        )

    for org in Organisation.objects.filter(is_demo=True).order_by("pk"):
        sites = sites_by_org.get(org.pk, [])
        if not sites:
            continue
        roll = rng.random()
        if org.pk in in_partnership and roll < 0.75:
            # The Digibank pays for the organisation's Digipunten until 31 July 2026.
            grant(PolicyDomain.WORK_SOCIAL_ECONOMY, org, None, rng.choice([15, 30, 50]) * 1000)
        if rng.random() < 0.3:
            # The municipality pays from its own budget, for all its sites or for one.
            site = rng.choice(sites) if len(sites) > 1 and rng.random() < 0.5 else None
            grant(
                PolicyDomain.LOCAL_BUDGET,
                org,
                site,
                rng.choice([5, 10, 20]) * 1000,
                starts_on=date(2025, 1, 1),
                weekly_hours=rng.choice([8, 12, 16]),
            )
        if rng.random() < 0.1:
            site = rng.choice(sites)
            grant(
                PolicyDomain.EU,
                org,
                site,
                rng.choice([20, 40]) * 1000,
                services=Service.LEARNING.value,
            )
        if rng.random() < 0.08:
            grant(PolicyDomain.EQUAL_OPPORTUNITIES, org, rng.choice(sites), 12000)
        if rng.random() < 0.05:
            grant(
                PolicyDomain.FEDERAL_ECONOMY,
                org,
                rng.choice(sites),
                8000,
                services=Service.ACCESS.value,
            )
        if rng.random() < 0.05:
            grant(
                PolicyDomain.PRIVATE,
                org,
                rng.choice(sites),
                5000,
                services=Service.LENDING.value,
            )
    Grant.objects.bulk_create(grants, batch_size=500)
    return len(grants)
