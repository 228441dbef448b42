"""Read-only open-data endpoints: HSDS 3.0 under /api/hsds/ and GeoJSON (the OpenAPI document
that describes them is `workspace.openapi`).

Views are thin: parse parameters (`params`), select (`selection`), map (`hsds`, `geojson`). The
`api_view` decorator gives every response the same treatment: JSON, open CORS, public caching
(with an ETag; the page cache of `core.public_cache` serves a document again until the directory
or the day changes), 400 for bad parameters and 404 for unknown ids, both as `{"error": "..."}`,
and 405 with `Allow: GET, HEAD` for any other method. A view reads only the query parameters it
declares (`api_view(parameters=...)`), and the OpenAPI document lists exactly those for its
operation (`network.api.openapi`).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import date
from functools import cache, wraps
from pathlib import Path
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone, translation

from core.openapi import DeclaredQuery, Param, ParamError, Pattern, Uuid, accepts, allow_methods
from core.public_cache import end_of_day, public_page
from network.api import geojson, geojson_cache, hsds, params, selection
from network.api.links import absolute

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas" / "hsds"
GEOJSON = "application/geo+json"
CACHE_SECONDS = 300
CACHE_CONTROL = f"public, max-age={CACHE_SECONDS}"

ApiView = Callable[..., Any]


class NotFound(LookupError):
    """The requested object does not exist (or is not published); the message is for the client."""


# Open data: any web page may read it, and any cache may keep it for five minutes.
OPEN_HEADERS = {"Access-Control-Allow-Origin": "*", "Cache-Control": CACHE_CONTROL}
# Only reading: GET (and HEAD); any other method is a 405 with these headers too.
read_only = allow_methods("GET", headers=OPEN_HEADERS)


def _finish(response: HttpResponse) -> HttpResponse:
    for name, value in OPEN_HEADERS.items():
        response[name] = value
    return response


def _json(data: Any, status: int = 200, content_type: str = "application/json") -> HttpResponse:
    return _finish(
        JsonResponse(
            data,
            status=status,
            safe=False,
            content_type=content_type,
            json_dumps_params={"ensure_ascii": False},
        )
    )


def api_view(
    content_type: str = "application/json", parameters: tuple[Param[Any], ...] = ()
) -> Callable[[ApiView], ApiView]:
    """Turn `view(request, ctx, query, **kwargs) -> data` into a JSON endpoint (see the module
    doc). `query` holds the query `parameters` the view declares, besides `lang` and `format`,
    which every endpoint reads here."""
    declared = (*params.COMMON, *parameters)

    def decorator(view: ApiView) -> ApiView:
        @read_only
        @public_page(max_age=CACHE_SECONDS)
        @wraps(view)
        @accepts(*declared)
        def wrapper(request: HttpRequest, **kwargs: Any) -> HttpResponse:
            query = DeclaredQuery(request.GET, declared)
            try:
                params.check_format(query)
                lang = params.language(query)
                # Names and texts are rendered, and the body encoded, in the requested language.
                with translation.override(lang):
                    now = timezone.now()
                    ctx = hsds.Context(lang=lang, today=timezone.localdate(now))
                    data = view(request, ctx, query, **kwargs)
                    response = _json(data, content_type=content_type)
                    # A closure's "temporarily closed" and the schedules' dates change by the day.
                    response.fresh_until = end_of_day(now)  # type: ignore[attr-defined]
                    return response
            except ParamError as error:
                return _json({"error": str(error)}, status=400)
            except NotFound as error:
                return _json({"error": str(error)}, status=404)

        return wrapper

    return decorator


# Path ids are named `id` to match the HSDS reference paths (/services/{id}) one to one.
OBJECT_ID = Uuid(name="id", location="path", description="The id (a UUID).")
SCHEMA_NAME = Pattern(
    name="name",
    location="path",
    description="File name, such as service.json.",
    regex=r"[a-z_]+\.json",
    what="a schema file name",
)


def _object_id(value: str, kind: str) -> uuid.UUID:
    """A path id; a malformed one names no object, so it is a 404 like an unknown one."""
    try:
        return OBJECT_ID.parse(value)
    except ParamError:
        raise NotFound(f"No {kind} with id {value[:100]!r}") from None


def _page(page: selection.Page[Any], contents: list[dict[str, Any]]) -> dict[str, Any]:
    return {**page.header(), "contents": contents}


def _service_filters(query: DeclaredQuery, *, locations: bool) -> selection.Filters:
    return selection.Filters(
        search=params.search(query),
        taxonomy_term_id=params.uuid_value(query, "taxonomy_term_id"),
        organization_id=params.uuid_value(query, "organization_id"),
        postcode=params.postcode(query) if locations else None,
        proximity=params.proximity(query) if locations else None,
    )


# --- HSDS ------------------------------------------------------------------------------------


@api_view()
def hsds_root(request: HttpRequest, ctx: hsds.Context, query: DeclaredQuery) -> dict[str, Any]:
    return hsds.api_root(absolute(reverse("openapi")))


@api_view(parameters=(*params.LIST, *params.SERVICE_FILTERS))
def services(request: HttpRequest, ctx: hsds.Context, query: DeclaredQuery) -> dict[str, Any]:
    page_request = params.page_request(query)
    refs = selection.service_refs(_service_filters(query, locations=False))
    page = selection.paginate(refs, page_request)
    contents = [hsds.service(site, pillar, ctx) for site, pillar in selection.resolve(page.items)]
    return _page(page, contents)


@api_view()
def service(
    request: HttpRequest, ctx: hsds.Context, query: DeclaredQuery, id: str
) -> dict[str, Any]:
    ref = selection.find_service(_object_id(id, "service"))
    found = selection.resolve([ref]) if ref else []
    if not found:
        raise NotFound(f"No service with id {id!r}")
    site, pillar = found[0]
    return hsds.service(site, pillar, ctx, locations=True)


@api_view(parameters=(*params.LIST, *params.SERVICE_FILTERS, *params.PLACE_FILTERS))
def service_at_locations(
    request: HttpRequest, ctx: hsds.Context, query: DeclaredQuery
) -> dict[str, Any]:
    page_request = params.page_request(query)
    refs = selection.service_refs(_service_filters(query, locations=True))
    page = selection.paginate(refs, page_request)
    contents = [
        hsds.service_at_location(
            site, pillar, ctx, nested_service=hsds.service(site, pillar, ctx, children=False)
        )
        for site, pillar in selection.resolve(page.items)
    ]
    return _page(page, contents)


@api_view()
def service_at_location(
    request: HttpRequest, ctx: hsds.Context, query: DeclaredQuery, id: str
) -> dict[str, Any]:
    ref = selection.find_service_at_location(_object_id(id, "service_at_location"))
    found = selection.resolve([ref]) if ref else []
    if not found:
        raise NotFound(f"No service_at_location with id {id!r}")
    site, pillar = found[0]
    return hsds.service_at_location(
        site, pillar, ctx, nested_service=hsds.service(site, pillar, ctx)
    )


@api_view(parameters=params.LIST)
def organizations(request: HttpRequest, ctx: hsds.Context, query: DeclaredQuery) -> dict[str, Any]:
    page_request = params.page_request(query)
    queryset = selection.published_organisations(params.search(query))
    page = selection.paginate_queryset(queryset, page_request)
    return _page(page, [hsds.organization(org, ctx) for org in page.items])


@api_view()
def organization(
    request: HttpRequest, ctx: hsds.Context, query: DeclaredQuery, id: str
) -> dict[str, Any]:
    found = selection.organisation_with_sites(_object_id(id, "organization"))
    if found is None:
        raise NotFound(f"No organization with id {id!r}")
    organisation, sites = found
    return hsds.organization(organisation, ctx, sites=sites)


@api_view(parameters=params.LIST)
def locations(request: HttpRequest, ctx: hsds.Context, query: DeclaredQuery) -> dict[str, Any]:
    page_request = params.page_request(query)
    sites = selection.published_sites()
    term = params.search(query)
    if term:
        sites = selection.filtered_sites(selection.Filters(search=term))
    page = selection.paginate_queryset(selection.with_related(sites), page_request)
    return _page(page, [hsds.location(site, ctx) for site in page.items])


@api_view()
def location(
    request: HttpRequest, ctx: hsds.Context, query: DeclaredQuery, id: str
) -> dict[str, Any]:
    site_uuid = _object_id(id, "location")
    site = selection.with_related(selection.published_sites()).filter(uuid=site_uuid).first()
    if site is None:
        raise NotFound(f"No location with id {id!r}")
    return hsds.location(site, ctx)


@api_view(parameters=(params.PAGE, params.PER_PAGE))
def taxonomies(request: HttpRequest, ctx: hsds.Context, query: DeclaredQuery) -> dict[str, Any]:
    page_request = params.page_request(query)
    page = selection.paginate([hsds.taxonomy()], page_request)
    return _page(page, list(page.items))


@api_view()
def taxonomy(
    request: HttpRequest, ctx: hsds.Context, query: DeclaredQuery, id: str
) -> dict[str, Any]:
    if _object_id(id, "taxonomy") != hsds.THEMES_TAXONOMY_ID:
        raise NotFound(f"No taxonomy with id {id!r}")
    return hsds.taxonomy()


@api_view(parameters=(*params.LIST, params.TAXONOMY_ID))
def taxonomy_terms(request: HttpRequest, ctx: hsds.Context, query: DeclaredQuery) -> dict[str, Any]:
    page_request = params.page_request(query)
    taxonomy_id = params.uuid_value(query, "taxonomy_id")
    queryset = selection.themes(params.search(query))
    if taxonomy_id is not None and taxonomy_id != hsds.THEMES_TAXONOMY_ID:
        queryset = queryset.none()
    page = selection.paginate_queryset(queryset, page_request)
    return _page(page, [hsds.taxonomy_term(theme, ctx) for theme in page.items])


@api_view()
def taxonomy_term(
    request: HttpRequest, ctx: hsds.Context, query: DeclaredQuery, id: str
) -> dict[str, Any]:
    theme = selection.theme_by_term_id(_object_id(id, "taxonomy_term"))
    if theme is None:
        raise NotFound(f"No taxonomy_term with id {id!r}")
    return hsds.taxonomy_term(theme, ctx)


@cache
def _schema_files() -> dict[str, bytes]:
    """The copied HSDS schemas by file name; only these names can be served."""
    return {path.name: path.read_bytes() for path in SCHEMA_DIR.glob("*.json")}


@read_only
def hsds_schema(request: HttpRequest, name: str) -> HttpResponse:
    """One of the HSDS JSON schemas our objects follow, as published (the OpenAPI document
    holds copies of them, `hsds_service`, ...)."""
    content = _schema_files().get(name)
    if content is None:
        return _json({"error": f"No schema named {name[:100]!r}"}, status=404)
    return _finish(HttpResponse(content, content_type="application/json"))


# --- GeoJSON and OpenAPI ---------------------------------------------------------------------


# The whole directory in one document is costly to build (every site's hours as OSM text) and
# changes rarely: built once per version, language and day, whatever else the query string holds,
# and kept as ready bytes, plain and gzip (`geojson_cache`).
@read_only
@accepts(*params.COMMON)
def sites_geojson(request: HttpRequest) -> HttpResponse:
    query = DeclaredQuery(request.GET, params.COMMON)
    try:
        params.check_format(query)
        lang = params.language(query)
    except ParamError as error:
        return _json({"error": str(error)}, status=400)
    document = geojson_cache.prepared(lang, _geojson_bytes)
    return geojson_cache.response(request, document, content_type=GEOJSON, max_age=CACHE_SECONDS)


def _geojson_bytes(lang: str, today: date) -> bytes:
    with translation.override(lang):
        data = geojson.feature_collection(selection.published_sites(), lang, today)
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
