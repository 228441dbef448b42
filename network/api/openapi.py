"""The open data's part of the OpenAPI 3.1 document served at /api/openapi.json (`workspace.openapi`
puts it together with the other APIs' parts).

Adapted from the HSDS 3.0 reference OpenAPI document (openreferral/specification, branch 3.0,
CC BY-SA 4.0): same paths, parameters and `Page` schema. Where the reference points its `$ref`s
at the upstream schema files, ours point at copies inside the document (`hsds_service`, ...):
the very files the API serves under /api/hsds/schemas/ and the tests validate our output
against, with their references to each other (`"organization.json"`) turned into references
within the document, so that any OpenAPI tool resolves them without fetching anything.

An operation's query parameters are the ones its view declares (`api_view(parameters=...)`, read
with `core.openapi.parameters_of`), and each parameter's description and schema come from its
declaration in `network.api.params`, which is also how the view reads it: the document and the
views cannot drift apart.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from functools import cache
from typing import Any

from core.openapi import ApiPart, parameters_of
from network.api import params, views
from network.api.hsds import HSDS_VERSION

JSON = "application/json"
GEOJSON = "application/geo+json"
# A reference from one HSDS schema file to another ("organization.json", maybe with a fragment).
_FILE_REF = re.compile(r"(?P<stem>[a-z_]+)\.json(?P<fragment>#.*)?")


def _schema(name: str) -> dict[str, str]:
    """A `$ref` to the copy in the document of one of the HSDS schemas (`service.json`)."""
    return {"$ref": f"#/components/schemas/{_component_name(name.removesuffix('.json'))}"}


def _component_name(stem: str) -> str:
    return f"hsds_{stem}"


def _within_document(node: Any) -> Any:
    """An HSDS schema with its references to other files turned into references within the
    document (`"organization.json"` -> `"#/components/schemas/hsds_organization"`)."""
    if isinstance(node, list):
        return [_within_document(item) for item in node]
    if not isinstance(node, dict):
        return node
    copied = {key: _within_document(value) for key, value in node.items()}
    ref = copied.get("$ref")
    if isinstance(ref, str) and (found := _FILE_REF.fullmatch(ref)):
        fragment = (found["fragment"] or "#")[1:]
        copied["$ref"] = f"#/components/schemas/{_component_name(found['stem'])}{fragment}"
    return copied


@cache
def _hsds_schemas() -> dict[str, Any]:
    """Every HSDS schema file the API serves, as a component of the document."""
    return {
        _component_name(path.stem): _within_document(json.loads(path.read_text()))
        for path in sorted(views.SCHEMA_DIR.glob("*.json"))
    }


def _param(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/parameters/{name}"}


def _response(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/responses/{name}"}


def _ok(description: str, schema: dict[str, Any], content_type: str = JSON) -> dict[str, Any]:
    return {"description": description, "content": {content_type: {"schema": schema}}}


def _page_of(item: dict[str, Any]) -> dict[str, Any]:
    """A paginated list: the HSDS `Page` header plus `contents`."""
    return {
        "allOf": [{"$ref": "#/components/schemas/Page"}],
        "type": "object",
        "required": ["contents"],
        "properties": {"contents": {"type": "array", "items": item}},
    }


def get(
    view: Callable[..., Any],
    operation_id: str,
    summary: str,
    ok: dict[str, Any],
    *,
    not_found: bool = False,
) -> dict[str, Any]:
    """The Path Item of an open-data endpoint served by `view` (one of `views`, made with
    `api_view`): a GET with the query parameters the view declares, and its answers."""
    responses: dict[str, Any] = {"200": ok, "400": _response("BadRequest")}
    if not_found:
        responses["404"] = _response("NotFound")
    return {
        "get": {
            "operationId": operation_id,
            "summary": summary,
            "parameters": [_param(param.name) for param in parameters_of(view)],
            "responses": responses,
        }
    }


def _with_id(operation: dict[str, Any], what: str) -> dict[str, Any]:
    """A path with an `{id}` parameter (declared once on the path item, as HSDS does)."""
    described = {**views.OBJECT_ID.document(), "description": f"The id (a UUID) of the {what}."}
    return {"parameters": [described], **operation}


def _paths() -> dict[str, Any]:
    return {
        "/api/hsds/": get(
            views.hsds_root,
            "getAPIMetaInformation",
            "Information about this API and its relationship with HSDS.",
            _ok("HSDS version, profile and OpenAPI URL.", {"$ref": "#/components/schemas/ApiRoot"}),
        ),
        "/api/hsds/services": get(
            views.services,
            "getPaginatedListOfServices",
            "Paginated list of services, with their organization, schedules, languages, phones "
            "and theme attributes (without locations).",
            _ok("A page of services.", _page_of(_schema("service.json"))),
        ),
        "/api/hsds/services/{id}": _with_id(
            get(
                views.service,
                "getFullyNestedServiceById",
                "A fully nested service: organization, service_at_locations with their location "
                "(address, coordinates, accessibility, schedules), schedules, phones, languages.",
                _ok("The service.", _schema("service.json")),
                not_found=True,
            ),
            "service",
        ),
        "/api/hsds/service_at_locations": get(
            views.service_at_locations,
            "getPaginatedListOfServiceAtLocation",
            "Paginated list of services at locations, each with its location and a summary of "
            "its service. Filter by postal code and/or distance from a point (nearest first).",
            _ok("A page of services at locations.", _page_of(_schema("service_at_location.json"))),
        ),
        "/api/hsds/service_at_locations/{id}": _with_id(
            get(
                views.service_at_location,
                "getServiceAtLocationWithNestedDataById",
                "A service at a location, with its full location and its service.",
                _ok("The service at location.", _schema("service_at_location.json")),
                not_found=True,
            ),
            "service at location",
        ),
        "/api/hsds/organizations": get(
            views.organizations,
            "getPaginatedListOfOrganizations",
            "Paginated list of organizations that run at least one published Digipunt.",
            _ok("A page of organizations.", _page_of(_schema("organization.json"))),
        ),
        "/api/hsds/organizations/{id}": _with_id(
            get(
                views.organization,
                "getOrganizationById",
                "An organization with its locations and (summaries of) its services.",
                _ok("The organization.", _schema("organization.json")),
                not_found=True,
            ),
            "organization",
        ),
        "/api/hsds/locations": get(
            views.locations,
            "getPaginatedListOfLocations",
            "Paginated list of locations (published Digipunten).",
            _ok("A page of locations.", _page_of(_schema("location.json"))),
        ),
        "/api/hsds/locations/{id}": _with_id(
            get(
                views.location,
                "getLocationById",
                "A location with its address, coordinates, schedules and accessibility.",
                _ok("The location.", _schema("location.json")),
                not_found=True,
            ),
            "location",
        ),
        "/api/hsds/taxonomies": get(
            views.taxonomies,
            "getPaginatedListOfTaxonomies",
            "Paginated list of taxonomies (one: digipunt-themes).",
            _ok("A page of taxonomies.", _page_of(_schema("taxonomy.json"))),
        ),
        "/api/hsds/taxonomies/{id}": _with_id(
            get(
                views.taxonomy,
                "getTaxonomyById",
                "A taxonomy.",
                _ok("The taxonomy.", _schema("taxonomy.json")),
                not_found=True,
            ),
            "taxonomy",
        ),
        "/api/hsds/taxonomy_terms": get(
            views.taxonomy_terms,
            "getPaginatedListOfTaxonomyTerms",
            "Paginated list of taxonomy terms (the themes).",
            _ok("A page of taxonomy terms.", _page_of(_schema("taxonomy_term.json"))),
        ),
        "/api/hsds/taxonomy_terms/{id}": _with_id(
            get(
                views.taxonomy_term,
                "getTaxonomyTermById",
                "A taxonomy term.",
                _ok("The taxonomy term.", _schema("taxonomy_term.json")),
                not_found=True,
            ),
            "taxonomy term",
        ),
        "/api/hsds/schemas/{name}": {
            "get": {
                "operationId": "getHsdsSchema",
                "summary": "One of the HSDS 3.0 JSON schemas (CC BY-SA 4.0, Open Referral) that "
                "the objects of this API follow; they reference each other by file name. The "
                "same schemas are in this document's components (`hsds_service`, ...).",
                "parameters": [views.SCHEMA_NAME.document()],
                "responses": {
                    "200": _ok("The JSON schema.", {"type": "object"}),
                    "404": _response("NotFound"),
                },
            }
        },
        "/api/sites.geojson": get(
            views.sites_geojson,
            "getSitesGeoJson",
            "All published Digipunten as a GeoJSON FeatureCollection (points).",
            _ok(
                "The sites.",
                {"$ref": "#/components/schemas/SiteFeatureCollection"},
                GEOJSON,
            ),
        ),
    }


def _parameters() -> dict[str, Any]:
    """Every query parameter of the open data, from its declaration (`network.api.params`)."""
    return {param.name: param.document() for param in params.ALL}


def _site_feature_collection() -> dict[str, Any]:
    strings = {"type": "array", "items": {"type": "string"}}
    properties = {
        "id": {"type": "string", "format": "uuid", "description": "Also the HSDS location id."},
        "name": {"type": "string"},
        "brand": {"type": "string", "description": "Local name (Digibank, Digicafé, ...)."},
        "url": {"type": "string", "format": "uri", "description": "The site's public page."},
        "address": {"type": "string"},
        "postal_code": {"type": "string"},
        "municipality": {"type": "string", "description": "REFNIS code of the municipality."},
        "services": {**strings, "description": "help, access, lending, learning"},
        "device_kinds": {
            **strings,
            "description": "The kinds of device the site lends, from its inventory "
            "(laptop, tablet, smartphone, hotspot, data_sim, accessory); empty when it keeps "
            "its inventory elsewhere.",
        },
        "themes": {**strings, "description": "Theme codes."},
        "languages": {**strings, "description": "ISO 639 codes."},
        "walk_in": {"type": "boolean"},
        "step_free": {"type": "boolean"},
        "opening_hours": {
            "type": ["string", "null"],
            "description": "OpenStreetMap opening_hours syntax.",
        },
        "last_verified": {"type": ["string", "null"], "format": "date"},
        "is_demo": {"type": "boolean", "description": "Demonstration data, not a real site."},
    }
    feature = {
        "type": "object",
        "required": ["type", "id", "geometry", "properties"],
        "properties": {
            "type": {"const": "Feature"},
            "id": {"type": "string", "format": "uuid"},
            "geometry": {
                "type": "object",
                "required": ["type", "coordinates"],
                "properties": {
                    "type": {"const": "Point"},
                    # A pair, written with `items` and a fixed length rather than `prefixItems`,
                    # which some OpenAPI tools still read as a JSON Schema draft 4 tuple.
                    "coordinates": {
                        "description": "[longitude, latitude] in WGS84 decimal degrees.",
                        "type": "array",
                        "items": {"type": "number"},
                        "minItems": 2,
                        "maxItems": 2,
                    },
                },
            },
            "properties": {
                "type": "object",
                "required": list(properties),
                "properties": properties,
            },
        },
    }
    return {
        "type": "object",
        "required": ["type", "features"],
        "properties": {
            "type": {"const": "FeatureCollection"},
            "features": {"type": "array", "items": feature},
        },
    }


def _schemas() -> dict[str, Any]:
    return {
        "Page": {
            "type": "object",
            "description": "The HSDS page header of every list.",
            "required": [
                "total_items",
                "total_pages",
                "page_number",
                "size",
                "first_page",
                "last_page",
                "empty",
            ],
            "properties": {
                "total_items": {
                    "type": "integer",
                    "minimum": 0,
                    "description": "Entities in the whole list.",
                },
                "total_pages": {
                    "type": "integer",
                    "minimum": 1,
                    "description": "Count of pages (at least 1).",
                },
                "page_number": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": params.MAX_PAGE,
                    "description": "This page's number.",
                },
                "size": {
                    "type": "integer",
                    "minimum": 0,
                    "maximum": params.MAX_PER_PAGE,
                    "description": "Entities on this page.",
                },
                "first_page": {"type": "boolean"},
                "last_page": {"type": "boolean"},
                "empty": {"type": "boolean", "description": "Whether the list has no entities."},
            },
        },
        "ApiRoot": {
            "type": "object",
            "required": ["version", "profile", "openapi_url"],
            "properties": {
                "version": {"type": "string", "const": HSDS_VERSION},
                "profile": {"type": "string", "format": "uri"},
                "openapi_url": {"type": "string", "format": "uri"},
            },
        },
        "Error": {
            "type": "object",
            "required": ["error"],
            "properties": {"error": {"type": "string", "description": "What went wrong."}},
        },
        "SiteFeatureCollection": _site_feature_collection(),
        # A copy: a caller may change its document without changing the next one.
        **copy.deepcopy(_hsds_schemas()),
    }


def part() -> ApiPart:
    """The open data's part of the API's one document (`workspace.openapi` assembles it)."""
    error = {"$ref": "#/components/schemas/Error"}
    return ApiPart(
        paths=_paths(),
        schemas=_schemas(),
        parameters=_parameters(),
        responses={
            "BadRequest": _ok("A query parameter is invalid.", error),
            "NotFound": _ok("No published object has this id.", error),
        },
    )
