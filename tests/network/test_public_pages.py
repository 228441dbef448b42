"""Tests for the public pages through the front door: home, search results and a Digipunt's page.

Text is checked on the English pages (the source language), so that translating the Dutch and
French pages never breaks these tests; the Dutch and French pages are checked for what does not
depend on translation.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from html.parser import HTMLParser
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.utils import timezone, translation

from network.hours_document import period
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("territory")]

GENT = (51.0543, 3.7174)
BRUSSELS = (50.8467, 4.3525)
EVERY_DAY = {
    "periods": [period(d, "09:00", "17:00") for d in range(7)],
    "exceptions": [],
}
SATURDAY_ONLY = {"periods": [period(5, "10:00", "12:00")], "exceptions": []}
MONDAY_10 = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Europe/Brussels"))
SCRIPT = "<script>alert(1)</script>"


@pytest.fixture(autouse=True)
def _fresh_cache_and_language():
    # The theme choices are cached; a theme made by an earlier test must not linger. And a
    # request activates its language for the whole thread: leave no French behind for the
    # tests that run after these.
    cache.clear()
    yield
    cache.clear()
    translation.deactivate()


def search_url(lang: str = "en", **params: str) -> str:
    return f"/{lang}/search/?{urlencode(params)}"


def get_html(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def result_names(html: str) -> list[str]:
    return re.findall(r'<h2><a href="/\w\w/digipunt/[^"]+/">([^<]*)</a></h2>', html)


def distances(html: str) -> list[str]:
    return re.findall(r'<span class="distance">([^<]*)</span>', html)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.links.append(dict(attrs))


def links_of(html: str) -> list[dict[str, str | None]]:
    parser = _Links()
    parser.feed(html)
    return parser.links


def input_value(html: str) -> str:
    """The raw (still escaped) value attribute of the place field."""
    match = re.search(r'<input type="text" name="q" id="id_q" value="([^"]*)"', html)
    assert match, "the search field is on the page"
    return match.group(1)


def gent_and_brussels():
    near = factories.site(name="Digipunt Kouter", latitude=GENT[0], longitude=GENT[1])
    far = factories.site(
        name="Digipunt Grand-Place",
        municipality="21004",
        postal_code="1000",
        latitude=BRUSSELS[0],
        longitude=BRUSSELS[1],
    )
    return near, far


# --- Home --------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["nl", "fr", "en"])
def test_the_home_page_has_the_search_form_in_each_language(client, lang):
    html = get_html(client, f"/{lang}/")

    assert f'<html lang="{lang}">' in html
    assert f'action="/{lang}/search/"' in html
    assert 'name="q"' in html
    assert 'role="search"' in html


def test_the_root_redirects_to_a_language(client):
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] in ("/nl/", "/fr/", "/en/")


def test_the_root_redirects_to_the_browsers_language(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="fr-BE,fr;q=0.9")

    assert response.status_code == 302
    assert response["Location"] == "/fr/"


# --- Searching ---------------------------------------------------------------------------------


def test_searching_a_postal_code_lists_sites_nearest_first_with_their_distance(client):
    gent_and_brussels()

    html = get_html(client, search_url(q="9000"))

    assert "Digipunten near 9000 Gent" in html
    assert result_names(html) == ["Digipunt Kouter", "Digipunt Grand-Place"]
    near, far = distances(html)
    assert re.fullmatch(r"\d+ m|\d+\.\d km", near)
    kilometres = float(far.removesuffix(" km"))
    assert 45 <= kilometres <= 55
    assert "2 Digipunten found, nearest first." in html


@pytest.mark.parametrize("lang", ["nl", "fr"])
def test_searching_works_in_dutch_and_french_too(client, lang):
    gent_and_brussels()

    html = get_html(client, search_url(lang, q="9000"))

    assert f'<html lang="{lang}">' in html
    assert result_names(html) == ["Digipunt Kouter", "Digipunt Grand-Place"]
    assert f'href="/{lang}/digipunt/' in html


def test_a_french_municipality_name_finds_the_brussels_site_there(client):
    gent_and_brussels()
    factories.site(
        name="Digipunt Molenbeek",
        municipality="21012",
        postal_code="1080",
        latitude=50.855,
        longitude=4.33,
    )

    html = get_html(client, search_url("fr", q="Molenbeek-Saint-Jean"))

    assert result_names(html)[0] == "Digipunt Molenbeek"
    assert (
        distances(html)[0].endswith(" m")
        or float(distances(html)[0].removesuffix(" km").replace(",", ".")) < 3
    )


def test_a_dutch_name_of_the_same_municipality_finds_it_too(client):
    factories.site(name="Digipunt Molenbeek", municipality="21012", latitude=50.855, longitude=4.33)
    gent_and_brussels()

    html = get_html(client, search_url(q="Sint-Jans-Molenbeek"))

    assert result_names(html)[0] == "Digipunt Molenbeek"


def test_the_language_links_keep_the_page_and_the_query(client):
    gent_and_brussels()

    html = get_html(client, search_url("nl", q="9000", service="help"))

    hrefs = {link["hreflang"]: link["href"] for link in links_of(html) if link.get("hreflang")}
    assert hrefs == {
        "nl": "/nl/search/?q=9000&service=help",
        "fr": "/fr/search/?q=9000&service=help",
        "en": "/en/search/?q=9000&service=help",
    }


def test_the_language_links_of_a_site_page_keep_the_site(client):
    site = factories.site(name="Digipunt Kouter")

    html = get_html(client, f"/fr/digipunt/{site.slug}/")

    hrefs = {link["hreflang"]: link["href"] for link in links_of(html) if link.get("hreflang")}
    assert hrefs["nl"] == f"/nl/digipunt/{site.slug}/"
    assert hrefs["en"] == f"/en/digipunt/{site.slug}/"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"service": "lending"}, ["Lending"]),
        ({"theme": "taxes"}, ["Taxes"]),
        ({"language": "fr"}, ["French"]),
        ({"stepfree": "on"}, ["Step-free"]),
        ({"walkin": "on"}, ["Lending", "Taxes", "French", "Step-free"]),
        ({"language": "fr", "stepfree": "on"}, []),
    ],
)
def test_filters_come_from_the_query_string(client, params, expected):
    common = {"walk_in": True, "opening_hours": EVERY_DAY, "closed_on_public_holidays": False}
    factories.site(name="Lending", offers_lending=True, latitude=GENT[0], **common)
    factories.site(name="Taxes", themes=("taxes",), latitude=GENT[0] + 0.001, **common)
    factories.site(name="French", languages=",nl,fr,", latitude=GENT[0] + 0.002, **common)
    factories.site(name="Step-free", step_free=True, latitude=GENT[0] + 0.003, **common)
    factories.site(name="Appointment", walk_in=False, by_appointment=True, latitude=GENT[0] + 0.004)

    html = get_html(client, search_url(q="9000", **params))

    assert result_names(html) == expected
    if not expected:
        assert "No Digipunt matches all your filters." in html
        assert 'href="/en/search/?q=9000"' in html


def test_the_open_now_filter_comes_from_the_query_string(client, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: MONDAY_10)
    factories.site(name="Weekdays", latitude=GENT[0])
    factories.site(name="Saturdays", latitude=GENT[0] + 0.001, opening_hours=SATURDAY_ONLY)

    everything = get_html(client, search_url(q="9000"))
    open_now = get_html(client, search_url(q="9000", open="on"))

    assert result_names(everything) == ["Weekdays", "Saturdays"]
    assert "Open now, until 12:00" in everything
    assert "Closed now. Opens Saturday at 10:00" in everything
    assert result_names(open_now) == ["Weekdays"]


def test_the_pager_links_keep_the_query(client, settings):
    settings.FINDER_PAGE_SIZE = 2
    for i in range(5):
        factories.site(name=f"Site {i}", latitude=GENT[0], longitude=GENT[1] + i * 0.01)

    first = get_html(client, search_url(q="9000", service="help"))
    second = get_html(client, search_url(q="9000", service="help", page="2"))

    assert result_names(first) == ["Site 0", "Site 1"]
    assert result_names(second) == ["Site 2", "Site 3"]
    assert '<ol class="results" start="3">' in second
    pager = {link.get("rel"): link["href"] for link in links_of(second) if link.get("rel")}
    assert pager == {"prev": "?q=9000&service=help&page=1", "next": "?q=9000&service=help&page=3"}


def test_far_away_results_say_there_is_nothing_nearby_and_offer_the_help_line(client):
    factories.site(
        name="Digipunt Grand-Place", municipality="21004", latitude=50.8467, longitude=4.3525
    )

    html = get_html(client, search_url(q="9000"))

    assert result_names(html) == ["Digipunt Grand-Place"]
    assert "There is no Digipunt like this close by" in html
    assert 'href="tel:1700"' in html


# A postal code, a village, a village with its postal code, a postal code with a name that is not
# at that code (one query all the same).
@pytest.mark.parametrize("place", ["9000", "Mariakerke", "9030 Mariakerke", "9030 Gent"])
@pytest.mark.parametrize(
    ("params", "opening_hours"),
    [
        ({"theme": "eid-itsme", "language": "nl"}, None),
        # Open all day, every day, so that the page is full whenever the test runs.
        ({"open": "on"}, {"periods": [period(d, "00:00", "00:00") for d in range(7)]}),
    ],
    ids=["filters", "open now"],
)
def test_a_results_page_takes_at_most_5_queries_and_4_once_the_themes_are_cached(
    client, django_assert_max_num_queries, params, opening_hours, place
):
    # The targets of issue 2: at most 5 queries for a results page, whatever it shows. The very
    # first search also reads the theme list (cached for five minutes afterwards).
    for i in range(30):
        factories.site(
            name=f"Site {i}",
            latitude=GENT[0],
            longitude=GENT[1] + i * 0.01,
            closed_on_public_holidays=False,
            **({"opening_hours": opening_hours} if opening_hours else {}),
        )
    url = search_url(q=place, **params)

    with django_assert_max_num_queries(5):
        first = client.get(url)
    with django_assert_max_num_queries(4):
        again = client.get(url)

    assert first.status_code == again.status_code == 200
    assert len(result_names(again.content.decode())) == 10


# --- A Digipunt's page -------------------------------------------------------------------------


def test_a_site_page_shows_the_address_and_this_weeks_hours(client, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: MONDAY_10)
    site = factories.site(
        name="Digipunt Kouter", street="Kouter 1", postal_code="9000", languages=",nl,fr,"
    )

    html = get_html(client, f"/en/digipunt/{site.slug}/")

    assert "<h1>Digipunt Kouter</h1>" in html
    assert '<p class="address">Kouter 1<br>9000 Gent</p>' in html
    assert "Open now, until 12:00" in html
    this_week = re.search(r"<caption>This week</caption>(.*?)</table>", html, re.S)
    assert this_week
    rows = re.findall(r'<tr([^>]*)><th scope="row">([^<]*)</th><td>([^<]*)</td></tr>', this_week[1])
    assert [(day, hours) for _today, day, hours in rows] == [
        ("Monday 23 November", "09:00 – 12:00 and 13:00 – 17:00"),
        ("Tuesday 24 November", "09:00 – 12:00 and 13:00 – 17:00"),
        ("Wednesday 25 November", "09:00 – 12:00 and 13:00 – 17:00"),
        ("Thursday 26 November", "09:00 – 12:00 and 13:00 – 17:00"),
        ("Friday 27 November", "09:00 – 12:00 and 13:00 – 17:00"),
        ("Saturday 28 November", "Closed"),
        ("Sunday 29 November", "Closed"),
    ]
    assert [today for today, _day, _hours in rows] == [' class="today"'] + [""] * 6
    assert "Dutch, French" in html


def test_a_site_page_works_in_every_language(client):
    site = factories.site(name="Digipunt Kouter")

    for lang in ("nl", "fr", "en"):
        html = get_html(client, f"/{lang}/digipunt/{site.slug}/")
        assert f'<html lang="{lang}">' in html
        assert "<h1>Digipunt Kouter</h1>" in html


def test_a_site_page_has_schema_org_json_ld_that_parses(client):
    site = factories.site(name="Digipunt Kouter", phone="09 123 45 67")

    html = get_html(client, f"/en/digipunt/{site.slug}/")

    (script,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    data = json.loads(script)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "CivicStructure"
    assert data["name"] == "Digipunt Kouter"
    assert data["@id"].endswith(f"/digipunt/{site.slug}/")
    assert data["address"]["postalCode"] == "9000"
    assert data["telephone"] == "09 123 45 67"
    days = {spec["dayOfWeek"] for spec in data["openingHoursSpecification"]}
    assert days == {
        f"https://schema.org/{day}"
        for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
    }
    assert {"opens": "09:00", "closes": "12:00"}.items() <= data["openingHoursSpecification"][
        0
    ].items()


def test_a_site_name_cannot_break_out_of_the_json_ld_script(client):
    evil = f"Digipunt </script>{SCRIPT} & <!-- co"
    site = factories.site(name=evil, description=f"</SCRIPT>{SCRIPT}")

    html = get_html(client, f"/en/digipunt/{site.slug}/")

    assert SCRIPT not in html
    assert "</SCRIPT>" not in html
    head = html[: html.index("</head>")]
    (script,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', head, re.S)
    assert "<" not in script
    data = json.loads(script)
    assert data["name"] == evil
    assert data["description"] == f"</SCRIPT>{SCRIPT}"
    # Everywhere else on the page the name is escaped HTML.
    assert (
        "<h1>Digipunt &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;!-- co</h1>"
        in html
    )


def test_an_unknown_site_is_a_friendly_404(client):
    response = client.get("/en/digipunt/no-such-digipunt/")

    assert response.status_code == 404
    html = response.content.decode()
    assert "We cannot find this page" in html
    assert 'href="/en/"' in html
    assert '<html lang="en">' in html


def test_an_unpublished_site_is_a_404(client):
    site = factories.site(name="Hidden", is_published=False)

    response = client.get(f"/en/digipunt/{site.slug}/")

    assert response.status_code == 404
    assert "Hidden" not in response.content.decode()
    assert "We cannot find this page" in response.content.decode()


def test_an_unpublished_site_is_not_in_the_results(client):
    factories.site(name="Hidden", is_published=False)
    factories.site(name="Shown")

    assert result_names(get_html(client, search_url(q="9000"))) == ["Shown"]


# --- Bad input: always a helpful page, never a 500 ---------------------------------------------


@pytest.mark.parametrize(
    ("q", "message"),
    [
        ("", "Type your postal code or the name of your town or municipality."),
        ("   ", "Type your postal code or the name of your town or municipality."),
        ("\t\n", "Type your postal code or the name of your town or municipality."),
        ("9" * 2000, "That is too long for a place."),
        (SCRIPT, "We do not know a place called “&lt;script&gt;alert(1)&lt;/script&gt;”."),
        ("' OR 1=1; --", "We do not know a place called “&#x27; OR 1=1; --”."),
        ("\x00", "Null characters are not allowed."),
        ("9000\x00", "Null characters are not allowed."),
        ("\x01\x02\x1b", "We could not read that as a place."),
        ("!!! ???", "We could not read that as a place."),
        ("0000", "We do not know the postal code 0000."),
        ("1234", "We do not know the postal code 1234."),
        ("Namur", "Namur is in Wallonia. Digipunten are in Flanders and Brussels."),
        ("Liège", "Liège is in Wallonia. Digipunten are in Flanders and Brussels."),
        ("Luik", "Luik is in Wallonia. Digipunten are in Flanders and Brussels."),
        ("5000", "is in Wallonia. Digipunten are in Flanders and Brussels."),
        ("Gnet", "We do not know a place called “Gnet”."),
    ],
)
def test_bad_or_unknown_places_get_a_clear_message(client, q, message):
    factories.site(name="Digipunt Kouter")

    html = get_html(client, "/en/search/?" + urlencode({"q": q}))

    assert message in html
    assert result_names(html) == []
    assert SCRIPT not in html


def test_a_misspelt_place_suggests_the_right_one_as_a_link(client):
    html = get_html(client, search_url(q="Gnet"))

    assert "Did you mean:" in html
    assert '<a href="/en/search/?q=Gent">Gent</a>' in html


def test_what_was_typed_is_shown_back_escaped(client):
    html = get_html(client, search_url(q=SCRIPT))

    assert input_value(html) == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert SCRIPT not in html


def test_a_quote_cannot_break_out_of_the_search_field(client):
    typed = '" autofocus onfocus="alert(1)'

    html = get_html(client, search_url(q=typed))

    assert input_value(html) == "&quot; autofocus onfocus=&quot;alert(1)"
    assert 'onfocus="alert(1)' not in html


def test_a_very_long_text_is_refused_with_the_field_marked_invalid(client):
    html = get_html(client, search_url(q="Gent" * 500))

    assert "That is too long for a place. Type a postal code, such as 9000, or a town." in html
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="q-hint q-error"' in html
    assert input_value(html) == "Gent" * 500


def test_a_walloon_place_points_to_wallonias_own_help(client):
    html = get_html(client, search_url(q="Namur"))

    assert "public digital spaces (EPN)" in html
    assert result_names(html) == []


@pytest.mark.parametrize("lang", ["nl", "fr", "en"])
def test_bad_input_never_breaks_a_page_in_any_language(client, lang):
    for q in ("", SCRIPT, "0000", "Luik", "Gnet", "x" * 2000):
        response = client.get(f"/{lang}/search/?" + urlencode({"q": q}))
        assert response.status_code == 200
        assert SCRIPT not in response.content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"service": "teleportation"},
        {"service": SCRIPT},
        {"theme": "no-such-theme"},
        {"theme": SCRIPT},
        {"language": "xx"},
        {"language": "fr,nl"},
        {"page": "0"},
        {"page": "-1"},
        {"page": "abc"},
        {"page": "99999"},
        {"page": "1e3"},
        {"lat": "48.85", "lon": "2.35"},  # Paris
        {"lat": "91", "lon": "200"},
        {"lat": "abc", "lon": "def"},
        {"lat": "nan", "lon": "nan"},
    ],
)
def test_bad_filter_paging_or_location_values_still_answer_the_search(client, params):
    # A stale bookmark (a theme that was renamed), a hand-edited address or a location outside
    # Belgium must not blank the page: the bad value is left out and the place is still searched.
    factories.site(name="Digipunt Kouter")

    html = get_html(client, search_url(q="9000", **params))

    assert input_value(html) == "9000"
    assert SCRIPT not in html
    assert "Digipunten near 9000 Gent" in html
    assert result_names(html) == ["Digipunt Kouter"]


@pytest.mark.parametrize("params", [{"lat": "51.05"}, {"lon": "3.72"}])
def test_half_a_location_is_ignored_and_the_place_is_searched(client, params):
    factories.site(name="Digipunt Kouter")

    html = get_html(client, search_url(q="9000", **params))

    assert "Digipunten near 9000 Gent" in html
    assert result_names(html) == ["Digipunt Kouter"]


def test_half_a_location_without_a_place_asks_for_a_place(client):
    html = get_html(client, search_url(lat="51.05"))

    assert "Type your postal code or the name of your town or municipality." in html


def test_a_location_in_belgium_is_searched_from_there(client):
    gent_and_brussels()

    html = get_html(client, search_url(lat="50.85", lon="4.35"))

    assert "Digipunten near your location" in html
    assert result_names(html) == ["Digipunt Grand-Place", "Digipunt Kouter"]


def test_a_page_number_beyond_the_results_still_answers(client):
    factories.site(name="Digipunt Kouter")

    response = client.get(search_url(q="9000", page="7"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "There are no more results." in html
    assert "No Digipunt matches all your filters." not in html
    assert 'href="?q=9000">Back to the first page</a>' in html


def test_the_search_form_lists_the_themes_in_the_active_language(client):
    html = get_html(client, "/fr/")

    assert '<option value="taxes">Impôts (MyMinfin, Tax-on-web)</option>' in html


@pytest.mark.parametrize("document", [{"periods": [{"weekday": 9}]}, ["not", "a", "document"]])
def test_a_site_with_unreadable_hours_shows_no_hours_instead_of_breaking_the_search(
    client, document
):
    broken = factories.site(name="Digipunt Broken Hours")
    # Writers validate hours; only a hand-edited database can hold this.
    type(broken).objects.filter(pk=broken.pk).update(opening_hours=document)

    for url in (search_url(q="9000"), search_url(q="9000", open="on")):
        assert client.get(url).status_code == 200
    page = client.get(f"/en/digipunt/{broken.slug}/")
    assert page.status_code == 200
    assert "No opening hours planned" in page.content.decode()


def test_search_again_without_filters_keeps_the_location_of_use_my_location(client):
    factories.site(name="Digipunt Kouter", offers_lending=False)

    html = get_html(client, search_url(lat="51.05", lon="3.72", service="lending"))

    assert 'href="/en/search/?lat=51.05&amp;lon=3.72">Search again without filters</a>' in html
    assert "q=None" not in html


def test_an_unknown_postal_code_gets_a_message_about_postal_codes(client):
    html = get_html(client, search_url(q="9999"))

    assert "We do not know the postal code 9999." in html
    assert "Check the spelling" not in html


def test_a_place_outside_the_network_does_not_title_the_page_as_results(client):
    html = get_html(client, search_url(q="Namur"))

    assert "<title>Search for a Digipunt · Digipunt</title>" in html


def test_the_filters_come_back_as_chosen_and_a_bad_choice_is_marked_invalid(client):
    factories.site(name="Digipunt Kouter")

    chosen = get_html(client, search_url(q="9000", service="lending", theme="taxes", walkin="on"))
    bad = get_html(client, search_url(q="9000", theme="renamed", language="xx", stepfree="on"))

    assert '<option value="lending" selected>Device lending</option>' in chosen
    assert '<option value="taxes" selected>Taxes (MyMinfin, Tax-on-web)</option>' in chosen
    assert '<option value="" selected>Any language</option>' in chosen
    assert '<input type="checkbox" name="walkin" id="id_walkin" checked>' in chosen
    assert '<input type="checkbox" name="open" id="id_open">' in chosen
    assert "aria-invalid" not in chosen
    assert '<select name="theme" id="id_theme" aria-invalid="true">' in bad
    assert '<select name="language" id="id_language" aria-invalid="true">' in bad
    assert '<select name="service" id="id_service">' in bad
    assert " selected>" not in bad.split('id="id_theme"')[1].split("</select>")[0]
    assert '<input type="checkbox" name="stepfree" id="id_stepfree" checked>' in bad


def test_a_theme_name_is_escaped_in_the_filter_menu(client):
    Theme = type(factories.theme("taxes"))
    Theme.objects.filter(code="taxes").update(name_en="Taxes <b>& more</b>")

    html = get_html(client, search_url(q="9000"))

    assert '<option value="taxes">Taxes &lt;b&gt;&amp; more&lt;/b&gt;</option>' in html
