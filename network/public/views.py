"""Public pages: the home page with the search box, the results, and a Digipunt's own page.

Views stay thin: they parse the form, call the place resolver and the finder, and render. Each
page is served from the page cache while it is true (`core.public_cache`): a view says until when
(`fresh_until`: the next opening or closing it shows, the next midnight).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.public_cache import Memo, end_of_day, fragment_version, public_page
from network.finder import Filters, find_sites
from network.models import LANGUAGE_NAMES, Site
from network.public import schema_org
from network.public.forms import FinderForm
from territory.selectors import Place, PlaceResolution, resolve_place

# What places residents typed mean, kept in this process until the directory (which holds the
# territory) changes: a flood of searches names a few thousand places at most.
_PLACES: Memo[PlaceResolution] = Memo(size=4096)


@public_page()
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "network/public/home.html", {"form": FinderForm()})


def _origin_from_location(lat: float, lon: float) -> Place:
    return Place(
        label=_("your location"),
        municipality_refnis="",
        municipality_name_nl="",
        municipality_name_fr="",
        latitude=lat,
        longitude=lon,
        in_network=True,
    )


@public_page()
def search(request: HttpRequest) -> HttpResponse:
    form = FinderForm(request.GET)
    context: dict[str, object] = {"form": form, "helpline": _helpline()}
    # A bad place stops the search; a bad filter, page or location is shown as an error on the
    # form while the search goes on with the values that are valid (a stale bookmark still works).
    if not form.is_valid() and form.has_error("q"):
        return render(request, "network/public/results.html", context)
    data = form.cleaned_data
    filters = Filters(
        service=data.get("service", ""),
        theme=data.get("theme", ""),
        language=data.get("language", ""),
        open_now=data.get("open", False),
        step_free=data.get("stepfree", False),
        walk_in=data.get("walkin", False),
    )
    context["filters"] = filters
    # Fragments that change only with the directory (result cards, the filter menu) are rendered
    # once per version and language (core.public_cache).
    context["page_version"] = fragment_version()
    context["filters_key"] = repr(filters)
    # A location from "use my location" counts unless a place was typed after it.
    if data.get("lat") is not None and data.get("lon") is not None and not data.get("q"):
        resolution = PlaceResolution(
            query="", status="found", place=_origin_from_location(data["lat"], data["lon"])
        )
    else:
        typed = data.get("q", "")
        resolution = _PLACES.get(typed, lambda: resolve_place(typed))
    context["resolution"] = resolution
    context["postal_code_typed"] = resolution.query.isdigit()
    context["kept_filters"] = _filters_only(request)
    if resolution.status == "found" and resolution.place is not None:
        now = context["now"] = timezone.now()
        context["result"] = find_sites(
            resolution.place,
            filters,
            now=now,
            page=data.get("page") or 1,
            page_size=settings.FINDER_PAGE_SIZE,
        )
        context["page_query"] = _query_without_page(request)
        context["unfiltered_query"] = _query_without_filters(request)
        context["map_tile_url"] = settings.MAP_TILE_URL
        context["map_attribution"] = settings.MAP_TILE_ATTRIBUTION
        response = render(request, "network/public/results.html", context)
        response.fresh_until = context["result"].true_until(now, open_now=filters.open_now)  # type: ignore[attr-defined]
        return response
    return render(request, "network/public/results.html", context)


def _query(request: HttpRequest, keep: Callable[[str], bool]) -> str:
    """The search's query string with only the parameters `keep` says yes to."""
    return urlencode([(k, v) for k, values in request.GET.lists() if keep(k) for v in values])


def _query_without_page(request: HttpRequest) -> str:
    return _query(request, lambda name: name != "page")


def _filters_only(request: HttpRequest) -> str:
    """The filters of this search, to keep when the resident picks another place."""
    return _query(request, lambda name: name not in ("q", "lat", "lon", "page"))


def _query_without_filters(request: HttpRequest) -> str:
    """The same search (a place or a location) with every filter off, from the first page."""
    return _query(request, lambda name: name in ("q", "lat", "lon"))


def _script_safe_json(value: object) -> str:
    """JSON that cannot close the <script> element it sits in, whatever a site's name says."""
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _helpline() -> dict[str, str]:
    return {"phone": settings.HELPLINE_PHONE, "label": settings.HELPLINE_LABEL}


@public_page()
def site_detail(request: HttpRequest, slug: str) -> HttpResponse:
    site = (
        Site.objects.published()
        .select_related("municipality", "organisation", "booking_settings")
        .prefetch_related("themes")
        .filter(slug=slug)
        .first()
    )
    if site is None:
        raise Http404(_("This Digipunt does not exist (any more)."))
    now = timezone.now()
    today = timezone.localdate(now)
    schedule = site.schedule()
    status = schedule.status(now)
    context = {
        "site": site,
        "now": now,
        "open_now": status.open_now,
        "closes_at": status.closes_at,
        "next_opening": status.next_opening,
        "week": schedule.week(today),
        "next_week": schedule.week(today + timedelta(days=7)),
        "closures": schedule.upcoming_closures(today, days=60),
        "languages": [LANGUAGE_NAMES.get(code, code) for code in site.language_codes],
        "today": today,
        "json_ld": _script_safe_json(schema_org.site_json_ld(site, today)),
        "helpline": _helpline(),
        "verified_days_ago": site.verified_days_ago(today),
        "booking_open": _booking_open(site),
    }
    response = render(request, "network/public/site_detail.html", context)
    # True until the site opens or closes, or the day (this week, "checked N days ago") changes.
    moments = [end_of_day(now), status.next_change]
    response.fresh_until = min(m for m in moments if m is not None)  # type: ignore[attr-defined]
    return response


def _booking_open(site: Site) -> bool:
    """Whether residents can book an appointment online (settings read with the site row)."""
    try:
        return site.booking_settings.is_enabled
    except ObjectDoesNotExist:
        return False
