"""The public network report: the network's figures of the last twelve whole months beside the
twelve before, coverage per region and the impact estimate; aggregated only, no personal data,
every count under 5 hidden. `report/figures.csv` is the same figures as open data.

Public pages write nothing and set no cookies: the page is kept in the public page cache for an
hour (`core.public_cache`), so a busy day's visitors cost one computation an hour.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.charts import chart_for
from core.public_cache import end_of_day, public_page
from core.tables import Column, Table
from insights.coverage import coverage
from insights.figures import Figures, Period, figures, hide_small
from insights.impact import Impact, impact
from insights.scopes import Scope
from territory.models import Region

FRESH = timedelta(hours=1)


@dataclass(frozen=True)
class Report:
    figures: Figures
    headlines: Table
    regions: Table
    impact: Impact


def _regions(period: Period) -> Table:
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
        regions=_regions(period),
        impact=impact(scope, period, result.headline("contacts").current),
    )


def _fresh(response: HttpResponse) -> HttpResponse:
    now = timezone.now()
    response.fresh_until = min(now + FRESH, end_of_day(now))  # type: ignore[attr-defined]
    return response


@public_page()
@require_GET
def report(request: HttpRequest) -> HttpResponse:
    data = network_report()
    current, previous = _("Last 12 months"), _("12 months before")
    charts: list[dict[str, Any]] = []
    for table in data.figures.tables:
        charts.append(
            {
                "table": table,
                "svg": chart_for(table, current_label=current, previous_label=previous),
            }
        )
    context = {"report": data, "charts": charts, "period": data.figures.period}
    return _fresh(render(request, "insights/public/report.html", context))


@public_page()
@require_GET
def report_csv(request: HttpRequest) -> HttpResponse:
    """Every table of the report in one CSV: table, row, column, value (hidden cells empty)."""
    data = network_report()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["table", "title", "row", "column", "value"])
    for table in (data.headlines, *data.figures.tables, data.regions):
        for row in table.rows:
            for column, value in zip(table.columns[1:], row[1:], strict=True):
                writer.writerow(
                    [table.key, table.title, row[0], column.label, "" if value is None else value]
                )
    response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    period = data.figures.period
    response["Content-Disposition"] = (
        f'attachment; filename="digipunt-report-{period.first:%Y-%m}-{period.last:%Y-%m}.csv"'
    )
    return _fresh(response)
