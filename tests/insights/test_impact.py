"""The impact estimate, checked by hand: the funding spent in a period and on a scope's sites,
the cost per contact and the estimated return with its ratio."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from insights.figures import Period
from insights.impact import funding_spent, impact
from insights.scopes import Scope
from tests.funding.helpers import grant

pytestmark = pytest.mark.django_db

JANUARY = Period(date(2026, 1, 1), date(2026, 1, 1))


def _scope(kind: str, key: object = "") -> Scope:
    return Scope(kind, str(key), kind)


def test_a_grant_is_spread_over_its_days_and_its_sites(cast):
    # €3,650 over the 365 days of 2026 is €10 a day; January has 31 days: €310 for the
    # organisation, spread over its two sites (Gent A and Gent B): €155 each.
    grant(cast.gent, starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31), amount="3650.00")
    # A grant for one site only counts there: €730 over 2026 is €2 a day, €62 in January.
    grant(
        cast.aalst_org,
        site=cast.aalst,
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31),
        amount="730.00",
    )
    # A grant that ended before the period counts for nothing.
    grant(cast.gent, starts_on=date(2025, 1, 1), ends_on=date(2025, 12, 31), amount="9999.00")
    first, last = date(2026, 1, 1), date(2026, 1, 31)

    assert funding_spent(_scope("organisation", cast.gent.pk), first, last) == Decimal("310.00")
    assert funding_spent(_scope("site", cast.gent_a.pk), first, last) == Decimal("155.00")
    assert funding_spent(_scope("site", cast.aalst.pk), first, last) == Decimal("62.00")
    assert funding_spent(_scope("network"), first, last) == Decimal("372.00")


def test_the_estimate_is_the_spending_times_the_sourced_ratio(cast, settings):
    settings.IMPACT_RETURN_PER_EURO = 9.48
    grant(cast.gent, starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31), amount="3650.00")

    estimate = impact(_scope("organisation", cast.gent.pk), JANUARY, contacts=4)

    assert estimate.spent == Decimal("310.00")
    assert estimate.cost_per_contact == Decimal("77.50")  # 310 / 4
    assert estimate.estimated_return == Decimal("2939")  # 310 × 9.48 = 2,938.80
    sources = " ".join(a.source for a in estimate.assumptions)
    assert "Good Things Foundation" in sources


def test_no_contacts_gives_no_cost_per_contact(cast):
    estimate = impact(_scope("network"), JANUARY, contacts=0)

    assert estimate.spent == Decimal("0.00")
    assert estimate.cost_per_contact is None
