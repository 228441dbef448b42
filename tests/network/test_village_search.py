"""The finder's pages for villages: searched from the village, namesakes offered, choices asked.

Text is checked on the English pages (the source language); the Dutch and French ones for what
does not depend on translation.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
from django.core.cache import cache

from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("territory")]

MERENDREE = (51.0766, 3.576)
DEINZE = (50.9817, 3.531)


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def get_html(client, lang: str = "en", **params: str) -> str:
    response = client.get(f"/{lang}/search/?{urlencode(params)}")
    assert response.status_code == 200
    return response.content.decode()


def result_names(html: str) -> list[str]:
    return re.findall(r'<h2><a href="/\w\w/digipunt/[^"]+/">([^<]*)</a></h2>', html)


def test_a_village_search_is_ordered_from_the_village_and_says_where(client):
    # One Digipunt in Merendree, one in the centre of Deinze: from Merendree, Merendree's first;
    # from the middle of Deinze it would be the other way round.
    factories.site(
        name="Digipunt Deinze",
        municipality="44083",
        latitude=DEINZE[0] + 0.001,
        longitude=DEINZE[1],
    )
    factories.site(
        name="Digipunt Merendree",
        municipality="44083",
        latitude=MERENDREE[0] + 0.002,
        longitude=MERENDREE[1],
    )
    html = get_html(client, q="Merendree")

    assert "<h1>Digipunten near Merendree (Deinze)</h1>" in html
    assert result_names(html) == ["Digipunt Merendree", "Digipunt Deinze"]
    assert re.search(r'class="distance">2\d\d m<', html), "Merendree's site is 220 m away"


def test_a_town_with_namesakes_is_searched_and_the_others_offered_in_one_line(client):
    factories.site(name="Digipunt Aalst", municipality="41002", latitude=50.937, longitude=4.04)

    html = get_html(client, q="Aalst", service="help")

    assert "<h1>Digipunten near Aalst</h1>" in html
    assert result_names(html) == ["Digipunt Aalst"]
    assert (
        'Or did you mean <a href="/en/search/?q=3800+Aalst&amp;service=help">'
        "Aalst, 3800 Sint-Truiden</a>?" in html
    )


def test_several_namesakes_are_offered_in_one_sentence(client):
    html = get_html(client, q="Vorst")

    assert re.search(
        r"Or did you mean <a [^>]+>Vorst, 2430 Laakdal</a> or "
        r"<a [^>]+>Vorst, 7910 Frasnes-lez-Anvaing</a>\?",
        html,
    )


def test_a_name_only_villages_bear_gets_a_short_choice_page_that_keeps_the_filters(client):
    factories.site(name="Digipunt Brussel")

    html = get_html(client, q="Haren", service="lending", open="on")

    assert "<h1>Which “Haren” do you mean?</h1>" in html
    assert "<title>Which “Haren” do you mean? · Digipunt</title>" in html
    assert result_names(html) == []
    assert "Or type your postal code with the name, such as 1130 Haren." in html
    choices = re.findall(r'<li><a href="([^"]+)">([^<]+)</a></li>', html)
    assert choices == [
        ("/en/search/?q=1130+Haren&amp;service=lending&amp;open=on", "Haren, 1130 Brussel"),
        (
            "/en/search/?q=3700+Haren&amp;service=lending&amp;open=on",
            "Haren, 3700 Tongeren-Borgloon",
        ),
        (
            "/en/search/?q=3840+Haren&amp;service=lending&amp;open=on",
            "Haren, 3840 Tongeren-Borgloon",
        ),
    ]


def test_a_choice_leads_to_results_from_that_village(client):
    html = get_html(client, q="3840 Haren")

    assert "<h1>Digipunten near Haren (Tongeren-Borgloon)</h1>" in html
    assert "Or did you mean" not in html


@pytest.mark.parametrize(
    ("lang", "choice"),
    [("nl", "Haren, 3700 Tongeren-Borgloon"), ("fr", "Haren, 3700 Tongres-Looz")],
)
def test_the_choice_page_names_municipalities_in_the_pages_language(client, lang, choice):
    html = get_html(client, lang, q="Haren")

    assert f">{choice}</a>" in html
    assert f'href="/{lang}/search/?q=3700+Haren"' in html


def test_a_postal_code_of_several_villages_is_said_with_its_municipality(client):
    assert "<h1>Digipunten near 9850 Deinze</h1>" in get_html(client, q="9850")


def test_hostile_text_after_a_village_name_is_shown_escaped_on_the_choice_page(client):
    html = get_html(client, q="Haren, <script>alert(1)</script>")

    assert "<script>alert(1)</script>" not in html
    assert "<h1>Which “Haren, &lt;script&gt;alert(1)&lt;/script&gt;” do you mean?</h1>" in html
