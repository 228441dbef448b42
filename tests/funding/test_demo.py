"""The demo funding: deterministic, Digibank grants until 31 July 2026, some sites unfunded."""

from __future__ import annotations

from datetime import date

import pytest

from funding.demo import load_demo_funding
from funding.models import Funder, Grant, PolicyDomain
from network.demo import demo_network_load
from network.models import Site

pytestmark = pytest.mark.django_db


def test_the_demo_funding_is_deterministic_and_shaped_like_the_network(territory):
    demo_network_load(sites=60, seed=7, today=date(2026, 3, 2), log=lambda _line: None)

    first = load_demo_funding(seed=7)
    grants = list(Grant.objects.order_by("pk").values_list("organisation_id", "site_id", "amount"))
    again = load_demo_funding(seed=7)

    assert first == again > 0
    assert grants == list(
        Grant.objects.order_by("pk").values_list("organisation_id", "site_id", "amount")
    )
    assert set(Funder.objects.values_list("policy_domain", flat=True)) >= {
        PolicyDomain.WORK_SOCIAL_ECONOMY,
        PolicyDomain.LOCAL_BUDGET,
        PolicyDomain.PRIVATE,
        PolicyDomain.EU,
    }
    wse = PolicyDomain.WORK_SOCIAL_ECONOMY
    digibank = Grant.objects.filter(programme__funder__policy_domain=wse)
    assert digibank.exists()
    assert set(digibank.values_list("ends_on", flat=True)) == {date(2026, 7, 31)}
    local = Grant.objects.filter(programme__policy_domain=PolicyDomain.LOCAL_BUDGET)
    assert set(local.values_list("ends_on", flat=True)) <= {date(2027, 12, 31)}
    for_all_sites = Grant.objects.filter(site__isnull=True)
    funded_orgs = set(for_all_sites.values_list("organisation_id", flat=True))
    funded_sites = set(Grant.objects.values_list("site_id", flat=True))
    unfunded = Site.objects.exclude(organisation_id__in=funded_orgs).exclude(pk__in=funded_sites)
    assert unfunded.exists()
