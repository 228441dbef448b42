"""What residents do with the finder, in a real browser, with JavaScript on and off.

Controls are found by id, value and role rather than by their visible words, so these journeys
hold whatever the translation catalogues say; the words a resident reads are checked where they
come from the page itself (the service label is read from the filter's own option).
"""

from __future__ import annotations

import csv
import json
import math
import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, Response, expect

pytestmark = pytest.mark.browser

DISTANCE = re.compile(r"^\d+(?:[.,]\d)?\s?km$|^\d+\s?m$")


def _search(page: Page, query: str) -> Response | None:
    """Type a place in the search box and press the search button, as a resident would."""
    page.locator("#id_q").fill(query)
    with page.expect_navigation() as navigation:
        page.locator(".search-row button[type=submit]").click()
    return navigation.value


def _query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query, keep_blank_values=True)


def test_search_by_postal_code_shows_nearest_with_distance_and_status(any_page: Page) -> None:
    page = any_page
    page.goto("/nl/")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    response = _search(page, "9000")

    assert response is not None
    assert response.status == 200
    assert urlsplit(page.url).path == "/nl/search/"
    assert _query(page.url)["q"] == ["9000"]
    results = page.locator("ol.results > li.result")
    expect(results.first).to_be_visible()
    first = results.first
    expect(first.locator("h2 a")).to_have_attribute("href", re.compile(r"^/nl/digipunt/[\w-]+/$"))
    distance = first.locator(".distance").inner_text().strip()
    # Under 1 km the page says metres ("650 m"); the postal code's centre is in the city.
    assert DISTANCE.match(distance), f"Not a distance: {distance!r}"
    status = first.locator("p.status")
    expect(status).to_have_class(re.compile(r"\b(open|closed)\b"))
    assert status.inner_text().strip(), "The first result shows no opening status"
    # Results are nearest first, and further ones are given in km.
    texts = results.locator(".distance").all_inner_texts()
    assert any(text.strip().endswith("km") for text in texts), texts
    distances = [_km(text) for text in texts]
    assert distances == sorted(distances), distances


def _km(text: str) -> float:
    number, unit = text.replace("\xa0", " ").strip().rsplit(" ", 1)
    value = float(number.replace(".", "").replace(",", ".") if "," in number else number)
    return value if unit == "km" else value / 1000


def _locality_point(postal_code: str, name: str) -> tuple[float, float]:
    """A locality's point, read from the table the territory is loaded from."""
    table = Path(__file__).resolve().parents[2] / "territory" / "data" / "localities-be.csv"
    with table.open(encoding="utf-8", newline="") as file:
        for row in csv.DictReader(file):
            if row["postal_code"] == postal_code and row["name_nl"] == name:
                return float(row["latitude"]), float(row["longitude"])
    raise AssertionError(f"{postal_code} {name} is not in the table")


def _haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    (lat1, lon1), (lat2, lon2) = (tuple(map(math.radians, point)) for point in (a, b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def test_a_village_typed_on_the_home_page_is_searched_from_the_village(any_page: Page) -> None:
    page = any_page
    merendree = _locality_point("9850", "Merendree")
    deinze = _locality_point("9800", "Deinze")  # where a search for the municipality starts
    page.goto("/nl/")
    _search(page, "Merendree")

    assert urlsplit(page.url).path == "/nl/search/"
    assert _query(page.url)["q"] == ["Merendree"]
    expect(page.locator("h1")).to_contain_text("Merendree (Deinze)")
    results = page.locator("ol.results > li.result")
    expect(results.first).to_be_visible()
    shown, from_merendree, from_deinze = [], [], []
    for index in range(results.count()):
        result = results.nth(index)
        site = (float(result.get_attribute("data-lat")), float(result.get_attribute("data-lon")))
        shown.append(_km(result.locator(".distance").inner_text()))
        from_merendree.append(_haversine_km(merendree, site))
        from_deinze.append(_haversine_km(deinze, site))
    # The page's distances are those from Merendree (rounded to 0.1 km, or 10 m), nearest first.
    assert all(abs(a - b) <= 0.06 for a, b in zip(shown, from_merendree, strict=True)), (
        shown,
        from_merendree,
    )
    assert shown == sorted(shown)
    assert from_merendree == sorted(from_merendree)
    # And not those from the middle of Deinze, 10 km away.
    assert any(abs(a - b) > 1 for a, b in zip(shown, from_deinze, strict=True))


def test_a_name_several_villages_bear_asks_which_one_and_the_choice_searches_there(
    any_page: Page,
) -> None:
    page = any_page
    page.goto("/en/")
    _search(page, "Haren")

    choices = page.locator(".place-choices a")
    expect(choices).to_have_count(3)
    expect(page.locator("ol.results")).to_have_count(0)
    with page.expect_navigation():
        choices.nth(1).click()

    assert _query(page.url)["q"] == ["3700 Haren"]
    expect(page.locator("h1")).to_contain_text("Haren (Tongeren-Borgloon)")
    expect(page.locator("ol.results > li.result").first).to_be_visible()


def test_french_search_with_lending_filter_then_site_page(any_page: Page) -> None:
    page = any_page
    page.goto("/fr/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    _search(page, "Molenbeek-Saint-Jean")
    assert urlsplit(page.url).path == "/fr/search/"
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("ol.results > li.result").first).to_be_visible()

    filters = page.locator("details.filters")
    if filters.get_attribute("open") is None:
        filters.locator("summary").click()
    expect(filters).to_have_attribute("open", "")
    service = page.locator("#id_service")
    expect(service).to_be_visible()
    service.select_option("lending")
    label = service.locator("option[value=lending]").inner_text().strip()
    assert label
    with page.expect_navigation():
        filters.locator("button[type=submit]").click()

    assert urlsplit(page.url).path == "/fr/search/"
    query = _query(page.url)
    assert query["service"] == ["lending"]
    assert query["q"] == ["Molenbeek-Saint-Jean"]
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    # The filter is kept: the box stays open and the choice selected.
    expect(page.locator("details.filters")).to_have_attribute("open", "")
    expect(page.locator("#id_service")).to_have_value("lending")
    results = page.locator("ol.results > li.result")
    expect(results.first).to_be_visible()
    for index in range(results.count()):
        # The first labelled line of a result is what it offers.
        offers = results.nth(index).locator("p:has(> span.label)").first.inner_text()
        assert label in offers, f"Result {index + 1} does not offer {label!r}: {offers!r}"

    first_link = results.first.locator("h2 a")
    name = first_link.inner_text().strip()
    with page.expect_navigation():
        first_link.click()

    assert re.fullmatch(r"/fr/digipunt/[\w-]+/", urlsplit(page.url).path), page.url
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("h1")).to_have_text(name)
    address = page.locator(".address")
    expect(address).to_be_visible()
    assert re.search(r"\b1\d{3}\b", address.inner_text()), "No Brussels postal code in the address"
    hours = page.locator("table.hours").first
    expect(hours).to_be_visible()
    expect(hours.locator("tbody tr")).to_have_count(7)
    scripts = page.locator('script[type="application/ld+json"]')
    expect(scripts).to_have_count(1)
    document = json.loads(scripts.first.text_content() or "")
    assert document["@type"]
    assert document["name"] == name
    assert "openingHoursSpecification" in document
    assert isinstance(document["openingHoursSpecification"], list)


def test_language_switch_keeps_the_page_and_query(any_page: Page) -> None:
    page = any_page
    page.goto("/nl/search/?q=9000&service=help")
    expect(page.locator("ol.results > li.result").first).to_be_visible()
    before = _query(page.url)
    switch = page.get_by_role("navigation").get_by_role("link", name="Français", exact=True)
    with page.expect_navigation():
        switch.click()

    assert urlsplit(page.url).path == "/fr/search/"
    assert _query(page.url) == before
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("#id_q")).to_have_value("9000")
    expect(page.locator("#id_service")).to_have_value("help")
    expect(page.locator("ol.results > li.result").first).to_be_visible()
    # The current language is marked for assistive technology.
    expect(page.locator('.langs a[hreflang="fr"]')).to_have_attribute("aria-current", "true")


def test_language_switch_on_a_site_page(any_page: Page, first_site_path: str) -> None:
    page = any_page
    page.goto("/nl" + first_site_path)
    name = page.locator("h1").inner_text()
    with page.expect_navigation():
        page.locator('.langs a[hreflang="en"]').click()
    assert urlsplit(page.url).path == "/en" + first_site_path
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text(name)


BAD_INPUT = {
    "very-long": "9000 " * 400,  # 2,000 characters
    "script-tag": "<script>alert(1)</script>",
    "attribute-breakout": '"><img src=x onerror=alert(1)>',
}


@pytest.mark.parametrize("text", BAD_INPUT.values(), ids=BAD_INPUT.keys())
def test_bad_input_gets_a_helpful_page(any_page: Page, text: str) -> None:
    page = any_page
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: dialogs.append(dialog.message))
    page.goto("/nl/")
    response = _search(page, text)

    assert response is not None
    assert response.status in (200, 400), response.status
    assert not dialogs, f"A dialog fired: {dialogs}"
    assert urlsplit(page.url).path == "/nl/search/"
    # Nothing the visitor typed became markup.
    expect(page.locator("main img")).to_have_count(0)
    expect(page.locator("main script")).to_have_count(0)
    # A message that says what to do, and the search box ready to try again.
    help_text = page.locator("main .notice, main .error")
    expect(help_text.first).to_be_visible()
    assert help_text.first.inner_text().strip()
    expect(page.locator("ol.results")).to_have_count(0)
    expect(page.locator("#id_q")).to_be_visible()
    expect(page.locator("h1")).to_have_count(1)
    assert not dialogs, f"A dialog fired: {dialogs}"


def test_too_long_input_is_marked_on_the_field(any_page: Page) -> None:
    page = any_page
    page.goto("/nl/")
    _search(page, "x" * 2000)
    field = page.locator("#id_q")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#q-error")).to_be_visible()
    described = (field.get_attribute("aria-describedby") or "").split()
    assert "q-error" in described


GENT_CENTRE = {"latitude": 51.0543, "longitude": 3.7174}


def test_use_my_location_finds_the_nearest(open_page: Callable[..., Page]) -> None:
    page = open_page(geolocation=GENT_CENTRE, permissions=["geolocation"])
    page.goto("/nl/")
    button = page.locator("#locate button")
    expect(button).to_be_visible()
    with page.expect_navigation():
        button.click()

    assert urlsplit(page.url).path == "/nl/search/"
    query = _query(page.url)
    assert float(query["lat"][0]) == pytest.approx(GENT_CENTRE["latitude"], abs=1e-4)
    assert float(query["lon"][0]) == pytest.approx(GENT_CENTRE["longitude"], abs=1e-4)
    results = page.locator("ol.results > li.result")
    expect(results.first).to_be_visible()
    assert DISTANCE.match(results.first.locator(".distance").inner_text().strip())


BRUSSELS_CENTRE = {"latitude": 50.8467, "longitude": 4.3525}


def test_location_wins_over_a_half_typed_place_and_a_typed_place_wins_after(
    open_page: Callable[..., Page],
) -> None:
    page = open_page(geolocation=BRUSSELS_CENTRE, permissions=["geolocation"])
    page.goto("/nl/")
    page.locator("#id_q").fill("9000")
    with page.expect_navigation():
        page.locator("#locate button").click()
    first = page.locator("ol.results > li.result").first
    # Near the Grand-Place, not in Gent: the button means "where I am".
    expect(first.locator(".meta")).to_contain_text(re.compile(r"\b1\d{3}\b"))

    _search(page, "9000")
    assert _query(page.url)["q"] == ["9000"]
    expect(page.locator("ol.results > li.result").first.locator(".meta")).to_contain_text(
        re.compile(r"\b9\d{3}\b")
    )


def test_location_refused_says_what_to_do(js_page: Page) -> None:
    page = js_page  # no geolocation permission: the browser refuses
    page.goto("/nl/")
    page.locator("#locate button").click()
    message = page.locator("#locate [role=status]")
    expect(message).not_to_be_empty()
    expect(page.locator("#locate")).to_have_attribute("data-error", message.inner_text())
    assert urlsplit(page.url).path == "/nl/"


def test_no_location_button_without_javascript(nojs_page: Page) -> None:
    nojs_page.goto("/nl/")
    expect(nojs_page.locator("#locate button")).to_have_count(0)
    expect(nojs_page.locator("form.search #id_q")).to_be_visible()


def test_filters_after_use_my_location_keep_the_location(open_page: Callable[..., Page]) -> None:
    """A resident who used their location and then narrows down must not lose the location."""
    page = open_page(geolocation=GENT_CENTRE, permissions=["geolocation"])
    page.goto("/nl/")
    with page.expect_navigation():
        page.locator("#locate button").click()
    expect(page.locator("ol.results > li.result").first).to_be_visible()

    filters = page.locator("details.filters")
    if filters.get_attribute("open") is None:
        filters.locator("summary").click()
    page.locator("#id_service").select_option("lending")
    with page.expect_navigation():
        filters.locator("button[type=submit]").click()

    query = _query(page.url)
    assert query.get("service") == ["lending"]
    # The search form carries the location on, so filtering does not ask for a postal code.
    assert "lat" in query, f"The location was dropped: {page.url}"
    assert "lon" in query, f"The location was dropped: {page.url}"
    expect(page.locator("ol.results > li.result").first).to_be_visible()
