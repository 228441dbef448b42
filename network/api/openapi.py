"""The open data's part of the OpenAPI 3.1 document served at /api/openapi.json (`workspace.openapi`
puts it together with the other APIs' parts).

Adapted from the HSDS 3.0 reference OpenAPI document (openreferral/specification, branch 3.0,
CC BY-SA 4.0): same paths, parameters and `Page` schema. Where the reference points its `$ref`s
at the upstream schema files, ours point at the copies the API serves itself
(/api/hsds/schemas/...), which are exactly the schemas the tests validate our output against.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from core.openapi import ApiPart
from network.api import params
from network.api.hsds import HSDS_VERSION
from network.api.links import absolute

JSON = "application/json"
GEOJSON = "application/geo+json"


def _schema(name: str) -> dict[str, str]:
    """A `$ref` to one of the HSDS schemas this API serves."""
    return {"$ref": absolute(f"/api/hsds/schemas/{name}")}


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


def _get(
    operation_id: str,
    summary: str,
    ok: dict[str, Any],
    parameters: Sequence[str] = (),
    *,
    not_found: bool = False,
) -> dict[str, Any]:
    responses: dict[str, Any] = {"200": ok, "400": _response("BadRequest")}
    if not_found:
        responses["404"] = _response("NotFound")
    return {
        "get": {
            "operationId": operation_id,
            "summary": summary,
            "parameters": [_param(name) for name in ["lang", "format", *parameters]],
            "responses": responses,
        }
    }


def _with_id(operation: dict[str, Any], what: str) -> dict[str, Any]:
    """A path with an `{id}` parameter (declared once on the path item, as HSDS does)."""
    return {
        "parameters": [
            {
                "name": "id",
                "in": "path",
                "required": True,
                "description": f"The id (a UUID) of the {what}.",
                "schema": {"type": "string", "format": "uuid"},
            }
        ],
        **operation,
    }


_LIST = ["page", "per_page", "search"]
_SERVICE_FILTERS = ["taxonomy_term_id", "organization_id"]


def _paths() -> dict[str, Any]:
    return {
        "/api/hsds/": _get(
            "getAPIMetaInformation",
            "Information about this API and its relationship with HSDS.",
            _ok("HSDS version, profile and OpenAPI URL.", {"$ref": "#/components/schemas/ApiRoot"}),
        ),
        "/api/hsds/services": _get(
            "getPaginatedListOfServices",
            "Paginated list of services, with their organization, schedules, languages, phones "
            "and theme attributes (without locations).",
            _ok("A page of services.", _page_of(_schema("service.json"))),
            [*_LIST, *_SERVICE_FILTERS],
        ),
        "/api/hsds/services/{id}": _with_id(
            _get(
                "getFullyNestedServiceById",
                "A fully nested service: organization, service_at_locations with their location "
                "(address, coordinates, accessibility, schedules), schedules, phones, languages.",
                _ok("The service.", _schema("service.json")),
                not_found=True,
            ),
            "service",
        ),
        "/api/hsds/service_at_locations": _get(
            "getPaginatedListOfServiceAtLocation",
            "Paginated list of services at locations, each with its location and a summary of "
            "its service. Filter by postal code and/or distance from a point (nearest first).",
            _ok("A page of services at locations.", _page_of(_schema("service_at_location.json"))),
            [*_LIST, *_SERVICE_FILTERS, "postcode", "proximity", "proximity_radius"],
        ),
        "/api/hsds/service_at_locations/{id}": _with_id(
            _get(
                "getServiceAtLocationWithNestedDataById",
                "A service at a location, with its full location and its service.",
                _ok("The service at location.", _schema("service_at_location.json")),
                not_found=True,
            ),
            "service at location",
        ),
        "/api/hsds/organizations": _get(
            "getPaginatedListOfOrganizations",
            "Paginated list of organizations that run at least one published Digipunt.",
            _ok("A page of organizations.", _page_of(_schema("organization.json"))),
            _LIST,
        ),
        "/api/hsds/organizations/{id}": _with_id(
            _get(
                "getOrganizationById",
                "An organization with its locations and (summaries of) its services.",
                _ok("The organization.", _schema("organization.json")),
                not_found=True,
            ),
            "organization",
        ),
        "/api/hsds/locations": _get(
            "getPaginatedListOfLocations",
            "Paginated list of locations (published Digipunten).",
            _ok("A page of locations.", _page_of(_schema("location.json"))),
            _LIST,
        ),
        "/api/hsds/locations/{id}": _with_id(
            _get(
                "getLocationById",
                "A location with its address, coordinates, schedules and accessibility.",
                _ok("The location.", _schema("location.json")),
                not_found=True,
            ),
            "location",
        ),
        "/api/hsds/taxonomies": _get(
            "getPaginatedListOfTaxonomies",
            "Paginated list of taxonomies (one: digipunt-themes).",
            _ok("A page of taxonomies.", _page_of(_schema("taxonomy.json"))),
            ["page", "per_page"],
        ),
        "/api/hsds/taxonomies/{id}": _with_id(
            _get(
                "getTaxonomyById",
                "A taxonomy.",
                _ok("The taxonomy.", _schema("taxonomy.json")),
                not_found=True,
            ),
            "taxonomy",
        ),
        "/api/hsds/taxonomy_terms": _get(
            "getPaginatedListOfTaxonomyTerms",
            "Paginated list of taxonomy terms (the themes).",
            _ok("A page of taxonomy terms.", _page_of(_schema("taxonomy_term.json"))),
            [*_LIST, "taxonomy_id"],
        ),
        "/api/hsds/taxonomy_terms/{id}": _with_id(
            _get(
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
                "the objects of this API follow; they reference each other by file name.",
                "parameters": [
                    {
                        "name": "name",
                        "in": "path",
                        "required": True,
                        "description": "File name, such as service.json.",
                        "schema": {"type": "string", "pattern": r"^[a-z_]+\.json$"},
                    }
                ],
                "responses": {
                    "200": _ok("The JSON schema.", {"type": "object"}),
                    "404": _response("NotFound"),
                },
            }
        },
        "/api/sites.geojson": _get(
            "getSitesGeoJson",
            "All published Digipunten as a GeoJSON FeatureCollection (points).",
            _ok(
                "The sites.",
                {"$ref": "#/components/schemas/SiteFeatureCollection"},
                GEOJSON,
            ),
        ),
        "/api/openapi.json": _get(
            "getOpenApiDocument",
            "This document.",
            _ok("The OpenAPI 3.1 document.", {"type": "object"}),
        ),
    }


def _parameters() -> dict[str, Any]:
    def query(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "name": name,
            "in": "query",
            "required": False,
            "description": description,
            "schema": schema,
        }

    return {
        "page": query("page", "Page number (from 1).", {"type": "integer", "minimum": 1}),
        "per_page": query(
            "per_page",
            f"Results per page (default {params.DEFAULT_PER_PAGE}).",
            {"type": "integer", "minimum": 1, "maximum": params.MAX_PER_PAGE},
        ),
        "search": query(
            "search",
            "Text to look for in names, local names, localities and descriptions.",
            {"type": "string", "maxLength": params.MAX_SEARCH_LENGTH},
        ),
        "format": query("format", "Only `json` is offered.", {"type": "string", "enum": ["json"]}),
        "lang": query(
            "lang",
            "Language of names and texts.",
            {"type": "string", "enum": ["nl", "fr", "en"], "default": "nl"},
        ),
        "taxonomy_term_id": query(
            "taxonomy_term_id",
            "Only services of sites that help with this theme (a term of digipunt-themes).",
            {"type": "string", "format": "uuid"},
        ),
        "taxonomy_id": query(
            "taxonomy_id",
            "Only terms of this taxonomy.",
            {"type": "string", "format": "uuid"},
        ),
        "organization_id": query(
            "organization_id",
            "Only services of this organization.",
            {"type": "string", "format": "uuid"},
        ),
        "postcode": query(
            "postcode",
            "Only services at a location with this Belgian postal code.",
            {"type": "string", "pattern": "^[0-9]{4}$"},
        ),
        "proximity": query(
            "proximity",
            "Only services within `proximity_radius` km of this point, nearest first: "
            "`latitude,longitude` in WGS84 decimal degrees (e.g. `51.0543,3.7174`). Unlike the "
            "HSDS reference (metres around a postcode centroid), the point is given directly.",
            {"type": "string", "pattern": r"^-?[0-9.]+,-?[0-9.]+$"},
        ),
        "proximity_radius": query(
            "proximity_radius",
            f"Radius in kilometres for `proximity` (default {params.DEFAULT_RADIUS_KM:g}).",
            {
                "type": "number",
                "exclusiveMinimum": 0,
                "maximum": params.MAX_RADIUS_KM,
                "default": params.DEFAULT_RADIUS_KM,
            },
        ),
    }


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
                    "coordinates": {
                        "description": "[longitude, latitude]",
                        "type": "array",
                        "prefixItems": [{"type": "number"}, {"type": "number"}],
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
                "total_items": {"type": "integer", "description": "Entities in the whole list."},
                "total_pages": {"type": "integer", "description": "Count of pages (at least 1)."},
                "page_number": {"type": "integer", "description": "This page's number."},
                "size": {"type": "integer", "description": "Entities on this page."},
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
