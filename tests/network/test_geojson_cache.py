"""The GeoJSON directory (`/api/sites.geojson`) is built once per version, language and day, and
served again as ready bytes whatever else the query string holds (network/api/geojson_cache.py).
"""

from __future__ import annotations

import gzip
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from network.api import geojson_cache
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("territory")]

URL = "/api/sites.geojson"
# A Monday evening in Brussels: the document is true until midnight.
MONDAY_2200 = datetime(2026, 11, 23, 22, 0, tzinfo=ZoneInfo("Europe/Brussels"))


@pytest.fixture
def clock(monkeypatch):
    class Clock:
        now = MONDAY_2200

    monkeypatch.setattr(timezone, "now", lambda: Clock.now)
    return Clock


@pytest.fixture
def sites():
    return [factories.site(name="Kouter"), factories.site(name="Zuid")]


def test_a_parameter_the_endpoint_does_not_know_is_served_from_the_cache(
    client, sites, django_assert_num_queries
):
    first = client.get(URL)
    assert first.status_code == 200

    with django_assert_num_queries(0):
        again = client.get(URL, {"utm_source": "newsletter", "v": "2"})

    assert again.status_code == 200
    assert again.content == first.content
    assert again["ETag"] == first["ETag"]


def test_the_default_language_and_the_json_format_named_are_the_same_document(
    client, sites, django_assert_num_queries
):
    first = client.get(URL)

    with django_assert_num_queries(0):
        named = client.get(URL, {"lang": "nl", "format": "json", "x": "1"})

    assert named.content == first.content


def test_each_language_is_its_own_document(client, sites):
    dutch = client.get(URL).json()
    french = client.get(URL, {"lang": "fr"}).json()

    assert "/nl/digipunt/" in dutch["features"][0]["properties"]["url"]
    assert "/fr/digipunt/" in french["features"][0]["properties"]["url"]


def test_a_bad_parameter_is_still_a_400_and_is_not_kept(client, sites):
    assert client.get(URL, {"lang": "xx"}).status_code == 400
    assert client.get(URL, {"format": "ndjson"}).status_code == 400
    assert client.get(URL).status_code == 200


def test_a_client_that_accepts_gzip_gets_the_compressed_bytes_of_the_same_document(client, sites):
    plain = client.get(URL)

    packed = client.get(URL, HTTP_ACCEPT_ENCODING="gzip, deflate, br")

    assert packed["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.content) == plain.content
    assert packed["ETag"] == f"W/{plain['ETag']}"
    assert "Accept-Encoding" in packed["Vary"]
    assert "Accept-Encoding" in plain["Vary"]
    assert packed["Content-Type"] == plain["Content-Type"] == "application/geo+json"
    assert packed["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("encoding", ["", "gzip"])
def test_a_matching_etag_is_answered_with_304(client, sites, encoding):
    first = client.get(URL, HTTP_ACCEPT_ENCODING=encoding)

    again = client.get(
        URL, {"cache-buster": "1"}, HTTP_ACCEPT_ENCODING=encoding, HTTP_IF_NONE_MATCH=first["ETag"]
    )

    assert again.status_code == 304
    assert again.content == b""


def test_another_process_takes_the_document_from_the_shared_cache(
    client, sites, django_assert_num_queries
):
    first = client.get(URL)
    geojson_cache._memo._values.clear()  # this process forgets it, as a second process would

    with django_assert_num_queries(0):
        again = client.get(URL)

    assert again.content == first.content


def test_a_change_to_the_directory_builds_the_document_anew(client, sites):
    client.get(URL)

    factories.site(name="Digipunt Added Later")

    assert b"Digipunt Added Later" in client.get(URL, {"x": "1"}).content


def test_the_document_is_kept_until_midnight_and_built_anew_the_next_day(
    client, sites, clock, django_assert_max_num_queries
):
    first = client.get(URL)
    assert first["Cache-Control"] == "public, max-age=300"
    clock.now = MONDAY_2200 + timedelta(hours=1, minutes=58)  # 23:58
    assert client.get(URL)["Cache-Control"] == "public, max-age=120"

    clock.now = MONDAY_2200 + timedelta(hours=2, minutes=1)  # Tuesday 00:01
    with django_assert_max_num_queries(5) as built:
        client.get(URL)
    assert len(built.captured_queries) > 0
