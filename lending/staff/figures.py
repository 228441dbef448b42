"""The lending figures of a site: its devices now, the loans month by month over a period, the
length of the loans, overdue devices and the waiting list.

Anyone who works at the site sees them (`Can.LEND_DEVICES`); another organisation's site is a 404
(`site_for`). The period is a number of full months before the current one, from a GET form
(`?months=3|6|12|24`), so a page of figures is a link that can be shared; anything else gives
the default, never an error. Figures are counts only: no borrower is named.
"""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET

from accounts.decorators import staff_view
from accounts.permissions import Can, site_for
from lending.figures import (
    DEFAULT_MONTHS,
    MONTH_CHOICES,
    LendingFigures,
    lending_figures,
    months_or_default,
)
from lending.models import Device


def _months_label(months: int) -> str:
    return ngettext(
        "The last %(count)d month and this month",
        "The last %(count)d months and this month",
        months,
    ) % {"count": months}


def _month_choices() -> list[tuple[int, str]]:
    # A callable: read on every render, so the labels are in the page's language.
    return [(months, _months_label(months)) for months in MONTH_CHOICES]


class PeriodForm(forms.Form):
    months = forms.TypedChoiceField(
        label=gettext_lazy("Period"), coerce=int, choices=_month_choices
    )


def _device_rows(figures: LendingFigures) -> list[tuple[str, int]]:
    """The devices in lending by status, the statuses' own words (on loan first)."""
    status = Device.Status
    return [
        (str(status.ON_LOAN.label), figures.on_loan),
        (str(status.RESERVED.label), figures.reserved),
        (str(status.AVAILABLE.label), figures.available),
        (str(status.TO_WIPE.label), figures.to_wipe),
        (str(status.IN_REPAIR.label), figures.in_repair),
    ]


@staff_view
@require_GET
def figures(request: HttpRequest, site_id: int) -> HttpResponse:
    """The site's lending figures over the last `?months=` full months and this month (the
    last 12 by default)."""
    site = site_for(request.user, site_id, Can.LEND_DEVICES)
    months = months_or_default(request.GET.get("months", DEFAULT_MONTHS))
    result = lending_figures(site, months)
    context = {
        "site": site,
        "current_site": site,
        "form": PeriodForm(initial={"months": months}),
        "figures": result,
        "device_rows": _device_rows(result),
    }
    return render(request, "lending/staff/figures.html", context)
