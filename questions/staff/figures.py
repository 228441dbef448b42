"""Staff pages of a site's figures: tables for a chosen period, and the same figures as CSV.

Coordinators and organisation admins see the figures of their sites, the network analyst those
of every site (`Can.VIEW_FIGURES`); a volunteer gets a 403, a site outside one's scope a 404.
The period comes from a GET form, so a page of figures is a link that can be shared or
bookmarked. Figures are counts only: contacts hold no personal data.
"""

from __future__ import annotations

import csv
from datetime import date, timedelta
from io import StringIO
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET

from accounts.decorators import staff_view
from accounts.permissions import Can, site_for, sites_for
from network.models import Site
from questions import figures as selectors
from questions.figures import Breakdown, Figures


class DateInput(forms.DateInput):
    input_type = "date"

    def format_value(self, value: Any) -> str | None:
        # A date input wants ISO dates; a typed value that did not parse is shown as typed.
        if isinstance(value, date):
            return value.isoformat()
        return value


class PeriodForm(forms.Form):
    """The period of the figures, as `?from=YYYY-MM-DD&to=YYYY-MM-DD`.

    `from` is a Python keyword, so the fields are added in __init__ rather than declared.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["from"] = forms.DateField(label=gettext_lazy("From"), widget=DateInput())
        self.fields["to"] = forms.DateField(
            label=gettext_lazy("To"),
            widget=DateInput(),
            help_text=gettext_lazy("Both days are included."),
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end = cleaned.get("from"), cleaned.get("to")
        if start and end:
            problem = selectors.check_period(start, end)
            if problem:
                self.add_error("to", problem)
        return cleaned


def _period(request: HttpRequest) -> tuple[PeriodForm, tuple[date, date] | None]:
    """The form and the period it gives, or None when what was typed is not a period."""
    if "from" not in request.GET and "to" not in request.GET:
        start, end = selectors.default_period()
        return PeriodForm(initial={"from": start, "to": end}), (start, end)
    form = PeriodForm(request.GET)
    if form.is_valid():
        return form, (form.cleaned_data["from"], form.cleaned_data["to"])
    return form, None


def _quick_links(today: date) -> list[tuple[str, str]]:
    first = today.replace(day=1)
    last_month_end = first - timedelta(days=1)
    periods = [
        (_("This month"), first, today),
        (_("Last month"), last_month_end.replace(day=1), last_month_end),
        (_("This year"), today.replace(month=1, day=1), today),
    ]
    return [
        (label, "?" + urlencode({"from": start.isoformat(), "to": end.isoformat()}))
        for label, start, end in periods
    ]


def headline(figures: Figures) -> str:
    """The totals in plain words: "312 people helped with 401 questions"."""
    if not figures.contacts:
        return _("No one was registered as helped in this period.")
    questions = ngettext("%(count)s question", "%(count)s questions", figures.questions) % {
        "count": number_format(figures.questions, force_grouping=True)
    }
    return ngettext(
        "%(count)s person helped with %(questions)s.",
        "%(count)s people helped with %(questions)s.",
        figures.contacts,
    ) % {
        "count": number_format(figures.contacts, force_grouping=True),
        "questions": questions,
    }


def _tables(figures: Figures) -> list[dict[str, Any]]:
    """Each breakdown with every row's share of its total (whole percent)."""

    def table(breakdown: Breakdown) -> dict[str, Any]:
        total = breakdown.total
        return {
            "breakdown": breakdown,
            "total": total,
            # A share of the whole says something for a theme, not for a week.
            "shares": "_per_" not in breakdown.dimension,
            "rows": [
                (row, round(100 * row.count / total) if total else 0) for row in breakdown.rows
            ],
        }

    return [table(breakdown) for breakdown in figures.breakdowns]


@staff_view
@require_GET
def site_figures(request: HttpRequest, site_id: int) -> HttpResponse:
    """A site's figures for a period (the current month so far by default)."""
    site = site_for(request.user, site_id, Can.VIEW_FIGURES)
    form, period = _period(request)
    figures = None
    if period is not None:
        figures = selectors.site_figures(site_ids=[site.pk], date_from=period[0], date_to=period[1])
    # The analyst sees figures of every site but not its staff page: no menu link there.
    works_here = sites_for(request.user, Can.VIEW_SITE).filter(pk=site.pk).exists()
    context = {
        "current_site": site if works_here else None,
        "site": site,
        "form": form,
        "figures": figures,
        "headline": headline(figures) if figures else "",
        "tables": _tables(figures) if figures else [],
        "quick_links": _quick_links(timezone.localdate()),
        "csv_query": urlencode({"from": period[0].isoformat(), "to": period[1].isoformat()})
        if period
        else "",
    }
    return render(request, "questions/staff/figures.html", context)


def _safe_cell(text: str) -> str:
    # A spreadsheet runs a cell that starts like a formula; names are editable, so neutralise.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def figures_csv(figures: Figures) -> str:
    """The figures in tidy long format: one row per count, `dimension,code,label,count`."""
    out = StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["dimension", "code", "label", "count"])
    for row in figures.totals():
        writer.writerow(["total", row.code, _safe_cell(row.label), row.count])
    for breakdown in figures.breakdowns:
        for row in breakdown.rows:
            writer.writerow([breakdown.dimension, row.code, _safe_cell(row.label), row.count])
    return out.getvalue()


def _csv_name(site: Site, start: date, end: date) -> str:
    return f"figures-{site.slug}-{start.isoformat()}-{end.isoformat()}.csv"


@staff_view
@require_GET
def site_figures_csv(request: HttpRequest, site_id: int) -> HttpResponse:
    """The same figures as a CSV file (UTF-8 with a byte order mark, so Excel reads accents)."""
    site = site_for(request.user, site_id, Can.VIEW_FIGURES)
    form, period = _period(request)
    if period is None:
        problems = " ".join(str(e) for errors in form.errors.values() for e in errors)
        return HttpResponse(problems, status=400, content_type="text/plain; charset=utf-8")
    figures = selectors.site_figures(site_ids=[site.pk], date_from=period[0], date_to=period[1])
    response = HttpResponse("\ufeff" + figures_csv(figures), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_csv_name(site, *period)}"'
    return response
