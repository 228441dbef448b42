"""Tests for the demo network: deterministic, clearly flagged, spread by population, replaceable."""

from __future__ import annotations

import copy
from collections import Counter
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Count

from network.demo import demo_network_load
from network.hours_document import validate_document
from network.models import Organisation, Partnership, Site
from network.week_mask import weekly_slots
from territory.models import BRUSSELS_REGION, FLEMISH_REGION, Municipality
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("territory")]

TODAY = date(2026, 11, 26)
IN_NETWORK = 285 + 19  # Flemish and Brussels municipalities


def load(sites: int, seed: int = 2026) -> dict[str, int]:
    return demo_network_load(sites=sites, seed=seed, today=TODAY, log=lambda _line: None)


def snapshot() -> list[tuple]:
    """What a visitor sees of every demo site, in a stable order (primary keys left out)."""
    return [
        (
            site.slug,
            site.name,
            site.municipality_id,
            site.postal_code,
            site.street,
            site.latitude,
            site.longitude,
            site.languages,
            tuple(site.services),
            site.opening_hours,
            site.last_verified,
            tuple(sorted(theme.code for theme in site.themes.all())),
        )
        for site in Site.objects.filter(is_demo=True).prefetch_related("themes").order_by("slug")
    ]


def test_the_territory_has_the_network_municipalities():
    regions = Counter(Municipality.objects.in_network().values_list("region_id", flat=True))
    assert regions == {FLEMISH_REGION: 285, BRUSSELS_REGION: 19}


@pytest.mark.parametrize("sites", [304, 420])
def test_the_demo_network_has_exactly_the_requested_number_of_sites(sites):
    counts = load(sites)

    assert counts["sites"] == sites
    assert Site.objects.count() == sites
    assert counts["organisations"] == IN_NETWORK


@pytest.mark.parametrize("sites", [1, 50, 303])
def test_a_demo_network_smaller_than_the_territory_has_exactly_the_requested_number_of_sites(sites):
    # Fewer sites than municipalities: not every municipality can get one, but the number asked
    # for (e.g. `load_demo_network --sites 50` for a quick look) is what is made, most populous
    # municipalities first.
    counts = load(sites)

    assert Site.objects.count() == sites
    assert counts["sites"] == sites
    assert Site.objects.filter(municipality_id="11002").exists()  # Antwerpen, the largest


def test_the_full_demo_network_is_flagged_spread_over_every_municipality_and_valid():
    counts = load(900)

    sites = list(Site.objects.all())
    assert counts["sites"] == len(sites) == 900
    assert all(site.is_demo for site in sites)
    assert all(site.is_published for site in sites)
    assert Organisation.objects.filter(is_demo=False).count() == 0
    assert Partnership.objects.filter(is_demo=False).count() == 0
    covered = set(Site.objects.values_list("municipality_id", flat=True))
    assert covered == set(Municipality.objects.in_network().values_list("refnis", flat=True))
    for site in sites:
        validate_document(site.opening_hours)
        # Loaded in bulk, past Site.save: the mask for "open now" must still match the hours.
        assert site.open_slots == weekly_slots(site.opening_hours)
    # Every site is in Belgium and speaks Dutch.
    assert all(49.4 <= site.latitude <= 51.6 and 2.4 <= site.longitude <= 6.5 for site in sites)
    assert all(",nl," in site.languages for site in sites)
    assert len({site.slug for site in sites}) == 900


def test_every_network_municipality_has_a_site_from_304_sites_on():
    load(304)

    per_municipality = Counter(Site.objects.values_list("municipality_id", flat=True))
    assert set(per_municipality) == set(
        Municipality.objects.in_network().values_list("refnis", flat=True)
    )
    assert set(per_municipality.values()) == {1}


def test_no_demo_site_is_outside_flanders_and_brussels():
    load(304)

    regions = set(Site.objects.values_list("municipality__region_id", flat=True))
    assert regions == {FLEMISH_REGION, BRUSSELS_REGION}


def test_sites_are_allocated_by_population():
    load(600)

    per_municipality = dict(
        Site.objects.values("municipality_id")
        .annotate(n=Count("pk"))
        .values_list("municipality_id", "n")
    )
    antwerpen = Municipality.objects.get(refnis="11002")
    herstappe = Municipality.objects.get(refnis="73028")
    assert antwerpen.population > 100 * herstappe.population
    assert per_municipality["73028"] == 1
    assert per_municipality["11002"] > 15
    assert per_municipality["11002"] > per_municipality["21004"] > per_municipality["73028"]
    # Roughly proportional: Antwerpen's share of sites is close to its share of the people.
    people = sum(Municipality.objects.in_network().values_list("population", flat=True))
    extra_sites = 600 - IN_NETWORK
    expected = 1 + extra_sites * antwerpen.population / people
    assert abs(per_municipality["11002"] - expected) <= 1


def test_the_same_seed_gives_the_same_network():
    load(120 + IN_NETWORK, seed=7)
    first = snapshot()
    load(120 + IN_NETWORK, seed=7)

    assert snapshot() == first


def test_a_different_seed_gives_a_different_network():
    load(IN_NETWORK, seed=7)
    first = snapshot()
    load(IN_NETWORK, seed=8)
    second = snapshot()

    assert len(first) == len(second)
    assert [row[5:7] for row in first] != [row[5:7] for row in second]  # coordinates
    assert [row[9] for row in first] != [row[9] for row in second]  # opening hours


def test_loading_again_replaces_the_demo_network_and_leaves_real_sites_alone():
    real = factories.site(name="Real Digipunt")
    real_organisation = real.organisation
    before = Site.objects.values().get(pk=real.pk)

    load(IN_NETWORK)
    load(IN_NETWORK)

    assert Site.objects.filter(is_demo=True).count() == IN_NETWORK
    assert Site.objects.count() == IN_NETWORK + 1
    assert Organisation.objects.filter(is_demo=True).count() == IN_NETWORK
    assert Organisation.objects.filter(pk=real_organisation.pk).exists()
    assert Site.objects.values().get(pk=real.pk) == before
    assert list(real.themes.values_list("code", flat=True)) == ["eid-itsme"]
    names = list(Site.objects.filter(is_demo=True).values_list("slug", flat=True))
    assert len(names) == len(set(names))
    partnerships = Partnership.objects.count()
    load(IN_NETWORK)
    assert Partnership.objects.count() == partnerships


def test_a_smaller_reload_leaves_no_sites_of_the_bigger_one():
    load(420)
    load(IN_NETWORK)

    assert Site.objects.count() == IN_NETWORK


def test_opening_hours_are_valid_and_include_fortnightly_and_monthly_ones():
    load(IN_NETWORK)

    documents = list(Site.objects.values_list("opening_hours", flat=True))
    for document in documents:
        validate_document(document)
    recurrences = Counter(
        entry["recurrence"] for document in documents for entry in document["periods"]
    )
    assert recurrences["weekly"] > 0
    assert recurrences["biweekly"] > 0
    assert recurrences["monthly"] > 0
    # Every site opens at some point.
    assert all(document["periods"] for document in documents)


def test_every_demo_site_opens_in_the_coming_weeks():
    load(IN_NETWORK)

    start = datetime(2026, 11, 26, 8, 0, tzinfo=ZoneInfo("Europe/Brussels"))
    assert all(site.schedule().next_opening(start) is not None for site in Site.objects.all())


def test_demo_sites_help_with_themes_and_offer_services():
    load(IN_NETWORK)

    without_themes = Site.objects.annotate(n=Count("themes")).filter(n=0)
    assert not without_themes.exists()
    assert Site.objects.filter(offers_lending=True).exists()
    assert Site.objects.filter(offers_learning=True).exists()
    assert Site.objects.filter(languages__contains=",fr,").exists()


def test_zero_sites_removes_the_demo_network_and_adds_nothing():
    demo_network_load(sites=20, seed=1, today=date(2026, 11, 26), log=lambda _s: None)

    demo_network_load(sites=0, today=date(2026, 11, 26), log=lambda _s: None)

    assert not Site.objects.filter(is_demo=True).exists()
    assert not Organisation.objects.filter(is_demo=True).exists()
    assert not Partnership.objects.filter(is_demo=True).exists()


def test_what_was_done_with_the_demo_goes_with_it_and_real_work_stays(cast):
    """`make run` loads the demo again each time: visits, bookings and referrals made at demo
    sites (demo data too) must not stop it, and nothing of a real site may go."""
    from appointments.models import Appointment
    from questions.models import Contact, VisitorCode
    from questions.services import visitor_codes_issue
    from referrals.models import Referral
    from tests.appointments.helpers import EVERY_DAY, book, enable_booking, tomorrow_at
    from tests.questions.registration import register
    from tests.referrals.helpers import refer

    load(IN_NETWORK)
    demo = Site.objects.filter(is_demo=True).order_by("pk").first()
    demo.opening_hours = copy.deepcopy(EVERY_DAY)
    demo.closed_on_public_holidays = False
    demo.languages = ",nl,fr,"
    demo.save()
    enable_booking(demo)
    book(demo, tomorrow_at(10))
    register(cast.volunteer, demo)
    real = register(cast.volunteer, cast.gent_a)[0]
    visitor_codes_issue(actor=cast.coordinator, organisation=demo.organisation, count=2)
    refer(cast, demo)

    load(IN_NETWORK)

    assert list(Contact.objects.values_list("pk", flat=True)) == [real.pk]
    assert not VisitorCode.objects.exists()
    assert not Referral.objects.exists()
    assert not Appointment.objects.exists()
    assert Site.objects.filter(is_demo=True).count() == IN_NETWORK
