"""The evidence pages of the back-office: the dashboard of any scope and period, coverage against
population, and the funding cliff. Every table on them downloads as CSV and XLSX
(`?export=csv|xlsx&table=<key>`), with the same figures as the page.

Rights (`insights.scopes`): the dashboard shows the scopes a person may see figures of (a network
analyst every scope; an organisation admin their organisations, their sites and partnerships); a
scope outside them is a 404. Coverage and the funding cliff compare the whole network, with every
organisation's grants: network-wide roles only.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from accounts.decorators import staff_view
from core.charts import Dot, chart_for, dot_map
from core.dates import within_range
from core.tables import Column, Table, table_download
from funding.models import Grant
from funding.selectors import organisations_to_read
from insights import scopes
from insights.cliff import FundingCliff, funding_cliff
from insights.coverage import Coverage, coverage
from insights.figures import Figures, Period, figures
from insights.forms import PeriodForm
from insights.impact import impact
from insights.models import RollupState
from insights.reach import partnership_reach
from network.models import Partnership


def _export(request: HttpRequest, tables: list[Table], name: str) -> HttpResponse | None:
    """The download a page's `?export=…&table=…` asks for; a 404 for an unknown table."""
    export = request.GET.get("export", "")
    if not export:
        return None
    table = next((t for t in tables if t.key == request.GET.get("table")), None)
    if table is None or export not in ("csv", "xlsx"):
        raise Http404
    return table_download(table, export, f"{name}-{table.key}")


def _query(request: HttpRequest) -> str:
    """The page's own query (its filters), without the export's parameters."""
    kept = [(k, v) for k, v in request.GET.items() if k not in ("export", "table")]
    return urlencode(kept)


def _figures_with_charts(tables: list[Table], current: str, previous: str) -> list[dict[str, Any]]:
    return [
        {"table": table, "svg": chart_for(table, current_label=current, previous_label=previous)}
        for table in tables
    ]


def _headline_table(result: Figures) -> Table:
    return Table(
        key="headlines",
        title=_("Reach"),
        columns=(
            Column(_("Figure"), numeric=False),
            Column(_("This period")),
            Column(_("Period before")),
        ),
        rows=tuple((h.label, h.current, h.previous) for h in result.headlines),
        chart="",
    )


def _reads_grants(user: Any, scope: scopes.Scope) -> bool:
    """The impact estimate shows what grants paid: only to those who may read every grant in
    the scope (`funding.selectors`): a network-wide reader, or an organisation's own readers
    for that organisation. A partnership's or a site's share would reveal other grants."""
    if scopes.sees_network(user):
        return True
    return scope.kind == "organisation" and (
        organisations_to_read(user).filter(pk=int(scope.key)).exists()
    )


@staff_view
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    default = scopes.default_scope(user)
    if default is None:
        raise PermissionDenied
    scope = scopes.scope_for(user, request.GET.get("scope") or default.code)
    usual = Period.last_months(timezone.localdate())
    form = PeriodForm(
        request.GET if ("from" in request.GET or "to" in request.GET) else None,
        initial={"from": f"{usual.first:%Y-%m}", "to": f"{usual.last:%Y-%m}"},
    )
    period = form.period()
    result = figures(scope, period)
    tables = [_headline_table(result), *result.tables]
    download = _export(request, tables, f"digipunt-{scope.code.replace(':', '-')}")
    if download is not None:
        return download
    reach = []
    if scope.kind == "partnership":
        partnership = Partnership.objects.get(pk=int(scope.key))
        reach = partnership_reach(partnership, timezone.localdate())
    state = RollupState.objects.filter(pk=1).first()
    context = {
        "scope": scope,
        "scope_options": scopes.options(scopes.choices(user), scope.code),
        "form": form,
        "period": period,
        "previous": result.previous,
        "figures": result,
        "charts": _figures_with_charts(result.tables, _("This period"), _("Period before")),
        "reach": reach,
        "impact": impact(scope, period, result.headline("contacts").current)
        if _reads_grants(user, scope)
        else None,
        "refreshed_at": state.refreshed_at if state else None,
        "export_query": _query(request),
        "sees_network": scopes.sees_network(user),
        "shows_funding": organisations_to_read(user).exists(),
    }
    return render(request, "insights/staff/dashboard.html", context)


# --- coverage --------------------------------------------------------------------------------


class CoverageForm(forms.Form):
    distance = forms.FloatField(
        label=gettext_lazy("Distance to the nearest Digipunt (km)"),
        min_value=0.5,
        max_value=50,
        required=False,
    )
    hours = forms.FloatField(
        label=gettext_lazy("Fewest opening hours a week per 10,000 residents"),
        min_value=0,
        max_value=1000,
        required=False,
    )


def _network_only(request: HttpRequest) -> None:
    if not scopes.sees_network(request.user):
        raise PermissionDenied


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def coverage_tables(result: Coverage) -> list[Table]:
    columns = (
        Column(_("Municipality"), numeric=False),
        Column(_("REFNIS code"), numeric=False),
        Column(_("Residents")),
        Column(_("Digipunten")),
        Column(_("Opening hours a week"), decimals=1),
        Column(_("Hours per 10,000 residents"), decimals=1),
        Column(_("Estimated digitally vulnerable residents")),
        Column(_("Localities far from an open Digipunt")),
        Column(_("Their residents")),
    )

    def row(m: Any) -> tuple[Any, ...]:
        return (
            m.name,
            m.refnis,
            m.population,
            m.sites,
            _round(m.weekly_hours),
            _round(m.hours_per_10000),
            m.vulnerable_residents,
            m.localities_beyond,
            m.residents_beyond,
        )

    return [
        Table(
            key="gaps",
            title=_("Gaps: municipalities without a Digipunt or with too few hours"),
            columns=columns,
            rows=tuple(row(m) for m in result.gaps),
            chart="",
        ),
        Table(
            key="municipalities",
            title=_("Every municipality"),
            columns=columns,
            rows=tuple(row(m) for m in sorted(result.municipalities, key=lambda m: m.name)),
            chart="",
        ),
        Table(
            key="localities",
            title=_("Localities far from an open Digipunt"),
            columns=(
                Column(_("Locality"), numeric=False),
                Column(_("Postal code"), numeric=False),
                Column(_("Municipality"), numeric=False),
                Column(_("Distance (km)"), decimals=1),
                Column(_("Estimated residents")),
            ),
            rows=tuple(
                (
                    loc.name,
                    loc.postal_code,
                    loc.municipality_name,
                    _round(loc.distance_km),
                    round(loc.residents),
                )
                for loc in result.remote_localities
            ),
            chart="",
        ),
    ]


@staff_view
@require_GET
def coverage_page(request: HttpRequest) -> HttpResponse:
    _network_only(request)
    form = CoverageForm(
        request.GET or None,
        initial={
            "distance": settings.COVERAGE_MAX_DISTANCE_KM,
            "hours": settings.COVERAGE_MIN_HOURS_PER_10000,
        },
    )
    chosen = form.cleaned_data if form.is_bound and form.is_valid() else {}
    result = coverage(
        week_from=timezone.localdate(),
        max_distance_km=chosen.get("distance"),
        min_hours_per_10000=chosen.get("hours"),
    )
    tables = coverage_tables(result)
    download = _export(request, tables, "digipunt-coverage")
    if download is not None:
        return download
    dots = [Dot(s.latitude, s.longitude, s.name, "site") for s in result.sites if s.is_open]
    dots += [
        Dot(loc.latitude, loc.longitude, f"{loc.postal_code} {loc.name}", "locality-far")
        for loc in result.remote_localities
    ]
    context = {
        "form": form,
        "coverage": result,
        "map": dot_map(
            dots,
            title=_("Open Digipunten and the localities far from them"),
            description=_(
                "%(sites)d open Digipunten and %(far)d localities farther than %(km)s km from "
                "the nearest one. The tables below list them."
            )
            % {
                "sites": sum(1 for s in result.sites if s.is_open),
                "far": len(result.remote_localities),
                "km": f"{result.max_distance_km:g}",
            },
        ),
        "gaps": tables[0],
        "localities": tables[2],
        "all_municipalities": tables[1],
        "export_query": _query(request),
    }
    return render(request, "insights/staff/coverage.html", context)


# --- the funding cliff -----------------------------------------------------------------------


class CliffForm(forms.Form):
    on = forms.DateField(
        label=gettext_lazy("On this date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    distance = forms.FloatField(
        label=gettext_lazy("Distance to the nearest Digipunt (km)"),
        min_value=0.5,
        max_value=50,
        required=False,
    )

    def clean_on(self) -> date | None:
        on: date | None = self.cleaned_data.get("on")
        if on is not None and not within_range(on):
            raise forms.ValidationError(_("Choose a date between 2000 and 2099."), code="range")
        return on


def default_cliff_date(today: date) -> date:
    """The day after the next date on which a grant ends (or a year from today)."""
    ending = (
        Grant.objects.filter(ends_on__gte=today)
        .order_by("ends_on")
        .values_list("ends_on", flat=True)
        .first()
    )
    if ending is None or ending >= date.max - timedelta(days=1):
        return today + timedelta(days=365)
    return ending + timedelta(days=1)


def cliff_tables(result: FundingCliff) -> list[Table]:
    area_columns = (
        Column(_("Sites closing")),
        Column(_("Sites losing a service")),
        Column(_("Opening hours a week lost"), decimals=1),
        Column(_("Residents newly far from a Digipunt")),
    )

    def area_rows(areas: list[Any]) -> tuple[tuple[Any, ...], ...]:
        return tuple(
            (
                a.name,
                a.sites_closing,
                a.sites_reduced,
                _round(a.weekly_hours_lost),
                a.residents_newly_beyond,
            )
            for a in areas
        )

    def site_rows(losses: list[Any]) -> tuple[tuple[Any, ...], ...]:
        return tuple(
            (
                loss.name,
                loss.municipality_name,
                ", ".join(loss.service_names),
                _round(loss.weekly_hours_lost),
                loss.funded_until.isoformat(),
                ", ".join(loss.programmes),
            )
            for loss in losses
        )

    site_columns = (
        Column(_("Digipunt"), numeric=False),
        Column(_("Municipality"), numeric=False),
        Column(_("Services that lose their funding"), numeric=False),
        Column(_("Opening hours a week lost"), decimals=1),
        Column(_("Funded until"), numeric=False),
        Column(_("Programmes ending"), numeric=False),
    )
    return [
        Table(
            key="regions",
            title=_("By region"),
            columns=(Column(_("Region"), numeric=False), *area_columns),
            rows=area_rows(result.by_region),
            chart="",
        ),
        Table(
            key="municipalities",
            title=_("By municipality"),
            columns=(Column(_("Municipality"), numeric=False), *area_columns),
            rows=area_rows(result.by_municipality),
            chart="",
        ),
        Table(
            key="closing",
            title=_("Digipunten without any funding on that date"),
            columns=site_columns,
            rows=site_rows(result.closing),
            chart="",
        ),
        Table(
            key="reduced",
            title=_("Digipunten that lose the funding of a service"),
            columns=site_columns,
            rows=site_rows(result.reduced),
            chart="",
        ),
        Table(
            key="unfunded",
            title=_("Digipunten without any grant recorded (assumed to stay open)"),
            columns=(
                Column(_("Digipunt"), numeric=False),
                Column(_("Municipality"), numeric=False),
                Column(_("Opening hours a week"), decimals=1),
            ),
            rows=tuple(
                (s.name, s.municipality_name, _round(s.weekly_hours))
                for s in result.no_funding_recorded
            ),
            chart="",
        ),
    ]


@staff_view
@require_GET
def cliff_page(request: HttpRequest) -> HttpResponse:
    _network_only(request)
    today = timezone.localdate()
    form = CliffForm(
        request.GET or None,
        initial={"on": default_cliff_date(today), "distance": settings.COVERAGE_MAX_DISTANCE_KM},
    )
    chosen = form.cleaned_data if form.is_bound and form.is_valid() else {}
    on = chosen.get("on") or default_cliff_date(today)
    distance = chosen.get("distance") or float(_default_distance())
    result = funding_cliff(on, distance_km=distance, today=today)
    tables = cliff_tables(result)
    download = _export(request, tables, f"digipunt-funding-cliff-{on.isoformat()}")
    if download is not None:
        return download
    dots = [Dot(loss.latitude, loss.longitude, loss.name, "closing") for loss in result.closing]
    dots += [
        Dot(loc.latitude, loc.longitude, f"{loc.postal_code} {loc.name}", "locality-far")
        for loc in result.localities_newly_beyond
    ]
    context = {
        "form": form,
        "cliff": result,
        "map": dot_map(
            dots,
            title=_("What the funding cliff leaves behind"),
            description=_(
                "%(closing)d Digipunten without funding on %(on)s, and %(far)d localities that "
                "are then farther than %(km)s km from an open Digipunt. The tables list them."
            )
            % {
                "closing": len(result.closing),
                "on": on.isoformat(),
                "far": len(result.localities_newly_beyond),
                "km": f"{distance:g}",
            },
        ),
        "tables": tables,
        "export_query": _query(request),
    }
    return render(request, "insights/staff/cliff.html", context)


def _default_distance() -> float:
    return float(settings.COVERAGE_MAX_DISTANCE_KM)
