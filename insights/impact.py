"""The impact estimate of a scope and period: clearly an estimate, every assumption beside it.

1. **Funding spent** in the period: each grant's amount spread evenly over its days and over the
   Digipunten it pays for (its site, or every site of its organisation), summed for the days of
   the period and the scope's sites. Measured from the grants recorded, not estimated.
2. **Cost per contact** = funding spent ÷ contacts in the period (both measured).
3. **Estimated social return** = funding spent × a return per euro invested in digital skills
   (`settings.IMPACT_RETURN_PER_EURO`, by default the UK finding of £9.48 per £1 of Cebr for Good
   Things Foundation, 2022, applied to euros as it is). This is the estimate: a ratio found
   elsewhere, not a result measured here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.utils import formats
from django.utils.translation import gettext as _

from core.db_router import reporting_reads
from funding.models import Grant
from insights.figures import Period, add_months
from insights.scopes import Scope, site_ids
from network.models import Site

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Assumption:
    label: str
    value: str
    source: str = ""
    url: str = ""


@dataclass(frozen=True)
class Impact:
    spent: Decimal
    contacts: int
    ratio: Decimal
    assumptions: tuple[Assumption, ...]

    @property
    def cost_per_contact(self) -> Decimal | None:
        if not self.contacts:
            return None
        return (self.spent / self.contacts).quantize(CENT, ROUND_HALF_UP)

    @property
    def estimated_return(self) -> Decimal:
        return (self.spent * self.ratio).quantize(Decimal(1), ROUND_HALF_UP)


def _overlap_days(first: date, last: date, start: date, end: date) -> int:
    return max(0, (min(last, end) - max(first, start)).days + 1)


@reporting_reads
def funding_spent(scope: Scope, first: date, last: date) -> Decimal:
    """The grants' money spent on the scope's sites from `first` to `last` (days included)."""
    in_scope = site_ids(scope)
    sites_of: dict[int, list[int]] = {}
    for site_id, organisation_id in Site.objects.values_list("id", "organisation_id"):
        sites_of.setdefault(organisation_id, []).append(site_id)
    total = Decimal(0)
    grants = Grant.objects.filter(starts_on__lte=last, ends_on__gte=first)
    for grant in grants.only("amount", "starts_on", "ends_on", "site_id", "organisation_id"):
        days = (grant.ends_on - grant.starts_on).days + 1
        share = Decimal(_overlap_days(first, last, grant.starts_on, grant.ends_on)) / days
        covered = [grant.site_id] if grant.site_id else sites_of.get(grant.organisation_id, [])
        if in_scope is None:
            part = Decimal(1)
        elif not covered:
            # An organisation without sites: its grants count for its organisation only.
            part = Decimal(scope.code == f"organisation:{grant.organisation_id}")
        else:
            part = Decimal(sum(1 for site in covered if site in in_scope)) / len(covered)
        total += grant.amount * share * part
    return total.quantize(CENT, ROUND_HALF_UP)


def impact(scope: Scope, period: Period, contacts: int) -> Impact:
    first = period.first
    last = add_months(period.last, 1) - timedelta(days=1)
    spent = funding_spent(scope, first, last)
    ratio = Decimal(str(settings.IMPACT_RETURN_PER_EURO))
    assumptions = (
        Assumption(
            _("Funding spent"),
            _(
                "Each recorded grant spread evenly over its days and over the Digipunten it pays "
                "for (its site, or every site of its organisation)."
            ),
        ),
        Assumption(
            _("Return per euro invested"),
            _("%(ratio)s euro for each euro") % {"ratio": formats.number_format(ratio, 2)},
            settings.IMPACT_RETURN_SOURCE,
            settings.IMPACT_RETURN_URL,
        ),
        Assumption(
            _("Where the ratio comes from"),
            _(
                "A study of basic digital skills in the United Kingdom, in pounds, applied here "
                "to euros as it is. It is not measured in this network."
            ),
        ),
    )
    return Impact(spent=spent, contacts=contacts, ratio=ratio, assumptions=assumptions)
