"""Tests for the finder selector: nearest published Digipunten, filters, "open now" and paging."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from network import finder
from network.finder import Filters, find_sites
from network.hours_document import period
from territory.selectors import Place, resolve_place
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("territory")]

BRUSSELS_TZ = ZoneInfo("Europe/Brussels")
# The factory's sites open on weekdays 09:00-12:00 and 13:00-17:00.
MONDAY_10 = datetime(2026, 11, 23, 10, 0, tzinfo=BRUSSELS_TZ)
MONDAY_1230 = datetime(2026, 11, 23, 12, 30, tzinfo=BRUSSELS_TZ)
SUNDAY_10 = datetime(2026, 11, 22, 10, 0, tzinfo=BRUSSELS_TZ)

# Known points: the Korenmarkt in Gent, the Grote Markt in Aalst and the Grand-Place in Brussels.
GENT = (51.0543, 3.7174)
AALST = (50.9378, 4.0403)
BRUSSELS = (50.8467, 4.3525)

SATURDAY_ONLY = {"periods": [period(5, "10:00", "12:00")], "exceptions": []}
# Monday mornings every other week, and the week of MONDAY_10 is a week off: the stored quarter
# hours say "may be open", so only the engine can tell that these sites are closed.
WEEK_OFF = {
    "periods": [period(0, "09:00", "12:00", recurrence="biweekly", anchor=date(2026, 11, 16))],
    "exceptions": [],
}


def place_at(latitude: float, longitude: float, refnis: str = "44021") -> Place:
    return Place(
        label="here",
        municipality_refnis=refnis,
        municipality_name_nl="Gent",
        municipality_name_fr="Gand",
        latitude=latitude,
        longitude=longitude,
        in_network=True,
    )


GENT_PLACE = place_at(*GENT)
NO_FILTERS = Filters()


def names(result: finder.FinderResult) -> list[str]:
    return [hit.site.name for hit in result.hits]


def find(filters: Filters = NO_FILTERS, *, origin: Place = GENT_PLACE, now=MONDAY_10, **kwargs):
    return find_sites(origin, filters, now=now, **kwargs)


def sites_in_a_row(count: int, **fields) -> list:
    """`count` sites going east from the Korenmarkt, about 700 m apart, nearest first."""
    return [
        factories.site(name=f"Site {i}", latitude=GENT[0], longitude=GENT[1] + i * 0.01, **fields)
        for i in range(count)
    ]


# --- Distance --------------------------------------------------------------------------------


def test_sites_are_ordered_nearest_first():
    factories.site(
        name="Brussels", municipality="21004", latitude=BRUSSELS[0], longitude=BRUSSELS[1]
    )
    factories.site(name="Gent", latitude=GENT[0] + 0.001, longitude=GENT[1])
    factories.site(name="Aalst", municipality="41002", latitude=AALST[0], longitude=AALST[1])

    result = find()

    assert names(result) == ["Gent", "Aalst", "Brussels"]


def test_the_distance_is_the_great_circle_distance_in_km():
    factories.site(name="Gent", latitude=GENT[0], longitude=GENT[1])
    factories.site(name="Aalst", municipality="41002", latitude=AALST[0], longitude=AALST[1])
    factories.site(
        name="Brussels", municipality="21004", latitude=BRUSSELS[0], longitude=BRUSSELS[1]
    )

    distances = {hit.site.name: hit.distance_km for hit in find().hits}

    assert distances["Gent"] == pytest.approx(0, abs=0.01)
    assert distances["Aalst"] == pytest.approx(26, abs=2)
    assert distances["Brussels"] == pytest.approx(50, abs=2)


def test_the_order_follows_the_origin():
    factories.site(name="Gent", latitude=GENT[0], longitude=GENT[1])
    factories.site(name="Aalst", municipality="41002", latitude=AALST[0], longitude=AALST[1])
    factories.site(
        name="Brussels", municipality="21004", latitude=BRUSSELS[0], longitude=BRUSSELS[1]
    )

    assert names(find(origin=place_at(*BRUSSELS, refnis="21004"))) == ["Brussels", "Aalst", "Gent"]
    assert names(find(origin=place_at(*AALST, refnis="41002")))[0] == "Aalst"


def test_a_postal_code_resolved_by_the_territory_is_a_good_origin():
    factories.site(
        name="Brussels", municipality="21004", latitude=BRUSSELS[0], longitude=BRUSSELS[1]
    )
    factories.site(name="Gent", latitude=GENT[0], longitude=GENT[1])

    resolution = resolve_place("9000")
    result = find(origin=resolution.place)

    assert resolution.status == "found"
    assert result.origin == resolution.place
    assert names(result) == ["Gent", "Brussels"]
    assert result.hits[0].distance_km < 5


def test_a_french_name_of_a_brussels_municipality_finds_the_site_there():
    factories.site(name="Gent", latitude=GENT[0], longitude=GENT[1])
    factories.site(
        name="Molenbeek",
        municipality="21012",
        postal_code="1080",
        latitude=50.855,
        longitude=4.33,
    )

    resolution = resolve_place("Molenbeek-Saint-Jean")
    result = find(origin=resolution.place)

    assert resolution.status == "found"
    assert resolution.place.municipality_refnis == "21012"
    assert resolution.place.municipality_name_nl == "Sint-Jans-Molenbeek"
    assert names(result) == ["Molenbeek", "Gent"]
    assert result.hits[0].distance_km < 3
    assert not result.nothing_nearby


def test_nothing_nearby_when_the_nearest_site_is_more_than_15_km_away():
    factories.site(
        name="Brussels", municipality="21004", latitude=BRUSSELS[0], longitude=BRUSSELS[1]
    )

    result = find()

    assert names(result) == ["Brussels"]
    assert result.nothing_nearby


def test_not_nothing_nearby_when_a_site_is_within_15_km():
    factories.site(
        name="Brussels", municipality="21004", latitude=BRUSSELS[0], longitude=BRUSSELS[1]
    )
    factories.site(name="Merelbeke", latitude=GENT[0] - 0.1, longitude=GENT[1])  # about 11 km

    result = find()

    assert result.hits[0].distance_km == pytest.approx(11.1, abs=0.5)
    assert not result.nothing_nearby


def test_nothing_nearby_when_there_is_no_result_at_all():
    factories.site(name="Lending", offers_lending=True)

    result = find(Filters(service="learning"))

    assert result.hits == []
    assert result.total == 0
    assert result.nothing_nearby


# --- Filters ---------------------------------------------------------------------------------


NO_SERVICES = {f"offers_{s}": False for s in ("help", "access", "lending", "learning")}


@pytest.mark.parametrize("service", ["help", "access", "lending", "learning"])
def test_the_service_filter_keeps_only_sites_offering_it(service):
    factories.site(name="Offers it", **{**NO_SERVICES, f"offers_{service}": True})
    factories.site(
        name="Offers everything else",
        **{**dict.fromkeys(NO_SERVICES, True), f"offers_{service}": False},
    )

    assert names(find(Filters(service=service))) == ["Offers it"]
    assert len(find().hits) == 2


def test_the_theme_filter_keeps_sites_helping_with_it_once_each():
    factories.site(name="Taxes and banking", themes=("taxes", "banking"))
    factories.site(name="Taxes", themes=("taxes",), latitude=GENT[0] + 0.01)
    factories.site(name="Banking", themes=("banking",))
    factories.site(name="No themes", themes=())

    result = find(Filters(theme="taxes"))

    assert names(result) == ["Taxes and banking", "Taxes"]
    assert result.total == 2


def test_the_themes_of_a_hit_are_in_taxonomy_order():
    factories.site(name="Many", themes=("ai", "eid-itsme", "banking"))

    (hit,) = find().hits

    assert [theme.code for theme in hit.site.themes.all()] == ["eid-itsme", "banking", "ai"]


@pytest.mark.parametrize(
    ("languages", "matches_fr"),
    [
        (",nl,fr,", True),
        (",fr,", True),
        (",fr,nl,en,", True),
        (",nl,fry,", False),
        (",nl,frx,en,", False),
        (",nl,", False),
        (",nl,afr,", False),
    ],
)
def test_the_language_filter_matches_whole_language_codes_only(languages, matches_fr):
    factories.site(name="Site", languages=languages)

    assert names(find(Filters(language="fr"))) == (["Site"] if matches_fr else [])


def test_the_language_filter_tells_apart_codes_that_start_alike():
    factories.site(name="Dari", languages=",nl,prs,")
    factories.site(name="Tigrinya", languages=",nl,ti,")
    factories.site(name="Polish", languages=",pl,nl,")

    assert names(find(Filters(language="prs"))) == ["Dari"]
    assert names(find(Filters(language="ti"))) == ["Tigrinya"]
    assert names(find(Filters(language="pl"))) == ["Polish"]
    assert sorted(names(find(Filters(language="nl")))) == ["Dari", "Polish", "Tigrinya"]


def test_the_step_free_filter_keeps_only_step_free_sites():
    factories.site(name="Step-free", step_free=True)
    factories.site(name="Stairs", step_free=False)

    assert names(find(Filters(step_free=True))) == ["Step-free"]


def test_the_walk_in_filter_keeps_only_sites_without_appointment():
    factories.site(name="Walk in", walk_in=True)
    factories.site(name="Appointment", walk_in=False, by_appointment=True)

    assert names(find(Filters(walk_in=True))) == ["Walk in"]


def test_the_open_now_filter_keeps_the_sites_open_at_that_moment():
    factories.site(name="Weekdays", latitude=GENT[0] + 0.01)
    factories.site(name="Saturdays", opening_hours=SATURDAY_ONLY)
    factories.site(
        name="Sundays",
        opening_hours={"periods": [period(6, "09:00", "12:00")], "exceptions": []},
    )

    assert names(find(Filters(open_now=True), now=MONDAY_10)) == ["Weekdays"]
    assert names(find(Filters(open_now=True), now=SUNDAY_10)) == ["Sundays"]
    assert names(find(Filters(open_now=True), now=MONDAY_1230)) == []


def test_each_hit_says_whether_it_is_open_until_when_or_when_it_opens_next():
    factories.site(name="Weekdays")

    (open_hit,) = find(now=MONDAY_10).hits
    (closed_hit,) = find(now=SUNDAY_10).hits

    assert open_hit.open_now
    assert open_hit.closes_at == datetime(2026, 11, 23, 12, 0, tzinfo=BRUSSELS_TZ)
    assert open_hit.next_opening is None
    assert not closed_hit.open_now
    assert closed_hit.closes_at is None
    assert closed_hit.next_opening == datetime(2026, 11, 23, 9, 0, tzinfo=BRUSSELS_TZ)


def test_filters_combine():
    wanted = {"offers_lending": True, "languages": ",nl,fr,", "step_free": True, "walk_in": True}
    factories.site(name="All of it", themes=("taxes",), **wanted)
    factories.site(name="No lending", themes=("taxes",), **{**wanted, "offers_lending": False})
    factories.site(name="No French", themes=("taxes",), **{**wanted, "languages": ",nl,"})
    factories.site(name="Stairs", themes=("taxes",), **{**wanted, "step_free": False})
    factories.site(name="Appointment", themes=("taxes",), **{**wanted, "walk_in": False})
    factories.site(name="Other theme", themes=("banking",), **wanted)
    factories.site(name="Saturdays", themes=("taxes",), opening_hours=SATURDAY_ONLY, **wanted)

    filters = Filters(
        service="lending", theme="taxes", language="fr", step_free=True, walk_in=True, open_now=True
    )

    assert filters.any
    assert not Filters().any
    assert names(find(filters)) == ["All of it"]


def test_unpublished_sites_never_appear():
    factories.site(name="Published")
    factories.site(
        name="Hidden",
        is_published=False,
        latitude=GENT[0] - 0.001,
        offers_lending=True,
        languages=",nl,fr,",
        step_free=True,
    )

    assert names(find()) == ["Published"]
    assert find().total == 1
    assert names(find(Filters(service="lending"))) == []
    assert names(find(Filters(language="fr"))) == []
    assert names(find(Filters(step_free=True))) == []
    assert names(find(Filters(open_now=True))) == ["Published"]


# --- Paging ----------------------------------------------------------------------------------


def test_results_come_in_pages():
    sites_in_a_row(5)

    first = find(page=1, page_size=2)
    second = find(page=2, page_size=2)
    third = find(page=3, page_size=2)

    assert names(first) == ["Site 0", "Site 1"]
    assert names(second) == ["Site 2", "Site 3"]
    assert names(third) == ["Site 4"]
    assert [r.total for r in (first, second, third)] == [5, 5, 5]
    assert [r.has_next for r in (first, second, third)] == [True, True, False]
    assert [r.has_previous for r in (first, second, third)] == [False, True, True]
    assert [r.first_index for r in (first, second, third)] == [1, 3, 5]


def test_a_page_after_the_last_is_empty_and_has_no_next_page():
    sites_in_a_row(3)

    result = find(page=3, page_size=2)

    assert result.hits == []
    assert not result.has_next
    assert result.has_previous
    assert result.total == 3


def test_a_page_that_exactly_fills_up_has_no_next_page():
    sites_in_a_row(4)

    assert not find(page=2, page_size=2).has_next


def test_open_now_pages_say_if_there_is_a_next_page_without_counting_everything():
    # Open on Monday morning: sites 0, 2 and 4; closed: 1 and 3 (Saturdays only).
    for i in range(5):
        factories.site(
            name=f"Site {i}",
            latitude=GENT[0],
            longitude=GENT[1] + i * 0.01,
            opening_hours=SATURDAY_ONLY if i % 2 else None,
        )

    first = find(Filters(open_now=True), page=1, page_size=2)
    second = find(Filters(open_now=True), page=2, page_size=2)
    third = find(Filters(open_now=True), page=3, page_size=2)

    assert names(first) == ["Site 0", "Site 2"]
    assert first.has_next
    # The first page stopped looking once it knew there was a next page: no total.
    assert first.total is None
    assert names(second) == ["Site 4"]
    assert not second.has_next
    # The second page checked every site: the exact count.
    assert second.total == 3
    assert third.hits == []
    assert not third.has_next
    assert third.total == 3


def test_open_now_gives_the_exact_total_when_every_site_was_checked():
    for i in range(5):
        factories.site(
            name=f"Site {i}",
            latitude=GENT[0],
            longitude=GENT[1] + i * 0.01,
            opening_hours=None if i in (1, 3) else SATURDAY_ONLY,
        )

    result = find(Filters(open_now=True), page=1, page_size=2)

    assert names(result) == ["Site 1", "Site 3"]
    assert not result.has_next
    assert result.total == 2


def test_open_now_reads_the_hours_of_the_candidates_in_one_query(django_assert_num_queries):
    # Only the farthest of six is open: every candidate's hours must be looked at.
    for i in range(6):
        factories.site(
            name=f"Site {i}",
            latitude=GENT[0],
            longitude=GENT[1] + i * 0.01,
            opening_hours=None if i == 5 else WEEK_OFF,
        )

    # the theme list (first search) + ids + the candidates' hours + the page with its themes
    with django_assert_num_queries(4):
        result = find(Filters(open_now=True), page=1, page_size=2)

    assert names(result) == ["Site 5"]
    assert result.total == 1
    assert not result.has_next


def test_open_now_reads_no_hours_of_sites_certainly_closed_at_this_quarter_hour(monkeypatch):
    saturday = factories.site(
        name="Saturday", latitude=GENT[0], longitude=GENT[1], opening_hours=SATURDAY_ONLY
    )
    week_off = factories.site(
        name="Week off", latitude=GENT[0], longitude=GENT[1] + 0.01, opening_hours=WEEK_OFF
    )
    factories.site(name="Open", latitude=GENT[0], longitude=GENT[1] + 0.02)
    read: list[int] = []
    real_open_ids = finder._open_ids
    monkeypatch.setattr(
        finder, "_open_ids", lambda ids, *args: real_open_ids(read.extend(ids) or ids, *args)
    )

    result = find(Filters(open_now=True))

    assert names(result) == ["Open"]
    # The Saturday site was dropped in SQL; the fortnightly one needed the engine.
    assert saturday.pk not in read
    assert week_off.pk in read


def test_open_now_on_the_night_the_clocks_go_forward_trusts_the_engine_alone():
    # 02:00-02:45 does not exist on 29 March 2026; the engine opens it an hour later, at 03:00
    # summer time, and the finder must not drop it by the wall clock.
    factories.site(
        name="Night owls",
        latitude=GENT[0],
        longitude=GENT[1],
        opening_hours={"periods": [period(6, "02:00", "02:45")], "exceptions": []},
    )
    night = datetime(2026, 3, 29, 3, 15, tzinfo=BRUSSELS_TZ)

    assert names(find(Filters(open_now=True), now=night)) == ["Night owls"]


def test_open_now_stops_after_the_maximum_number_checked(monkeypatch):
    monkeypatch.setattr(finder, "OPEN_NOW_MAX_CHECKED", 4)
    for i in range(6):
        factories.site(
            name=f"Site {i}",
            latitude=GENT[0],
            longitude=GENT[1] + i * 0.01,
            opening_hours=None if i == 5 else WEEK_OFF,
        )

    result = find(Filters(open_now=True), page=1, page_size=2)

    # The open site is beyond the ones checked; not everything was checked, so no total.
    assert result.hits == []
    assert result.total is None
    assert not result.has_next


# --- Queries ---------------------------------------------------------------------------------


def count_queries(filters: Filters) -> int:
    with CaptureQueriesContext(connection) as context:
        find(filters, page=1, page_size=10)
    return len(context.captured_queries)


@pytest.mark.parametrize("filters", [Filters(), Filters(theme="taxes", language="nl")])
def test_a_results_page_takes_at_most_3_queries_however_many_sites(
    filters, django_assert_max_num_queries
):
    sites_in_a_row(3, themes=("taxes", "banking"))
    with_three = count_queries(filters)  # the theme list, the matching sites, the page's sites
    sites_in_a_row(27, themes=("taxes", "banking", "ai"))  # a change: the process reads anew
    with_thirty = count_queries(filters)

    # The process remembers what it read until the directory changes: the same search, or
    # another place whose results it has read, asks nothing.
    with django_assert_max_num_queries(0):
        result = find(filters, page=1, page_size=10)

    assert len(result.hits) == 10
    # More sites never cost more queries.
    assert with_thirty <= with_three <= 3
    # Each hit's themes are read already, in the taxonomy's order.
    with django_assert_max_num_queries(0):
        assert {tuple(theme.code for theme in hit.themes) for hit in result.hits} == {
            ("taxes", "banking"),
            ("taxes", "banking", "ai"),
        }


def test_a_change_to_the_directory_is_in_the_very_next_search():
    site = factories.site(name="Before", latitude=GENT[0], longitude=GENT[1])
    assert names(find(Filters())) == ["Before"]  # now remembered by the process

    site.name = "After"
    site.save()
    assert names(find(Filters())) == ["After"]

    site.is_published = False
    site.save()
    assert names(find(Filters())) == []


def test_an_open_now_results_page_takes_at_most_4_queries_however_many_sites(
    django_assert_max_num_queries,
):
    # The theme list, the candidates, their hours, then the page's sites with their themes.
    sites_in_a_row(3)
    with_three = count_queries(Filters(open_now=True))
    sites_in_a_row(27)  # a change: the process reads anew
    with_thirty = count_queries(Filters(open_now=True))

    # The candidates and their hours are read for every "open now" search (they change with
    # the clock); the second page's sites are new to the process.
    with django_assert_max_num_queries(3):
        result = find(Filters(open_now=True), page=2, page_size=10)

    assert len(result.hits) == 10
    assert with_thirty <= with_three <= 4


def test_every_page_is_in_distance_order_across_the_edge_of_the_first_search_box():
    # The first box reaches 0.18 degrees of latitude (20 km) and 0.286 of longitude around Gent.
    # 0.17 degrees of latitude is about 19 km: inside the circle within that box.
    factories.site(name="Near", latitude=GENT[0] + 0.05, longitude=GENT[1])
    factories.site(name="Nearer", latitude=GENT[0] + 0.02, longitude=GENT[1])
    factories.site(name="Edge of the circle", latitude=GENT[0] + 0.17, longitude=GENT[1])
    # About 24.5 km north: outside the box, found only when every site is ordered.
    factories.site(name="Outside the box", latitude=GENT[0] + 0.22, longitude=GENT[1])
    # In the box's corner (outside its circle), about 27 km away: it must not come before the
    # nearer site outside the box.
    factories.site(name="Box corner", latitude=GENT[0] + 0.17, longitude=GENT[1] + 0.28)
    factories.site(name="Far box corner", latitude=GENT[0] + 0.175, longitude=GENT[1] + 0.285)

    pages = [find(page=page, page_size=1) for page in (1, 2, 3, 4, 5, 6)]

    assert [names(result) for result in pages] == [
        ["Nearer"],
        ["Near"],
        ["Edge of the circle"],
        ["Outside the box"],
        ["Box corner"],
        ["Far box corner"],
    ]
    # While the circle inside the first box holds enough, the total counts the sites within it
    # (the three within 20 km); past them every matching site is read and counted.
    assert [result.total for result in pages] == [3, 3, 6, 6, 6, 6]
    assert [result.within_km for result in pages] == [20, 20, None, None, None, None]
    assert [result.has_next for result in pages] == [True] * 5 + [False]
