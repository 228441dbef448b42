"""The open-data API: HSDS 3.0 objects valid against the official schemas, filters, errors,
GeoJSON, the OpenAPI document and a constant number of queries per list."""

from __future__ import annotations

import json
import re
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from network.api import hsds
from network.hours_document import closure, period
from network.models import Site
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("territory")]

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "network" / "api" / "schemas" / "hsds"
GENT = (51.0543, 3.7174)
MOLENBEEK = (50.8547, 4.3223)  # about 50 km from Gent
# Fixed (not random) so that parametrized test ids are the same in every xdist worker.
UNKNOWN = "3f2c9d4e-0000-4000-8000-000000000000"

# --- schema validation -----------------------------------------------------------------------


def _registry() -> Registry:
    """The copied HSDS schemas, by the bare file names they use to reference each other."""
    resources = [
        (path.name, Resource.from_contents(json.loads(path.read_text()), DRAFT202012))
        for path in SCHEMA_DIR.glob("*.json")
    ]
    return Registry().with_resources(resources)


def _format_checker() -> FormatChecker:
    """jsonschema's checker plus `uri` and `date-time`, which otherwise need extra packages."""
    checker = FormatChecker()

    @checker.checks("uri")
    def is_uri(value: object) -> bool:
        if not isinstance(value, str):
            return True
        parts = urlsplit(value)
        return bool(parts.scheme and parts.netloc)

    @checker.checks("date-time", raises=ValueError)
    def is_date_time(value: object) -> bool:
        if not isinstance(value, str):
            return True
        return datetime.fromisoformat(value).tzinfo is not None

    return checker


REGISTRY = _registry()
FORMATS = _format_checker()


def errors(instance: Any, schema_file: str) -> list[str]:
    """Every way `instance` breaks the HSDS schema `schema_file` (draft 2020-12, formats on)."""
    validator = Draft202012Validator(
        {"$ref": schema_file}, registry=REGISTRY, format_checker=FORMATS
    )
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(instance)
    ]


def assert_valid(instance: Any, schema_file: str) -> None:
    problems = errors(instance, schema_file)
    assert not problems, f"{schema_file}: {problems}"


def assert_valid_page(body: dict[str, Any], schema_file: str) -> None:
    """An HSDS page: the complete header, and every item valid."""
    for key, kind in [
        ("total_items", int),
        ("total_pages", int),
        ("page_number", int),
        ("size", int),
        ("first_page", bool),
        ("last_page", bool),
        ("empty", bool),
        ("contents", list),
    ]:
        assert isinstance(body[key], kind), key
    assert body["size"] == len(body["contents"])
    for item in body["contents"]:
        assert_valid(item, schema_file)


# --- helpers ---------------------------------------------------------------------------------


def get(client, url: str, **query: Any):
    response = client.get(url, query)
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/json"
    return response.json()


def every_kind_of_site(**fields: Any) -> Site:
    """A site offering all four pillars, with every kind of period, a closure and facilities."""
    monday = date(2026, 1, 5)
    hours = {
        "periods": [
            period(0, "09:00", "12:00"),
            period(1, "13:00", "17:00", recurrence="biweekly", anchor=monday + timedelta(days=8)),
            period(1, "18:00", "20:00", recurrence="monthly", nth=1),
            period(4, "10:00", "12:00", recurrence="monthly", nth=-1),
            {
                **period(5, "20:00", "00:00"),
                "valid_from": "2026-01-01",
                "valid_until": "2026-06-30",
            },
        ],
        "exceptions": [closure(date(2099, 7, 15), date(2099, 8, 15), "Summer closure")],
    }
    defaults: dict[str, Any] = {
        "themes": ("eid-itsme", "phishing"),
        "opening_hours": hours,
        "offers_access": True,
        "offers_lending": True,
        "offers_learning": True,
        "has_wifi": True,
        "has_computers": True,
        "languages": ",nl,fr,vgt,",
        "step_free": True,
        "hearing_loop": True,
        "phone": "09 123 45 67",
        "email": "digipunt@gent.example",
        "website": "https://gent.example/digipunt",
        "brand": "Digicafé",
        "location_note": "2nd floor",
        "by_appointment": True,
        "description": "Help with everything digital.",
    }
    defaults.update(fields)
    return factories.site(**defaults)


def service_url(site: Site, pillar: str) -> str:
    return f"/api/hsds/services/{hsds.service_id(site.uuid, pillar)}"


# --- API root and services -------------------------------------------------------------------


def test_the_api_root_says_hsds_3_0_and_where_the_openapi_document_is(client):
    body = get(client, "/api/hsds/")
    assert body["version"] == "3.0"
    assert body["profile"].startswith("https://")
    assert body["openapi_url"].endswith("/api/openapi.json")


def test_a_fully_nested_service_is_valid_hsds_in_every_part(client):
    site = every_kind_of_site()
    body = get(client, service_url(site, "lending"))

    assert_valid(body, "service.json")
    assert_valid(body["organization"], "organization.json")
    for link in body["service_at_locations"]:
        assert_valid(link, "service_at_location.json")
        assert_valid(link["location"], "location.json")
        for address in link["location"]["addresses"]:
            assert_valid(address, "address.json")
    for schedule in body["schedules"]:
        assert_valid(schedule, "schedule.json")
    for attribute in body["attributes"]:
        assert_valid(attribute["taxonomy_term"], "taxonomy_term.json")


def test_a_fully_nested_service_carries_what_we_know_about_the_site(client):
    site = every_kind_of_site()
    body = get(client, service_url(site, "lending"), lang="en")

    assert body["id"] == str(uuid.uuid5(site.uuid, "lending"))
    assert body["name"] == f"Device lending — {site.name}"
    assert body["organization_id"] == str(site.organisation.uuid)
    assert body["status"] == "active"
    assert body["url"].endswith(f"/en/digipunt/{site.slug}/")
    assert body["email"] == "digipunt@gent.example"
    assert body["assured_date"] == "2026-11-01"
    assert body["phones"][0]["number"] == "09 123 45 67"
    assert [language["code"] for language in body["languages"]] == ["nl", "fr", "vgt"]
    assert {a["taxonomy_term"]["code"] for a in body["attributes"]} == {"eid-itsme", "phishing"}
    [link] = body["service_at_locations"]
    location = link["location"]
    assert location["id"] == str(site.uuid)
    assert (location["latitude"], location["longitude"]) == GENT
    assert location["alternate_name"] == "Digicafé"
    assert location["addresses"][0]["postal_code"] == "9000"
    assert location["addresses"][0]["state_province"] == "Provincie Oost-Vlaanderen"
    assert location["addresses"][0]["country"] == "BE"
    assert len(location["accessibility"]) == 2


def test_a_site_offers_one_service_per_pillar_with_ids_that_never_change(client):
    site = every_kind_of_site(offers_learning=False)
    body = get(client, "/api/hsds/services")

    ids = [service["id"] for service in body["contents"]]
    assert ids == [str(uuid.uuid5(site.uuid, pillar)) for pillar in ("help", "access", "lending")]
    assert ids == [service["id"] for service in get(client, "/api/hsds/services")["contents"]]


def test_the_internet_and_computers_service_lists_the_facilities(client):
    site = every_kind_of_site()
    body = get(client, service_url(site, "access"), lang="en")
    assert body["description"].startswith("Free wifi, computers for public use.")


def test_opening_periods_become_rfc_5545_schedules(client):
    site = every_kind_of_site()
    schedules = get(client, service_url(site, "help"), lang="en")["schedules"]

    rules = [
        (s["freq"], s["interval"], s["byday"], s.get("dtstart"), s["opens_at"], s["closes_at"])
        for s in schedules
    ]
    assert rules == [
        ("WEEKLY", 1, "MO", None, "09:00", "12:00"),
        # Fortnightly: the anchor's week (Monday 12 January) fixes the weeks; dtstart is the
        # Tuesday of that week, so that it is itself an occurrence.
        ("WEEKLY", 2, "TU", "2026-01-13", "13:00", "17:00"),
        ("MONTHLY", 1, "1TU", None, "18:00", "20:00"),
        ("MONTHLY", 1, "-1FR", None, "10:00", "12:00"),
        # Until midnight: 23:59, so that closes_at stays after opens_at.
        ("WEEKLY", 1, "SA", None, "20:00", "23:59"),
    ]
    assert (schedules[-1]["valid_from"], schedules[-1]["valid_to"]) == ("2026-01-01", "2026-06-30")
    assert all(s["service_id"] == str(hsds.service_id(site.uuid, "help")) for s in schedules)
    assert [s["description"] for s in schedules] == [
        "Every Monday from 09:00 to 12:00",
        "Every other Tuesday from 13:00 to 17:00",
        "The first Tuesday of the month from 18:00 to 20:00",
        "The last Friday of the month from 10:00 to 12:00",
        "Every Saturday from 20:00 to midnight",
    ]
    assert schedules[0]["notes"] == "Times are local time in Belgium. Closed on public holidays."


def test_closures_are_announced_in_the_alert_and_close_the_service_while_they_last(client):
    site = every_kind_of_site()
    body = get(client, service_url(site, "help"), lang="en")
    assert body["alert"] == "Closed from 2099-07-15 to 2099-08-15 (Summer closure)."
    assert body["status"] == "active"

    today = timezone.localdate()
    site.opening_hours = {"periods": [], "exceptions": [closure(today, today, "Move")]}
    site.save()
    assert get(client, service_url(site, "help"))["status"] == "temporarily closed"


def test_every_service_in_the_list_is_valid_hsds(client):
    every_kind_of_site()
    factories.site(
        municipality="21012", postal_code="1080", latitude=MOLENBEEK[0], longitude=MOLENBEEK[1]
    )
    body = get(client, "/api/hsds/services")

    assert_valid_page(body, "service.json")
    assert body["total_items"] == 5
    assert "service_at_locations" not in body["contents"][0]


def test_pages_walk_through_all_services_once(client):
    for _ in range(3):
        every_kind_of_site()  # 4 services each
    seen: list[str] = []
    for number in (1, 2, 3, 4):
        body = get(client, "/api/hsds/services", page=number, per_page=5)
        assert body["page_number"] == number
        assert body["total_items"] == 12
        assert body["total_pages"] == 3
        assert body["first_page"] is (number == 1)
        assert body["last_page"] is (number >= 3)
        seen += [service["id"] for service in body["contents"]]
    assert len(seen) == len(set(seen)) == 12


def test_an_empty_list_is_one_empty_page(client):
    body = get(client, "/api/hsds/services")
    assert body["empty"] is True
    assert (body["total_items"], body["total_pages"], body["size"]) == (0, 1, 0)


def test_services_can_be_filtered_by_theme_organisation_and_search(client):
    phishing = factories.site(themes=("phishing",), name="Bibliotheek De Krook")
    other = factories.site(themes=("eid-itsme",), name="Stadhuis")
    term = str(hsds.theme_term_id("phishing"))

    def organisations(**query: str) -> set[str]:
        body = get(client, "/api/hsds/services", **query)
        return {service["organization_id"] for service in body["contents"]}

    assert organisations(taxonomy_term_id=term) == {str(phishing.organisation.uuid)}
    assert organisations(organization_id=str(other.organisation.uuid)) == {
        str(other.organisation.uuid)
    }
    assert organisations(search="krook") == {str(phishing.organisation.uuid)}
    assert organisations(search="krook", organization_id=str(other.organisation.uuid)) == set()
    assert organisations(taxonomy_term_id=str(uuid.uuid4())) == set()


def test_names_and_texts_follow_the_lang_parameter(client):
    site = every_kind_of_site()
    body = get(client, service_url(site, "help"), lang="fr")
    terms = {a["taxonomy_term"]["code"]: a["taxonomy_term"] for a in body["attributes"]}
    assert terms["eid-itsme"]["name"] == "eID et itsme"
    assert terms["eid-itsme"]["language"] == "fr"
    assert body["url"].endswith(f"/fr/digipunt/{site.slug}/")


# --- service at locations --------------------------------------------------------------------


def test_every_service_at_location_is_valid_hsds_with_its_location(client):
    site = every_kind_of_site()
    body = get(client, "/api/hsds/service_at_locations")

    assert_valid_page(body, "service_at_location.json")
    for item in body["contents"]:
        assert_valid(item["location"], "location.json")
        assert_valid(item["service"], "service.json")
        assert item["location_id"] == str(site.uuid)

    one = get(client, f"/api/hsds/service_at_locations/{body['contents'][0]['id']}")
    assert_valid(one, "service_at_location.json")
    assert_valid(one["service"], "service.json")
    assert one["service"]["schedules"]


def test_service_at_locations_can_be_filtered_by_postcode(client):
    factories.site(name="In Gent")
    factories.site(
        name="In Molenbeek",
        municipality="21012",
        postal_code="1080",
        latitude=MOLENBEEK[0],
        longitude=MOLENBEEK[1],
    )
    body = get(client, "/api/hsds/service_at_locations", postcode="1080")
    assert [item["location"]["name"] for item in body["contents"]] == ["In Molenbeek"]
    assert get(client, "/api/hsds/service_at_locations", postcode="2000")["empty"] is True


def test_proximity_lists_the_nearest_first_within_the_radius(client):
    # Named so that alphabetical order differs from the order by distance.
    factories.site(
        name="A far",
        municipality="21012",
        postal_code="1080",
        latitude=MOLENBEEK[0],
        longitude=MOLENBEEK[1],
    )
    factories.site(name="B five km", latitude=GENT[0] + 0.045, longitude=GENT[1])
    factories.site(name="C centre", latitude=GENT[0], longitude=GENT[1])
    point = f"{GENT[0]},{GENT[1]}"

    def names(**query: str) -> list[str]:
        body = get(client, "/api/hsds/service_at_locations", proximity=point, **query)
        return [item["location"]["name"] for item in body["contents"]]

    assert names() == ["C centre", "B five km"]  # default radius 10 km
    assert names(proximity_radius="3") == ["C centre"]
    assert names(proximity_radius="100") == ["C centre", "B five km", "A far"]
    assert names(proximity_radius="100", postcode="1080") == ["A far"]


# --- organizations, locations, taxonomies ----------------------------------------------------


def test_organizations_are_valid_hsds_and_only_those_with_a_published_site(client):
    site = every_kind_of_site()
    hidden = factories.site(is_published=False)
    body = get(client, "/api/hsds/organizations", lang="en")

    assert_valid_page(body, "organization.json")
    assert [org["id"] for org in body["contents"]] == [str(site.organisation.uuid)]
    assert body["contents"][0]["description"] == "Municipality, Gent"

    one = get(client, f"/api/hsds/organizations/{site.organisation.uuid}")
    assert_valid(one, "organization.json")
    assert [location["id"] for location in one["locations"]] == [str(site.uuid)]
    assert len(one["services"]) == 4
    response = client.get(f"/api/hsds/organizations/{hidden.organisation.uuid}")
    assert response.status_code == 404


def test_locations_are_valid_hsds(client):
    site = every_kind_of_site()
    factories.site(kind=Site.Kind.HOME_VISITS, opening_hours={})
    body = get(client, "/api/hsds/locations")

    assert_valid_page(body, "location.json")
    assert {item["location_type"] for item in body["contents"]} == {"physical", "postal"}
    one = get(client, f"/api/hsds/locations/{site.uuid}")
    assert_valid(one, "location.json")
    assert one["description"] == "2nd floor"
    assert one["url"] == "https://gent.example/digipunt"


def test_the_themes_are_one_taxonomy_with_valid_terms(client):
    body = get(client, "/api/hsds/taxonomies")
    assert_valid_page(body, "taxonomy.json")
    [taxonomy] = body["contents"]
    assert taxonomy["name"] == "digipunt-themes"
    assert_valid(get(client, f"/api/hsds/taxonomies/{taxonomy['id']}"), "taxonomy.json")

    terms = get(client, "/api/hsds/taxonomy_terms", per_page=100)
    assert_valid_page(terms, "taxonomy_term.json")
    assert terms["total_items"] >= 3
    assert {term["taxonomy_id"] for term in terms["contents"]} == {taxonomy["id"]}
    eid = str(hsds.theme_term_id("eid-itsme"))
    assert get(client, f"/api/hsds/taxonomy_terms/{eid}")["code"] == "eid-itsme"
    other = get(client, "/api/hsds/taxonomy_terms", taxonomy_id=str(uuid.uuid4()))
    assert other["empty"] is True


# --- validation can fail -----------------------------------------------------------------------


def test_schema_validation_rejects_a_broken_service(client):
    site = every_kind_of_site()
    body = get(client, service_url(site, "help"))
    assert errors(body, "service.json") == []

    broken = {**body, "status": "open", "id": "not-a-uuid", "url": "gent", "last_modified": "x"}
    del broken["name"]
    broken["service_at_locations"][0]["location"]["addresses"][0].pop("country")
    problems = errors(broken, "service.json")

    assert any("'name' is a required property" in p for p in problems)
    assert any("'open' is not one of" in p for p in problems)
    assert any("'not-a-uuid' is not a 'uuid'" in p for p in problems)
    assert any("'country' is a required property" in p for p in problems)
    assert any("'gent' is not a 'uri'" in p for p in problems)
    assert any("'x' is not a 'date-time'" in p for p in problems)
    with pytest.raises(ValidationError):
        Draft202012Validator({"$ref": "schedule.json"}, registry=REGISTRY).validate(
            {"id": str(uuid.uuid4()), "freq": "DAILY"}
        )


# --- unpublished, 404, 400 -------------------------------------------------------------------


def test_unpublished_sites_are_never_shown(client):
    shown = factories.site(name="Shown")
    hidden = factories.site(name="Hidden", is_published=False)

    for url in ("/api/hsds/services", "/api/hsds/service_at_locations", "/api/hsds/locations"):
        text = json.dumps(get(client, url))
        assert "Shown" in text, url
        assert "Hidden" not in text, url
        assert str(hidden.uuid) not in text, url
    features = get_geojson(client)["features"]
    assert [feature["id"] for feature in features] == [str(shown.uuid)]
    for url in (
        service_url(hidden, "help"),
        f"/api/hsds/service_at_locations/{hsds.service_at_location_id(hidden.uuid, 'help')}",
        f"/api/hsds/locations/{hidden.uuid}",
    ):
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize(
    "url",
    [
        f"/api/hsds/services/{UNKNOWN}",
        "/api/hsds/services/not-a-uuid",
        f"/api/hsds/service_at_locations/{UNKNOWN}",
        "/api/hsds/service_at_locations/%20",
        f"/api/hsds/organizations/{UNKNOWN}",
        "/api/hsds/organizations/123",
        f"/api/hsds/locations/{UNKNOWN}",
        f"/api/hsds/taxonomies/{UNKNOWN}",
        f"/api/hsds/taxonomy_terms/{UNKNOWN}",
        "/api/hsds/taxonomy_terms/" + "x" * 5000,
        "/api/hsds/schemas/settings.py",
    ],
)
def test_an_unknown_or_malformed_id_is_a_json_404(client, url):
    factories.site()
    response = client.get(url)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"].startswith("No ")
    assert len(response.content) < 500


def test_a_service_of_a_pillar_the_site_does_not_offer_is_a_404(client):
    site = factories.site(offers_lending=False)
    assert client.get(service_url(site, "lending")).status_code == 404


@pytest.mark.parametrize(
    ("url", "query", "message"),
    [
        ("/api/hsds/services", {"page": "abc"}, "page must be a whole number"),
        ("/api/hsds/services", {"page": "0"}, "page must be a whole number of at least 1"),
        ("/api/hsds/services", {"page": "-1"}, "page must be a whole number"),
        ("/api/hsds/services", {"per_page": "10000"}, "per_page must be at most 100"),
        ("/api/hsds/services", {"per_page": "1.5"}, "per_page must be a whole number"),
        ("/api/hsds/services", {"taxonomy_term_id": "eid"}, "taxonomy_term_id must be a UUID"),
        ("/api/hsds/services", {"search": "x" * 150}, "search is too long"),
        ("/api/hsds/services", {"search": "x" * 100_000}, "search is too long"),
        ("/api/hsds/services", {"search": "a\x00b"}, "search contains control characters"),
        ("/api/hsds/services", {"lang": "de"}, "lang must be one of nl, fr, en"),
        ("/api/hsds/services", {"format": "ndjson"}, "format must be json"),
        ("/api/hsds/service_at_locations", {"proximity": "foo"}, "proximity must be"),
        ("/api/hsds/service_at_locations", {"proximity": "51,foo"}, "must be a number"),
        ("/api/hsds/service_at_locations", {"proximity": "nan,3"}, "must be a finite number"),
        ("/api/hsds/service_at_locations", {"proximity": "91,3"}, "latitude (-90..90)"),
        (
            "/api/hsds/service_at_locations",
            {"proximity": "51,3", "proximity_radius": "1000"},
            "proximity_radius must be more than 0 and at most 100 km",
        ),
        (
            "/api/hsds/service_at_locations",
            {"proximity": "51,3", "proximity_radius": "0"},
            "proximity_radius must be more than 0",
        ),
        ("/api/hsds/service_at_locations", {"proximity_radius": "5"}, "proximity_radius needs"),
        ("/api/hsds/service_at_locations", {"postcode": "ABCD"}, "postcode must be"),
        ("/api/hsds/service_at_locations", {"postcode": "90000"}, "postcode must be"),
        ("/api/hsds/organizations", {"page": "x"}, "page must be"),
        ("/api/hsds/locations", {"per_page": "0"}, "per_page must be"),
        ("/api/hsds/taxonomy_terms", {"taxonomy_id": "themes"}, "taxonomy_id must be a UUID"),
        ("/api/sites.geojson", {"lang": "xx"}, "lang must be"),
    ],
)
def test_a_bad_parameter_is_a_json_400_that_says_what_is_wrong(client, url, query, message):
    response = client.get(url, query)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert message in response.json()["error"]
    assert len(response.content) < 1000  # a huge value is not echoed back


# --- headers -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["/api/hsds/", "/api/hsds/services", "/api/hsds/services?page=x", "/api/hsds/services/x"],
)
def test_every_response_is_open_to_any_origin_and_publicly_cacheable(client, url):
    response = client.get(url)
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Cache-Control"] == "public, max-age=300"


def test_the_api_is_read_only(client):
    assert client.post("/api/hsds/services").status_code == 405


# --- GeoJSON -----------------------------------------------------------------------------------


def get_geojson(client, **query: str) -> dict[str, Any]:
    response = client.get("/api/sites.geojson", query)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    assert response["Access-Control-Allow-Origin"] == "*"
    return response.json()


def test_the_geojson_has_one_point_per_published_site_with_its_facts(client):
    site = every_kind_of_site(is_demo=True)
    body = get_geojson(client)

    assert body["type"] == "FeatureCollection"
    [feature] = body["features"]
    assert feature["type"] == "Feature"
    assert feature["geometry"] == {"type": "Point", "coordinates": [GENT[1], GENT[0]]}
    properties = feature["properties"]
    assert properties["id"] == feature["id"] == str(site.uuid)
    assert properties["url"].endswith(f"/nl/digipunt/{site.slug}/")
    assert properties["address"] == "Kouter 1, 9000 Gent"
    assert properties["municipality"] == "44021"
    assert properties["services"] == ["help", "access", "lending", "learning"]
    assert sorted(properties["themes"]) == ["eid-itsme", "phishing"]
    assert properties["languages"] == ["nl", "fr", "vgt"]
    assert properties["walk_in"] is True
    assert properties["step_free"] is True
    assert properties["opening_hours"].startswith("Mo 09:00-12:00")
    assert properties["last_verified"] == "2026-11-01"
    assert properties["is_demo"] is True


def test_the_geojson_matches_the_schema_in_the_openapi_document(client):
    every_kind_of_site()
    factories.site(opening_hours={}, last_verified=None)
    document = get(client, "/api/openapi.json")
    schema = document["components"]["schemas"]["SiteFeatureCollection"]
    Draft202012Validator(schema, format_checker=FORMATS).validate(get_geojson(client))


def test_a_site_whose_stored_hours_no_longer_parse_is_still_published_without_hours(client):
    site = factories.site()
    Site.objects.filter(pk=site.pk).update(opening_hours={"periods": [{"weekday": 9}]})

    [feature] = get_geojson(client)["features"]
    assert feature["properties"]["opening_hours"] is None
    body = get(client, service_url(site, "help"))
    assert "schedules" in body
    assert body["schedules"] == []
    assert_valid(body, "service.json")


# --- OpenAPI -----------------------------------------------------------------------------------


def _api_paths() -> list[str]:
    """Every path of the URL map under /api/, in OpenAPI form (`<str:id>` -> `{id}`)."""
    found: list[str] = []

    def walk(patterns: list[URLPattern | URLResolver], prefix: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            else:
                found.append("/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route))

    walk(get_resolver().url_patterns, "")
    return [p for p in found if p.startswith("/api/")]


def test_the_openapi_document_describes_every_api_path(client):
    document = get(client, "/api/openapi.json")

    assert document["openapi"] == "3.1.0"
    assert document["info"]["title"]
    assert document["info"]["version"]
    paths = _api_paths()
    assert len(paths) == 17
    assert sorted(document["paths"]) == sorted(paths)
    for path, item in document["paths"].items():
        operation = item.get("get") or item["post"]
        assert operation["operationId"], path
        assert operation["responses"].get("200") or operation["responses"]["201"], path
        declared = {
            p.get("name") for p in [*item.get("parameters", []), *operation.get("parameters", [])]
        }
        for name in re.findall(r"{(\w+)}", path):
            assert name in declared, f"{path}: path parameter {name} is not declared"


def test_every_reference_in_the_openapi_document_resolves(client):
    document = get(client, "/api/openapi.json")
    refs = re.findall(r'"\$ref": "([^"]+)"', json.dumps(document))
    operation_ids = re.findall(r'"operationId": "([^"]+)"', json.dumps(document))
    assert len(operation_ids) == len(set(operation_ids))

    assert refs
    for ref in refs:
        if ref.startswith("#/"):
            node: Any = document
            for part in ref[2:].split("/"):
                node = node[part]
        else:
            # The HSDS schemas are served by the API itself.
            path = urlsplit(ref).path
            response = client.get(path)
            assert response.status_code == 200, ref
            assert response["Content-Type"] == "application/json"
            assert response.json()["name"] == Path(path).stem


# --- OpenAPI: the contacts endpoint (questions.api) ---------------------------------------------


def _openapi_schema(document: dict[str, Any], name: str) -> Draft202012Validator:
    """A validator for `components.schemas[name]` of the served document, `$ref`s and all."""
    registry = Registry().with_resource(
        "urn:digipunt:openapi", Resource.from_contents(document, DRAFT202012)
    )
    return Draft202012Validator(
        {"$ref": f"urn:digipunt:openapi#/components/schemas/{name}"},
        registry=registry,
        format_checker=FORMATS,
    )


def test_the_openapi_document_describes_the_contacts_endpoint_with_bearer_tokens(client):
    document = get(client, "/api/openapi.json")

    operation = document["paths"]["/api/v1/contacts"]["post"]
    assert set(operation["responses"]) == {"200", "201", "400", "401", "404", "405", "413"}
    assert operation["responses"]["401"]["headers"]["WWW-Authenticate"]
    [requirement] = operation["security"]
    [scheme] = requirement
    described = document["components"]["securitySchemes"][scheme]
    assert (described["type"], described["scheme"]) == ("http", "bearer")
    request = operation["requestBody"]["content"]["application/json"]["schema"]
    assert request == {"$ref": "#/components/schemas/ContactRegistration"}
    channel = document["components"]["schemas"]["ContactRegistration"]["properties"]["channel"]
    assert "walk_in" in channel["enum"]
    assert "video" in channel["enum"]
    # The open-data paths stay open: no security requirement on them.
    assert "security" not in document["paths"]["/api/hsds/services"]["get"]


def test_a_real_contact_registration_matches_the_schemas_in_the_openapi_document(client):
    from accounts.api_tokens import api_token_create
    from accounts.models import User

    document = get(client, "/api/openapi.json")
    site = factories.site()
    admin = User.objects.create_user(email="api-admin@example.org", password="x" * 20)
    _token, plaintext = api_token_create(actor=admin, organisation=site.organisation, name="Tool")
    request = {
        "site": str(site.uuid),
        "occurred_at": timezone.now().replace(microsecond=0).isoformat(),
        "channel": "appointment",
        "duration": "30-60",
        "people": 2,
        "note": "Installed the app",
        "profile": {"age_band": "65-74", "language": "nl", "first_visit": False},
        "questions": [
            {"theme": "eid-itsme", "concern": "itsme", "outcome": "solved"},
            {"theme": "banking", "outcome": "referred", "referred_to": "bank"},
        ],
    }
    _openapi_schema(document, "ContactRegistration").validate(request)
    auth = {"authorization": f"Bearer {plaintext}"}

    created = client.post(
        "/api/v1/contacts", json.dumps(request), content_type="application/json", headers=auth
    )
    refused = client.post(
        "/api/v1/contacts",
        json.dumps({**request, "channel": "fax"}),
        content_type="application/json",
        headers=auth,
    )
    unknown = client.post("/api/v1/contacts", json.dumps(request), content_type="application/json")

    assert created.status_code == 201
    _openapi_schema(document, "ContactsCreated").validate(created.json())
    assert refused.status_code == 400
    _openapi_schema(document, "ValidationErrors").validate(refused.json())
    assert unknown.status_code == 401
    _openapi_schema(document, "Error").validate(unknown.json())
    # And the schema is strict enough to catch what the endpoint refuses.
    assert list(
        _openapi_schema(document, "ContactRegistration").iter_errors({**request, "channel": "fax"})
    )


# --- queries -----------------------------------------------------------------------------------


LIST_URLS = [
    "/api/hsds/services?per_page=100",
    f"/api/hsds/services?per_page=100&taxonomy_term_id={hsds.theme_term_id('eid-itsme')}",
    "/api/hsds/service_at_locations?per_page=100",
    "/api/hsds/service_at_locations?proximity=51.05,3.72&proximity_radius=50&postcode=9000",
    "/api/hsds/organizations?per_page=100",
    "/api/hsds/locations?per_page=100&search=digipunt",
    "/api/hsds/taxonomy_terms?per_page=100",
    "/api/sites.geojson",
]


def _queries(client, url: str) -> int:
    caches["pages"].clear()  # measure the work, not the cached document
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def test_lists_run_the_same_few_queries_for_3_sites_as_for_30(
    client, django_assert_max_num_queries
):
    for _ in range(3):
        every_kind_of_site()
    few = {url: _queries(client, url) for url in LIST_URLS}
    for _ in range(27):
        every_kind_of_site()
    for url in LIST_URLS:
        with django_assert_max_num_queries(5):
            body = client.get(url).json()
        assert _queries(client, url) == few[url], url
        assert len(body.get("contents", body.get("features", []))) >= 3, url


def test_the_geojson_directory_is_served_from_the_cache_until_a_site_changes(client):
    factories.site(name="Digipunt Cached")
    first = client.get("/api/sites.geojson").content

    with CaptureQueriesContext(connection) as again:
        assert client.get("/api/sites.geojson").content == first
    assert len(again.captured_queries) == 0
    factories.site(name="Digipunt Added Later")
    assert b"Digipunt Added Later" in client.get("/api/sites.geojson").content
