"""Public pages are served from the page cache (core.public_cache) only while they are true.

A change to a site, its hours, its themes, a theme's name or the published flag shows on the very
next request; the clock passing an opening time shows too; each language is its own page. Public
pages say so to browsers and proxies (public, a short max-age, a strong ETag, 304), and pages with
a form or personal data never do.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from network.hours_document import period
from network.models import Theme
from tests import factories
from tests.cast import signed_in, url
from tests.network.test_public_pages import GENT, distances, get_html, result_names, search_url

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("territory")]

BRUSSELS_TZ = ZoneInfo("Europe/Brussels")
# A Monday, before the default factory site opens at 09:00.
MONDAY_0850 = datetime(2026, 11, 23, 8, 50, tzinfo=BRUSSELS_TZ)


@pytest.fixture
def clock(monkeypatch):
    """The time the views and the page cache see; `clock.now` moves it."""

    class Clock:
        now = MONDAY_0850

    monkeypatch.setattr(timezone, "now", lambda: Clock.now)
    return Clock


def helps_with(html: str) -> str:
    """The "Helps with:" lines of the results (not the theme menu of the filters)."""
    return " ".join(re.findall(r"Helps with:</span> ([^<]*)</p>", html))


def queries_of(client, path: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as context:
        html = get_html(client, path)
    return len(context.captured_queries), html


# --- served again while true --------------------------------------------------------------------


def test_a_results_page_is_served_again_without_queries(client, clock):
    factories.site(name="Kouter", latitude=GENT[0])

    first, html = queries_of(client, search_url(q="9000"))
    again, html_again = queries_of(client, search_url(q="9000"))

    assert first > 0
    assert again == 0
    assert html_again == html


def test_a_site_page_is_served_again_without_queries(client, clock):
    site = factories.site(name="Kouter")

    queries_of(client, f"/en/digipunt/{site.slug}/")
    again, html = queries_of(client, f"/en/digipunt/{site.slug}/")

    assert again == 0
    assert "Kouter" in html


# --- a change shows on the very next request ---------------------------------------------------


def test_a_renamed_site_shows_on_the_next_request(client, clock):
    site = factories.site(name="Old name", latitude=GENT[0])
    assert result_names(get_html(client, search_url(q="9000"))) == ["Old name"]
    get_html(client, f"/en/digipunt/{site.slug}/")

    site.name = "New name"
    site.save()

    assert result_names(get_html(client, search_url(q="9000"))) == ["New name"]
    assert "New name" in get_html(client, f"/en/digipunt/{site.slug}/")


def test_changed_hours_show_on_the_next_request(client, clock):
    clock.now = MONDAY_0850 + timedelta(hours=2)  # 10:50: open until 12:00
    site = factories.site(name="Kouter", latitude=GENT[0])
    assert "Open now, until 12:00" in get_html(client, f"/en/digipunt/{site.slug}/")

    site.opening_hours = {
        "periods": [period(d, "10:00", "15:30") for d in range(5)],
        "exceptions": [],
    }
    site.save()

    assert "Open now, until 15:30" in get_html(client, f"/en/digipunt/{site.slug}/")
    assert "Open now, until 15:30" in get_html(client, search_url(q="9000"))


def test_changed_themes_show_on_the_next_request(client, clock):
    site = factories.site(name="Kouter", latitude=GENT[0], themes=("eid-itsme",))
    taxes = Theme.objects.get(code="taxes")
    assert taxes.name_en not in helps_with(get_html(client, search_url(q="9000")))

    site.themes.add(taxes)

    assert taxes.name_en in helps_with(get_html(client, search_url(q="9000")))


def test_an_unpublished_site_is_gone_on_the_next_request(client, clock):
    site = factories.site(name="Kouter", latitude=GENT[0])
    assert result_names(get_html(client, search_url(q="9000"))) == ["Kouter"]
    assert client.get(f"/en/digipunt/{site.slug}/").status_code == 200

    site.is_published = False
    site.save()

    assert result_names(get_html(client, search_url(q="9000"))) == []
    assert client.get(f"/en/digipunt/{site.slug}/").status_code == 404


def test_a_renamed_theme_shows_on_the_next_request(client, clock):
    factories.site(name="Kouter", latitude=GENT[0], themes=("eid-itsme",))
    theme = Theme.objects.get(code="eid-itsme")
    assert theme.name_en in get_html(client, search_url(q="9000"))

    theme.name_en = "Your digital identity"
    theme.save()

    html = get_html(client, search_url(q="9000"))
    assert "Your digital identity" in html
    assert "Your digital identity" in get_html(client, "/en/")  # the filter menu of the home page


def test_each_language_is_its_own_page(client, clock):
    factories.site(name="Kouter", latitude=GENT[0])
    english = get_html(client, search_url(q="9000"))
    dutch = get_html(client, search_url("nl", q="9000"))
    french = get_html(client, search_url("fr", q="9000"))

    assert '<html lang="en">' in english
    assert '<html lang="nl">' in dutch
    assert '<html lang="fr">' in french
    assert get_html(client, search_url(q="9000")) == english


def test_a_change_to_online_booking_shows_on_the_site_page(client, clock):
    from appointments.models import BookingSettings

    site = factories.site(name="Kouter", by_appointment=True)
    page = f"/en/digipunt/{site.slug}/"
    booking_link = f"/en/digipunt/{site.slug}/book/"
    assert booking_link not in get_html(client, page)

    BookingSettings.objects.create(site=site, is_enabled=True)

    assert booking_link in get_html(client, page)


# --- the clock -----------------------------------------------------------------------------------


def test_open_now_turns_true_when_the_clock_passes_the_opening_time(client, clock):
    site = factories.site(name="Kouter", latitude=GENT[0])
    closed = get_html(client, search_url(q="9000"))
    assert "Closed now. Opens today at 09:00" in closed
    assert "Closed now" in get_html(client, f"/en/digipunt/{site.slug}/")
    assert result_names(get_html(client, search_url(q="9000", open="on"))) == []

    clock.now = MONDAY_0850 + timedelta(minutes=9)  # 08:59: still the cached page
    assert get_html(client, search_url(q="9000")) == closed
    clock.now = MONDAY_0850 + timedelta(minutes=10)  # 09:00

    assert "Open now, until 12:00" in get_html(client, search_url(q="9000"))
    assert "Open now, until 12:00" in get_html(client, f"/en/digipunt/{site.slug}/")
    assert result_names(get_html(client, search_url(q="9000", open="on"))) == ["Kouter"]


def test_open_now_finds_a_site_that_opens_while_another_is_listed(client, clock):
    """With "open now", a site that is not on the page may open: the page lasts a minute."""
    clock.now = MONDAY_0850 + timedelta(hours=2)  # 10:50
    factories.site(name="Early", latitude=GENT[0])  # open until 12:00
    factories.site(
        name="Late",
        latitude=GENT[0] + 0.001,
        opening_hours={"periods": [period(0, "10:51", "18:00")], "exceptions": []},
    )
    assert result_names(get_html(client, search_url(q="9000", open="on"))) == ["Early"]

    clock.now = MONDAY_0850 + timedelta(hours=2, minutes=1)  # 10:51

    assert result_names(get_html(client, search_url(q="9000", open="on"))) == ["Early", "Late"]


def test_tomorrow_becomes_today_at_midnight(client, clock):
    clock.now = datetime(2026, 11, 23, 23, 30, tzinfo=BRUSSELS_TZ)  # Monday night
    site = factories.site(name="Kouter")
    assert "Opens tomorrow at 09:00" in get_html(client, f"/en/digipunt/{site.slug}/")

    clock.now = datetime(2026, 11, 24, 0, 1, tzinfo=BRUSSELS_TZ)

    assert "Opens today at 09:00" in get_html(client, f"/en/digipunt/{site.slug}/")


# --- HTTP ----------------------------------------------------------------------------------------


def test_public_pages_may_be_cached_briefly_with_a_strong_etag(client, clock):
    site = factories.site(name="Kouter", latitude=GENT[0])
    for path in ("/en/", search_url(q="9000"), f"/en/digipunt/{site.slug}/"):
        response = client.get(path)
        control = response["Cache-Control"]
        assert "public" in control, path
        assert "max-age=60" in control, path
        assert response["ETag"].startswith('"'), path  # strong: no W/
        assert not response.cookies, path


def test_the_max_age_never_passes_the_next_change(client, clock):
    clock.now = MONDAY_0850 + timedelta(minutes=9, seconds=30)  # 30 s before opening
    site = factories.site(name="Kouter")

    response = client.get(f"/en/digipunt/{site.slug}/")

    assert "max-age=30" in response["Cache-Control"]


def test_a_matching_conditional_request_gets_304(client, clock):
    factories.site(name="Kouter", latitude=GENT[0])
    first = client.get(search_url(q="9000"))

    again = client.get(search_url(q="9000"), HTTP_IF_NONE_MATCH=first["ETag"])
    other = client.get(search_url(q="9000"), HTTP_IF_NONE_MATCH='"something-else"')

    assert again.status_code == 304
    assert again.content == b""
    assert other.status_code == 200


def test_open_data_has_the_same_validators(client, clock):
    factories.site(name="Kouter")
    for path in ("/api/hsds/services", "/api/sites.geojson", "/api/openapi.json"):
        first = client.get(path)
        assert "public" in first["Cache-Control"], path
        assert first["Access-Control-Allow-Origin"] == "*", path
        again = client.get(path, HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 304, path
        cached = client.get(path)  # from the page cache: the same headers
        assert cached["Access-Control-Allow-Origin"] == "*", path
        assert cached["Content-Type"] == first["Content-Type"], path


def test_a_request_with_a_session_or_messages_cookie_is_never_served_from_the_cache(client, clock):
    factories.site(name="Kouter", latitude=GENT[0])
    get_html(client, search_url(q="9000"))
    client.cookies["messages"] = "anything"

    response = client.get(search_url(q="9000"))

    assert response.templates, "rendered for this request, not taken from the page cache"
    assert "public" not in response.get("Cache-Control", "")
    client.cookies.pop("messages")
    assert not client.get(search_url(q="9000")).templates  # without the cookie: the cache


def test_pages_with_a_form_or_personal_data_are_never_public(client, cast, clock):
    from tests.appointments.helpers import enable_booking, stored_appointment, tomorrow_at

    site = factories.site(name="Kouter", by_appointment=True)
    enable_booking(site)
    get_html(client, f"/en/digipunt/{site.slug}/")
    _appointment, token = stored_appointment(site, tomorrow_at(10))
    private_pages = [
        (client, f"/en/digipunt/{site.slug}/book/"),
        (client, f"/en/appointments/{token}/"),
        (client, "/en/staff/login/"),
        (client, "/en/staff/password/reset/"),
        (signed_in(cast.coordinator), url("workspace:today", site_id=cast.gent_a.pk)),
        (signed_in(cast.org_admin), url("workspace:home")),
        (signed_in(cast.coordinator), url("questions:contact-new", site_id=cast.gent_a.pk)),
    ]
    for person, path in private_pages:
        response = person.get(path)
        assert response.status_code == 200, path
        control = response.get("Cache-Control", "")
        assert "public" not in control, path
        assert "no-store" in control or "private" in control, path
    assert caches["pages"].get("public:version") is not None  # the public pages did use it


def test_a_new_search_after_a_change_shows_it_in_the_cards_and_the_filter_menu(client, clock):
    """A search never asked before reuses the cached cards and filter menu, but never stale ones."""
    site = factories.site(name="Old name", latitude=GENT[0], themes=("eid-itsme",))
    theme = Theme.objects.get(code="eid-itsme")
    first = get_html(client, search_url(q="9000", theme="eid-itsme"))
    assert result_names(first) == ["Old name"]
    assert theme.name_en in helps_with(first)

    site.name = "New name"
    site.save()
    theme.name_en = "Your digital identity"
    theme.save()
    html = get_html(client, search_url(q="Gent", theme="eid-itsme"))  # another page

    assert result_names(html) == ["New name"]
    assert helps_with(html) == "Your digital identity"
    assert '<option value="eid-itsme" selected>Your digital identity</option>' in html


def test_a_cached_card_gets_this_search_s_distance_and_status(client, clock):
    """The card of a site is rendered once; each new search fills in its own distance and the
    status at its own time."""
    factories.site(name="Kouter", latitude=GENT[0], longitude=GENT[1])
    near = get_html(client, search_url(q="9000"))
    clock.now = MONDAY_0850 + timedelta(minutes=20)  # the factory site opens at 09:00
    far = get_html(client, search_url(q="Landegem"))  # a new page: the card from the cache

    assert distances(near) != distances(far)
    assert "Closed now. Opens today at 09:00" in near
    assert "Open now, until" in far
    assert "<!--" not in near + far  # every mark was filled in


def test_a_site_name_cannot_pose_as_a_card_s_mark(client, clock):
    factories.site(name="<!--distance--> <!--status-->", latitude=GENT[0])
    get_html(client, search_url(q="9000"))
    html = get_html(client, search_url(q="Gent"))  # the card from the cache

    assert "&lt;!--distance--&gt; &lt;!--status--&gt;" in html
    assert html.count('<span class="distance">') == 1


def test_a_changed_territory_is_read_anew(client, clock):
    """Places residents typed are remembered until the directory, which holds the territory,
    changes."""
    from core import public_cache
    from territory.models import PostalCode

    factories.site(name="Kouter", latitude=GENT[0])
    assert "Kouter" in get_html(client, search_url(q="9000"))
    PostalCode.objects.filter(code="9000").delete()  # a bulk change: its writer bumps
    public_cache.bump()

    html = get_html(client, search_url(q="9000", r="another page"))
    assert "Kouter" not in html
