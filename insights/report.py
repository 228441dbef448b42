"""The public network report's figures: the network's last twelve whole months beside the twelve
before (counts under 5 hidden), coverage summed per region and the impact estimate. Aggregated
only, no personal data; the public page and its CSV (`insights.public.views`) show the same."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from core.tables import Column, Table
from insights.coverage import coverage
from insights.figures import Figures, Period, figures, hide_small
from insights.impact import Impact, impact
from insights.scopes import Scope
from territory.models import Region


@dataclass(frozen=True)
class Report:
    figures: Figures
    headlines: Table
    regions: Table
    impact: Impact


def _regions() -> Table:
    result = coverage(week_from=timezone.localdate())
    sums: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for m in result.municipalities:
        row = sums[m.region_refnis]
        row["population"] += m.population
        row["sites"] += m.sites
        row["hours"] += m.weekly_hours
        row["vulnerable"] += m.vulnerable_residents
        row["gaps"] += m.is_gap
        row["beyond"] += m.residents_beyond
    names = {r.refnis: r.name for r in Region.objects.filter(refnis__in=list(sums))}
    rows = []
    for refnis in sorted(sums, key=lambda r: names.get(r, r)):
        row = sums[refnis]
        per_10000 = row["hours"] * 10000 / row["population"] if row["population"] else None
        rows.append(
            (
                names.get(refnis, refnis),
                int(row["population"]),
                int(row["sites"]),
                round(row["hours"], 1),
                None if per_10000 is None else round(per_10000, 1),
                int(row["vulnerable"]),
                int(row["beyond"]),
            )
        )
    return Table(
        key="coverage",
        title=_("Coverage per region"),
        columns=(
            Column(_("Region"), numeric=False),
            Column(_("Residents")),
            Column(_("Digipunten")),
            Column(_("Opening hours a week"), decimals=1),
            Column(_("Hours per 10,000 residents"), decimals=1),
            Column(_("Estimated digitally vulnerable residents")),
            Column(_("Residents far from an open Digipunt")),
        ),
        rows=tuple(rows),
        note=_(
            "Digitally vulnerable: %(rate)s of residents (%(source)s). Far: more than %(km)s km "
            "in a straight line."
        )
        % {
            "rate": f"{result.vulnerable_rate:.0%}",
            "source": result.vulnerable_rate_source,
            "km": f"{result.max_distance_km:g}",
        },
        chart="",
    )


def network_report() -> Report:
    scope = Scope("network", "", _("Digipunt network"))
    period = Period.last_months(timezone.localdate())
    result = figures(scope, period, hide_small_cells=True)
    headlines = Table(
        key="reach",
        title=_("Reach"),
        columns=(
            Column(_("Figure"), numeric=False),
            Column(_("Last 12 months")),
            Column(_("12 months before")),
        ),
        rows=tuple(
            (h.label, hide_small(h.current), hide_small(h.previous)) for h in result.headlines
        ),
        note=_("Counts under 5 are hidden."),
        chart="",
    )
    return Report(
        figures=result,
        headlines=headlines,
        regions=_regions(),
        impact=impact(scope, period, result.headline("contacts").current),
    )
