"""The OpenAPI document and the open-data views say the same thing (issue 15, gap 11).

The document is valid OpenAPI 3.1 that schemathesis reads without a schema error; real answers
match its response schemas (the GeoJSON one too); every limit a parameter's schema states is the
one the view keeps, at both edges, read from the served document itself; an empty or repeated
value is a 400; a method a path does not list is a 405 with `Allow`, also for a client that
sends no CSRF token. tests/test_api_contract.py runs schemathesis over all of it.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import pytest
import requests
import schemathesis
from django.http import QueryDict
from django.test import Client
from django.utils import timezone
from jsonschema import Draft202012Validator
from schemathesis.core.result import Ok
from schemathesis.core.transport import Response
from schemathesis.specs.openapi.definitions import OPENAPI_31_VALIDATOR

from core.openapi import NO_CONTROL_CHARACTERS, DeclaredQuery
from network.api import hsds, params
from network.hours_document import closure, period
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("territory")]

LISTS = [
    "/api/hsds/services",
    "/api/hsds/service_at_locations",
    "/api/hsds/organizations",
    "/api/hsds/locations",
    "/api/hsds/taxonomies",
    "/api/hsds/taxonomy_terms",
]
UNKNOWN = "3f2c9d4e-0000-4000-8000-000000000000"
# One URL of each path that only answers GET, with an id where the path has one.
READ_ONLY_URLS = [
    "/api/hsds/",
    *LISTS,
    f"/api/hsds/services/{UNKNOWN}",
    f"/api/hsds/service_at_locations/{UNKNOWN}",
    f"/api/hsds/organizations/{UNKNOWN}",
    f"/api/hsds/locations/{UNKNOWN}",
    f"/api/hsds/taxonomies/{UNKNOWN}",
    f"/api/hsds/taxonomy_terms/{UNKNOWN}",
    "/api/hsds/schemas/service.json",
    "/api/sites.geojson",
    "/api/openapi.json",
]


def served_document(client) -> dict[str, Any]:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    return response.json()


def a_site_with_everything():
    return factories.site(
        themes=("eid-itsme", "taxes"),
        offers_access=True,
        offers_lending=True,
        offers_learning=True,
        languages=",nl,fr,",
        email="digipunt@gent.example",
        opening_hours={
            "periods": [period(0, "09:00", "12:00"), period(3, "18:00", "20:00", nth=1)],
            "exceptions": [closure(timezone.localdate() + timedelta(days=20), reason="Verlof")],
        },
    )


# --- the document ------------------------------------------------------------------------------


def test_the_document_is_valid_openapi_3_1_and_every_schema_valid_json_schema(client):
    document = served_document(client)

    OPENAPI_31_VALIDATOR.validate(document)
    for schema in document["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)


def test_schemathesis_reads_every_operation_without_a_schema_error(client):
    schema = schemathesis.openapi.from_dict(served_document(client))

    results = list(schema.get_all_operations())

    assert len(results) == 17
    assert all(isinstance(result, Ok) for result in results), results


def test_references_stay_within_the_document(client):
    """The HSDS schemas are copied in, so no tool has to fetch (or reach) another URL."""
    document = served_document(client)
    refs = re.findall(r'"\$ref": "([^"]+)"', json.dumps(document))

    assert refs
    assert all(ref.startswith("#/components/") for ref in refs), refs
    assert '"#/components/schemas/hsds_organization"' in json.dumps(
        document["components"]["schemas"]["hsds_service"]
    )


def _as_schemathesis(url: str, response) -> Response:
    return Response(
        status_code=response.status_code,
        headers={name.lower(): [value] for name, value in response.headers.items()},
        content=response.content,
        request=requests.Request("GET", f"http://testserver{url}").prepare(),
        elapsed=0.0,
        verify=True,
    )


@pytest.mark.parametrize(
    "url",
    [
        "/api/sites.geojson",
        *LISTS,
        "/api/hsds/",
        "/api/hsds/services?page=10000",
        "/api/hsds/services?lang=fr&per_page=2",
    ],
)
def test_real_answers_match_their_response_schemas_as_schemathesis_reads_them(client, url):
    """The GeoJSON schema once said `prefixItems`, which schemathesis could not use at all."""
    a_site_with_everything()
    factories.site(opening_hours={}, last_verified=None, themes=())
    schema = schemathesis.openapi.from_dict(served_document(client))
    path = url.split("?")[0]

    response = client.get(url)

    assert response.status_code == 200
    schema[path]["GET"].validate_response(_as_schemathesis(url, response))


def test_a_detail_answer_matches_its_response_schema(client):
    site = a_site_with_everything()
    schema = schemathesis.openapi.from_dict(served_document(client))
    for path, url in [
        ("/api/hsds/services/{id}", f"/api/hsds/services/{hsds.service_id(site.uuid, 'help')}"),
        ("/api/hsds/locations/{id}", f"/api/hsds/locations/{site.uuid}"),
        ("/api/hsds/organizations/{id}", f"/api/hsds/organizations/{site.organisation.uuid}"),
        ("/api/hsds/services/{id}", f"/api/hsds/services/{UNKNOWN}"),
    ]:
        schema[path]["GET"].validate_response(_as_schemathesis(url, client.get(url)))


# --- every limit the document states is the one the view keeps -----------------------------------


def _query_parameters(document: dict[str, Any], path: str) -> list[dict[str, Any]]:
    found = []
    for parameter in document["paths"][path]["get"]["parameters"]:
        name = parameter["$ref"].rsplit("/", 1)[-1]
        found.append(document["components"]["parameters"][name])
    return found


def _edges(schema: dict[str, Any]) -> tuple[list[str], list[str]]:
    """Values at the edges of a parameter's schema: ones it allows and ones it does not."""
    if "enum" in schema:
        return [str(value) for value in schema["enum"]], ["", "x", schema["enum"][0].upper() + "X"]
    if schema.get("format") == "uuid":
        return [UNKNOWN, UNKNOWN.upper()], ["", "x", UNKNOWN.replace("-", ""), f"{{{UNKNOWN}}}"]
    if schema["type"] == "integer":
        low, high = schema["minimum"], schema["maximum"]
        return [str(low), str(high)], ["", str(low - 1), str(high + 1), "1.5", "+2", " 2"]
    if schema["type"] == "number":
        high = schema["maximum"]
        return [f"{high:g}", "0.001", "1e1"], ["", "0", f"{high + 0.001:g}", "nan", "1_0", " 5"]
    if schema["pattern"] == NO_CONTROL_CHARACTERS:  # free text
        return ["", "x" * schema["maxLength"]], ["x" * (schema["maxLength"] + 1), "a\x01b"]
    return [], ["", " 9000", "9000 ", "x", "9" * (schema["maxLength"] + 1)]


@pytest.mark.parametrize("path", ["/api/hsds/services", "/api/hsds/service_at_locations"])
def test_every_parameter_allows_what_its_schema_allows_and_refuses_the_rest(client, path):
    document = served_document(client)
    needs = {"proximity_radius": {"proximity": "51.05,3.72"}}

    for parameter in _query_parameters(document, path):
        name = parameter["name"]
        allowed, refused = _edges(parameter["schema"])
        for value in allowed:
            response = client.get(path, {name: value, **needs.get(name, {})})
            assert response.status_code == 200, (name, value, response.content)
        for value in refused:
            response = client.get(path, {name: value, **needs.get(name, {})})
            assert response.status_code == 400, (name, value)
            assert response.json()["error"].startswith(name), (name, value)


@pytest.mark.parametrize(
    ("value", "allowed"),
    [
        ("51.05,3.72", True),
        ("-90,-180", True),
        ("90.0,180.000", True),
        ("0,0", True),
        ("51,3.5", True),
        ("90.5,3", False),
        ("51,180.1", False),
        ("+51,3", False),
        ("51.,3", False),
        ("51, 3", False),
        ("1e1,3", False),
        ("051,3", False),
        ("51,3,4", False),
        ("", False),
    ],
)
def test_proximity_is_exactly_what_its_pattern_says(client, value, allowed):
    document = served_document(client)
    pattern = document["components"]["parameters"]["proximity"]["schema"]["pattern"]
    response = client.get("/api/hsds/service_at_locations", {"proximity": value})

    assert bool(re.fullmatch(pattern, value)) is allowed
    assert response.status_code == (200 if allowed else 400), response.content


def test_a_huge_page_is_refused_with_the_limit_the_document_states(client):
    document = served_document(client)
    maximum = document["components"]["parameters"]["page"]["schema"]["maximum"]

    response = client.get("/api/hsds/services", {"page": "5307740080886158336"})

    assert maximum == params.MAX_PAGE
    assert response.status_code == 400
    assert response.json() == {"error": f"page must be at most {maximum}, not 5307740080886158336"}


def test_the_last_page_the_document_allows_is_an_empty_page(client):
    factories.site()

    body = client.get("/api/hsds/services", {"page": params.MAX_PAGE}).json()

    assert (body["page_number"], body["size"], body["contents"]) == (params.MAX_PAGE, 0, [])
    assert body["last_page"] is True


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("/api/hsds/services", "taxonomy_term_id"),
        ("/api/hsds/services", "organization_id"),
        ("/api/hsds/service_at_locations", "taxonomy_term_id"),
        ("/api/hsds/service_at_locations", "postcode"),
        ("/api/hsds/service_at_locations", "proximity"),
        ("/api/hsds/taxonomy_terms", "taxonomy_id"),
        ("/api/hsds/locations", "page"),
        ("/api/hsds/locations", "per_page"),
        ("/api/hsds/", "format"),
        ("/api/sites.geojson", "lang"),
        ("/api/openapi.json", "format"),
    ],
)
def test_an_empty_value_is_a_400_in_the_documented_error_format(client, url, name):
    response = client.get(f"{url}?{name}=")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"error": response.json()["error"]}
    assert response.json()["error"].startswith(f"{name} must be ")


def test_an_empty_search_is_no_search(client):
    factories.site()
    everything = client.get("/api/hsds/locations").json()

    assert client.get("/api/hsds/locations?search=").json() == everything
    assert client.get("/api/hsds/locations?search=%20%20").json() == everything


def test_a_parameter_given_twice_is_a_400(client):
    response = client.get("/api/hsds/services?page=1&page=2")

    assert response.status_code == 400
    assert response.json() == {"error": "page is given more than once"}


def test_a_parameter_the_endpoint_does_not_declare_is_ignored(client):
    factories.site()
    plain = client.get("/api/hsds/locations").json()

    assert client.get("/api/hsds/locations?utm_source=x&postcode=abc").json() == plain


def test_a_view_cannot_read_a_parameter_it_does_not_declare():
    query = DeclaredQuery(QueryDict("page=2&postcode=9000"), (params.PAGE,))

    assert params.PAGE.read(query) == 2
    with pytest.raises(LookupError, match="postcode, which it does not declare"):
        params.postcode(query)


def test_each_operation_lists_the_parameters_its_view_reads(client):
    document = served_document(client)
    names = {
        path: [p["$ref"].rsplit("/", 1)[-1] for p in item["get"]["parameters"] if "$ref" in p]
        for path, item in document["paths"].items()
        if "get" in item
    }

    assert names["/api/hsds/taxonomies"] == ["lang", "format", "page", "per_page"]
    assert names["/api/hsds/service_at_locations"] == [
        "lang",
        "format",
        "page",
        "per_page",
        "search",
        "taxonomy_term_id",
        "organization_id",
        "postcode",
        "proximity",
        "proximity_radius",
    ]
    assert names["/api/sites.geojson"] == ["lang", "format"]
    assert set(document["components"]["parameters"]) == {p.name for p in params.ALL}


# --- methods -----------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["put", "patch", "delete", "post", "options"])
@pytest.mark.parametrize("url", READ_ONLY_URLS)
def test_a_method_a_path_does_not_list_is_a_405_with_allow(url, method):
    # A client without a CSRF token, as any API client is (the 405 once came as a CSRF 403).
    client = Client(enforce_csrf_checks=True)

    response = getattr(client, method)(url)

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"error": "Only GET and HEAD are allowed here."}
    assert response["Access-Control-Allow-Origin"] == "*"


def test_head_is_answered_where_get_is(client):
    response = client.head("/api/hsds/taxonomies")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
