"""The public network report: the network's figures of the last twelve whole months beside the
twelve before, coverage per region and the impact estimate; aggregated only, no personal data,
every count under 5 hidden. `report/figures.csv` is the same figures as open data.

Public pages write nothing and set no cookies: the page is kept in the public page cache for an
hour (`core.public_cache`), so a busy day's visitors cost one computation an hour.
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.charts import chart_for
from core.public_cache import end_of_day, public_page
from insights.report import network_report

FRESH = timedelta(hours=1)


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
