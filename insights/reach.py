"""Users reached per partnership, counted as the Digibank funding tiers count them.

A programme with tiers (`funding.Programme.tiers`, such as the Digibank programme of Werk en
Sociale Economie) pays a partnership more as it reaches more users. We count a user once, when the
partnership first reached them during the programme:

- a visitor card seen for the first time in the network at one of the partnership's Digipunten
  (`new_visitors`);
- a first visit of someone without a visitor card, as the helper recorded it (`new_uncoded`);
- a borrower's first loan (`new_borrowers`).

People who come back are not counted again; people without a card whom the helper did not mark as
a first visit are not counted at all, so the figure errs low rather than high. "First" is the
network's first: a person first reached elsewhere in the network does not count again here. The
count is summed from the partnership's monthly tallies over the programme's whole months up to
today's month (a programme starting on the 15th counts its first month in full), with the
partnership's members of today: the page says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Sum

from core.db_router import reporting_reads
from funding.models import Programme
from insights.models import Tally
from network.models import Partnership

COUNTED = ("new_visitors", "new_uncoded", "new_borrowers")


@dataclass(frozen=True)
class Tier:
    users: int
    amount: Decimal


@dataclass(frozen=True)
class PartnershipReach:
    partnership: Partnership
    programme: Programme
    counted_until: date
    visitors: int
    uncoded: int
    borrowers: int
    tiers: tuple[Tier, ...]

    @property
    def users(self) -> int:
        return self.visitors + self.uncoded + self.borrowers

    @property
    def tier_reached(self) -> Tier | None:
        reached = [tier for tier in self.tiers if self.users >= tier.users]
        return reached[-1] if reached else None

    @property
    def tier_number(self) -> int:
        return sum(1 for tier in self.tiers if self.users >= tier.users)

    @property
    def next_tier(self) -> Tier | None:
        return next((tier for tier in self.tiers if self.users < tier.users), None)

    @property
    def to_next(self) -> int | None:
        following = self.next_tier
        return following.users - self.users if following else None

    @property
    def share_of_next(self) -> int:
        """How far along the way to the next tier, in percent (100 when every tier is reached)."""
        following = self.next_tier
        if following is None:
            return 100
        start = self.tier_reached.users if self.tier_reached else 0
        return int((self.users - start) * 100 / (following.users - start))


def _tiers(programme: Programme) -> tuple[Tier, ...]:
    return tuple(Tier(int(t["users"]), Decimal(str(t["amount"]))) for t in programme.tiers)


@reporting_reads
def partnership_reach(partnership: Partnership, today: date) -> list[PartnershipReach]:
    """The users `partnership` reached in each tiered programme that funds its organisations."""
    programmes = (
        Programme.objects.filter(grants__organisation__partnerships=partnership)
        .exclude(tiers=[])
        .distinct()
        .order_by("starts_on", "pk")
    )
    found = []
    for programme in programmes:
        until = min(programme.ends_on, today)
        counts = dict(
            Tally.objects.filter(
                scope=f"partnership:{partnership.pk}",
                month__range=(programme.starts_on.replace(day=1), until.replace(day=1)),
                measure__in=COUNTED,
                dimension="",
            )
            .values_list("measure")
            .annotate(total=Sum("count"))
            .values_list("measure", "total")
        )
        found.append(
            PartnershipReach(
                partnership=partnership,
                programme=programme,
                counted_until=until,
                visitors=counts.get("new_visitors", 0),
                uncoded=counts.get("new_uncoded", 0),
                borrowers=counts.get("new_borrowers", 0),
                tiers=_tiers(programme),
            )
        )
    return found
