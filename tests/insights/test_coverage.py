"""Coverage and the funding cliff on a small hand-built network, checked against figures worked
out by hand.

The network: three neighbouring municipalities east of Leuven, with their real populations and
localities (territory data):

- Bertem (24009), 10,141 residents; localities Bertem (50.8640, 4.6292), Korbeek-Dijle
  (50.8381, 4.6379) and Leefdaal (50.8476, 4.5894): 10,141 / 3 = 3,380.33 residents each.
- Bierbeek (24011), 10,162 residents; localities Bierbeek (50.8288, 4.7595), Lovenjoel
  (50.8585, 4.7809), Korbeek-Lo (50.8603, 4.7627) and Opvelp (50.8102, 4.7935).
- Boutersem (24016), 8,242 residents, no Digipunt; six localities of 8,242 / 6 = 1,373.67
  residents: Boutersem (50.8351, 4.8345), Vertrijk (50.8293, 4.8345), Neervelp (50.8216, 4.8094),
  Willebringen (50.8124, 4.8439), Roosbeek (50.8361, 4.8628) and Kerkom (50.8557, 4.8742).

Four Digipunten, measured in the week of Monday 2 March 2026 (no public holiday):

- S1 "Bertem" (org Bertem) at Bertem's point, Monday to Friday 09:00-12:00: 15 hours;
- S4 "Bertem mobile" (org Bertem) at Korbeek-Dijle's point, no hours: 0 hours, not open;
- S2 "Bierbeek" (org Bierbeek) at Bierbeek's point, Tuesday and Thursday 13:00-17:00: 8 hours;
- S3 "Lovenjoel" (org Bierbeek) at Lovenjoel's point, Wednesday 09:00-12:00: 3 hours.

Distances by hand: near 50.85° N one degree of latitude is 111.19 km and one of longitude
111.19 × cos(50.85°) = 70.2 km; d = √((Δlat × 111.19)² + (Δlon × 70.2)²).
"""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

import pytest

from funding.models import Grant
from insights.cliff import funding_cliff
from insights.coverage import (
    GAP_FEW_HOURS,
    GAP_NO_SITE,
    NearestSites,
    coverage,
    haversine_km,
)
from network.hours_document import period
from tests import factories
from tests.funding.helpers import programme

pytestmark = pytest.mark.django_db

BERTEM, BIERBEEK, BOUTERSEM = "24009", "24011", "24016"
AREA = (BERTEM, BIERBEEK, BOUTERSEM)
MONDAY = date(2026, 3, 2)


def hours(*spans: tuple[int, str, str]) -> dict[str, object]:
    return {"periods": [period(day, opens, closes) for day, opens, closes in spans]}


@pytest.fixture
def network(territory):
    bertem = factories.organisation(name="Gemeente Bertem")
    bierbeek = factories.organisation(name="Gemeente Bierbeek")
    common = {"themes": (), "offers_help": True}
    return {
        "S1": factories.site(
            name="Bertem",
            organisation=bertem,
            municipality=BERTEM,
            postal_code="3060",
            latitude=50.8640,
            longitude=4.6292,
            opening_hours=hours(*[(day, "09:00", "12:00") for day in range(5)]),
            **common,
        ),
        "S4": factories.site(
            name="Bertem mobile",
            organisation=bertem,
            municipality=BERTEM,
            postal_code="3060",
            latitude=50.8381,
            longitude=4.6379,
            opening_hours={"periods": [], "exceptions": []},
            **common,
        ),
        "S2": factories.site(
            name="Bierbeek",
            organisation=bierbeek,
            municipality=BIERBEEK,
            postal_code="3360",
            latitude=50.8288,
            longitude=4.7595,
            opening_hours=hours((1, "13:00", "17:00"), (3, "13:00", "17:00")),
            **common,
        ),
        "S3": factories.site(
            name="Lovenjoel",
            organisation=bierbeek,
            municipality=BIERBEEK,
            postal_code="3360",
            latitude=50.8585,
            longitude=4.7809,
            opening_hours=hours((2, "09:00", "12:00")),
            offers_learning=True,
            **common,
        ),
    }


def by_refnis(result):
    return {row.refnis: row for row in result.municipalities}


def locality(result, name):
    return next(row for row in result.localities if row.name == name)


# --- coverage -----------------------------------------------------------------------------------


def test_hours_per_10000_residents_and_vulnerable_residents(network):
    result = coverage(week_from=MONDAY, refnis=AREA)
    rows = by_refnis(result)

    # Bertem: S1 15 h + S4 0 h = 15 h; 15 × 10,000 / 10,141 = 14.79 h per 10,000 residents.
    assert rows[BERTEM].sites == 2
    assert rows[BERTEM].open_sites == 1
    assert rows[BERTEM].weekly_hours == pytest.approx(15)
    assert rows[BERTEM].hours_per_10000 == pytest.approx(14.79, abs=0.01)
    # Bierbeek: S2 8 h + S3 3 h = 11 h; 11 × 10,000 / 10,162 = 10.82.
    assert rows[BIERBEEK].weekly_hours == pytest.approx(11)
    assert rows[BIERBEEK].hours_per_10000 == pytest.approx(10.82, abs=0.01)
    # Boutersem: none.
    assert rows[BOUTERSEM].sites == 0
    assert rows[BOUTERSEM].hours_per_10000 == 0
    # 40 % of the residents: 4,056.4 → 4,056; 4,064.8 → 4,065; 3,296.8 → 3,297.
    assert rows[BERTEM].vulnerable_residents == 4056
    assert rows[BIERBEEK].vulnerable_residents == 4065
    assert rows[BOUTERSEM].vulnerable_residents == 3297
    assert result.vulnerable_residents == 4056 + 4065 + 3297
    assert result.population == 10141 + 10162 + 8242


def test_a_regional_rate_replaces_the_default(network, settings):
    settings.DIGITALLY_VULNERABLE_RATE_BY_REGION = {"02000": 0.3}

    rows = by_refnis(coverage(week_from=MONDAY, refnis=AREA))

    # 10,141 × 0.3 = 3,042.3 → 3,042.
    assert rows[BERTEM].vulnerable_rate == 0.3
    assert rows[BERTEM].vulnerable_residents == 3042


def test_gaps_are_municipalities_without_a_digipunt_or_with_too_few_hours(network):
    default = coverage(week_from=MONDAY, refnis=AREA)
    strict = coverage(week_from=MONDAY, refnis=AREA, min_hours_per_10000=12)

    # The default minimum (2 h per 10,000) leaves only Boutersem, which has no Digipunt.
    assert [(row.refnis, row.gap) for row in default.gaps] == [(BOUTERSEM, GAP_NO_SITE)]
    # At 12 h per 10,000, Bierbeek's 10.82 falls short; Bertem's 14.79 does not.
    assert [(row.refnis, row.gap) for row in strict.gaps] == [
        (BOUTERSEM, GAP_NO_SITE),
        (BIERBEEK, GAP_FEW_HOURS),
    ]


def test_the_distance_from_each_locality_to_the_nearest_open_digipunt(network):
    result = coverage(week_from=MONDAY, refnis=AREA, max_distance_km=5)

    # Korbeek-Dijle has S4 on its point, but S4 has no hours: S1 counts.
    # Δlat 0.0259 × 111.19 = 2.880 km, Δlon 0.0087 × 70.2 = 0.611 km → 2.94 km.
    korbeek_dijle = locality(result, "Korbeek-Dijle")
    assert korbeek_dijle.nearest_site_id == network["S1"].pk
    assert korbeek_dijle.distance_km == pytest.approx(2.94, abs=0.1)
    # Leefdaal to S1: 0.0164 × 111.19 = 1.824, 0.0398 × 70.2 = 2.794 → 3.34 km.
    assert locality(result, "Leefdaal").distance_km == pytest.approx(3.34, abs=0.1)
    # Korbeek-Lo to S3: 0.0018 × 111.19 = 0.200, 0.0182 × 70.2 = 1.278 → 1.29 km.
    assert locality(result, "Korbeek-Lo").nearest_site_id == network["S3"].pk
    assert locality(result, "Korbeek-Lo").distance_km == pytest.approx(1.29, abs=0.1)
    # Kerkom to S3: 0.0028 × 111.19 = 0.311, 0.0933 × 70.2 = 6.550 → 6.56 km.
    assert locality(result, "Kerkom").distance_km == pytest.approx(6.56, abs=0.1)
    # Willebringen to S2: 0.0164 × 111.19 = 1.824, 0.0844 × 70.2 = 5.925 → 6.20 km.
    assert locality(result, "Willebringen").nearest_site_id == network["S2"].pk
    assert locality(result, "Willebringen").distance_km == pytest.approx(6.20, abs=0.1)
    # Boutersem to S3: 0.0234 × 111.19 = 2.602, 0.0536 × 70.2 = 3.763 → 4.58 km.
    assert locality(result, "Boutersem").distance_km == pytest.approx(4.58, abs=0.1)
    # Farther than 5 km: Kerkom (6.56), Roosbeek (to S3: 0.0224 × 111.19 = 2.491,
    # 0.0819 × 70.2 = 5.749 → 6.27) and Willebringen (6.20): three localities of Boutersem.
    assert [row.name for row in result.remote_localities] == ["Kerkom", "Roosbeek", "Willebringen"]
    rows = by_refnis(result)
    assert rows[BOUTERSEM].localities == 6
    assert rows[BOUTERSEM].localities_beyond == 3
    # 3 × 8,242 / 6 = 4,121 residents.
    assert rows[BOUTERSEM].residents_beyond == 4121
    assert result.residents_beyond == 4121
    assert rows[BERTEM].localities_beyond == 0


def test_a_municipality_counts_its_localities_once_whatever_their_names(territory):
    # Bever (23009) is one locality with a Dutch and a French name (Bever / Biévène).
    result = coverage(week_from=MONDAY, refnis=["23009"])

    assert len(result.localities) == 1
    assert result.localities[0].residents == result.municipalities[0].population
    assert result.localities[0].distance_km is None
    assert result.localities[0].is_gap


def test_the_grid_finds_the_same_nearest_site_as_measuring_every_one():
    rng = random.Random(16)
    sites = [(n, rng.uniform(50.7, 51.5), rng.uniform(2.6, 5.9)) for n in range(300)]
    index = NearestSites(sites)

    for _ in range(500):
        lat, lon = rng.uniform(50.6, 51.6), rng.uniform(2.5, 6.0)
        expected = min(haversine_km(lat, lon, s_lat, s_lon) for _, s_lat, s_lon in sites)
        found = index.nearest(lat, lon)
        assert found is not None
        assert found[1] == pytest.approx(expected)


def test_haversine_matches_a_known_distance():
    # Brussels Grand-Place (50.8467, 4.3525) to Gent Korenmarkt (51.0543, 3.7217), by hand:
    # Δlat 0.2076 × 111.19 = 23.08 km; Δlon 0.6308 × 111.19 × cos(50.95°) = 0.6308 × 70.05
    # = 44.19 km; √(23.08² + 44.19²) = 49.85 km.
    assert haversine_km(50.8467, 4.3525, 51.0543, 3.7217) == pytest.approx(49.85, abs=0.05)


# --- the funding cliff -----------------------------------------------------------------------


@pytest.fixture
def grants(network):
    """Bertem's Digibank grant for all its sites ends on 31 July 2026; Bierbeek pays for
    Lovenjoel's help until the end of 2027 and the EU for its courses until 31 July 2026;
    Bierbeek's S2 has no grant recorded."""
    digibank = programme("Digibanken")
    local = programme("Gemeentelijk budget", ends_on=date(2027, 12, 31))
    esf = programme("ESF+", ends_on=date(2026, 7, 31))
    s1, s3 = network["S1"], network["S3"]
    for item, organisation, site, services, ends_on in (
        (digibank, s1.organisation, None, "", date(2026, 7, 31)),
        (local, s3.organisation, s3, "help", date(2027, 12, 31)),
        (esf, s3.organisation, s3, "learning", date(2026, 7, 31)),
    ):
        Grant.objects.create(
            programme=item,
            organisation=organisation,
            site=site,
            services=services,
            amount=Decimal("10000"),
            starts_on=date(2024, 1, 1),
            ends_on=ends_on,
        )
    return network


def test_the_sites_whose_grants_end_close_and_lose_their_hours(grants):
    cliff = funding_cliff(date(2026, 8, 1), distance_km=5, today=MONDAY, refnis=AREA)

    # Bertem's grant covered both its sites: S1 (15 h) and S4 (0 h) close.
    assert [loss.name for loss in cliff.closing] == ["Bertem", "Bertem mobile"]
    s1 = cliff.closing[0]
    assert s1.closes
    assert s1.weekly_hours_lost == pytest.approx(15)
    assert s1.services_lost == ("help",)
    assert s1.funded_until == date(2026, 7, 31)
    assert s1.programmes == ("Digibanken",)
    assert cliff.weekly_hours_lost == pytest.approx(15)
    # Lovenjoel keeps its help (local budget) but loses its courses (ESF+); its hours stay.
    assert [(loss.name, loss.services_lost) for loss in cliff.reduced] == [
        ("Lovenjoel", ("learning",))
    ]
    assert cliff.reduced[0].weekly_hours_lost == 0
    # S2 has no grant recorded: listed apart, assumed to stay open.
    assert [site.name for site in cliff.no_funding_recorded] == ["Bierbeek"]


def test_the_residents_left_farther_than_the_distance_after_the_closures(grants):
    cliff = funding_cliff(date(2026, 8, 1), distance_km=5, today=MONDAY, refnis=AREA)

    # Before: Kerkom, Roosbeek and Willebringen (Boutersem): 3 × 1,373.67 = 4,121 residents.
    assert cliff.residents_beyond_before == 4121
    # After S1 closes (S4 was never open), Bertem's localities are nearest to S2 in Bierbeek:
    # Korbeek-Dijle 0.0093 × 111.19 = 1.034, 0.1216 × 70.2 = 8.536 → 8.60 km;
    # Bertem 0.0352 × 111.19 = 3.914, 0.1303 × 70.2 = 9.147 → 9.95 km;
    # Leefdaal 0.0188 × 111.19 = 2.090, 0.1701 × 70.2 = 11.941 → 12.12 km.
    # All three are beyond 5 km: 10,141 more residents, 14,262 in all.
    assert cliff.residents_beyond_after == 14262
    assert cliff.residents_newly_beyond == 10141
    changed = {row.name: row for row in cliff.localities_newly_beyond}
    assert sorted(changed) == ["Bertem", "Korbeek-Dijle", "Leefdaal"]
    assert changed["Korbeek-Dijle"].distance_before_km == pytest.approx(2.94, abs=0.1)
    assert changed["Korbeek-Dijle"].distance_after_km == pytest.approx(8.60, abs=0.1)
    assert changed["Leefdaal"].distance_after_km == pytest.approx(12.12, abs=0.1)


def test_the_losses_add_up_by_region_and_municipality(grants):
    cliff = funding_cliff(date(2026, 8, 1), distance_km=5, today=MONDAY, refnis=AREA)

    [flanders] = cliff.by_region
    assert flanders.refnis == "02000"
    assert (flanders.sites_closing, flanders.sites_reduced) == (2, 1)
    assert flanders.weekly_hours_lost == pytest.approx(15)
    assert flanders.residents_newly_beyond == 10141
    municipalities = {row.refnis: row for row in cliff.by_municipality}
    assert set(municipalities) == {BERTEM, BIERBEEK}
    assert municipalities[BERTEM].sites_closing == 2
    assert municipalities[BERTEM].residents_newly_beyond == 10141
    assert municipalities[BIERBEEK].sites_reduced == 1
    assert municipalities[BIERBEEK].weekly_hours_lost == 0


def test_before_any_grant_ends_nothing_is_lost(grants):
    cliff = funding_cliff(date(2026, 7, 31), distance_km=5, today=MONDAY, refnis=AREA)

    assert cliff.closing == []
    assert cliff.reduced == []
    assert cliff.residents_newly_beyond == 0


def test_a_new_grant_for_the_site_keeps_it_open(grants):
    s1 = grants["S1"]
    Grant.objects.create(
        programme=programme("Gemeentelijk budget", ends_on=date(2027, 12, 31)),
        organisation=s1.organisation,
        site=s1,
        amount=Decimal("5000"),
        starts_on=date(2026, 8, 1),
        ends_on=date(2027, 12, 31),
    )

    cliff = funding_cliff(date(2026, 8, 1), distance_km=5, today=MONDAY, refnis=AREA)

    # S1 is paid for again; only S4 (no hours) closes, so nobody is left farther away.
    assert [loss.name for loss in cliff.closing] == ["Bertem mobile"]
    assert cliff.residents_newly_beyond == 0
