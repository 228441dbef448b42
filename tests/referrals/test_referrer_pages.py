"""The referrer's pages: find a Digipunt near the resident, refer, and follow the status."""

from __future__ import annotations

import re

import pytest

from referrals.models import Referral
from referrals.services import referral_set_status
from tests import factories
from tests.cast import signed_in, url
from tests.referrals.helpers import form_data, refer, stored_referral

pytestmark = pytest.mark.django_db


def test_the_staff_home_of_a_referrer_offers_to_refer_a_resident(cast):
    page = signed_in(cast.referrer).get(url("workspace:home"))

    assert page.status_code == 200
    html = page.content.decode()
    assert url("referrals:new") in html
    assert url("referrals:sent") in html
    assert "You do not work for a Digipunt here yet" not in html


def test_the_staff_home_of_someone_who_does_not_refer_has_no_referral_links(cast):
    page = signed_in(cast.org_admin).get(url("workspace:home"))

    assert page.status_code == 200
    assert url("referrals:new") not in page.content.decode()


def test_searching_a_postal_code_lists_the_nearest_digipunten_that_help(cast):
    lending_only = factories.site(
        name="Only Lending Gent", organisation=cast.gent, offers_help=False
    )
    hidden = factories.site(name="Hidden Gent", organisation=cast.gent, is_published=False)

    page = signed_in(cast.referrer).get(url("referrals:new"), {"q": "9000"})

    assert page.status_code == 200
    html = page.content.decode()
    assert "Digipunt Gent A" in html
    assert "Digipunt Gent B" in html
    # Nearest first: the Gent sites come before the one in Aalst.
    assert html.index("Digipunt Gent A") < html.index("Digipunt Aalst")
    assert lending_only.name not in html
    assert hidden.name not in html
    assert url("referrals:new-for-site", site_id=cast.gent_a.pk) in html
    assert "Refer to this Digipunt" in html
    assert re.search(r"\d+ m|\d+[.,]\d km", html), "the distance is shown"
    assert "Open now" in html or "Closed" in html


def test_an_unknown_postal_code_gets_a_helpful_message(cast):
    page = signed_in(cast.referrer).get(url("referrals:new"), {"q": "0000"})

    assert page.status_code == 200
    assert "We do not know the postal code 0000." in page.content.decode()


def test_a_misspelt_place_gets_suggestions_that_stay_on_the_referral_page(cast):
    page = signed_in(cast.referrer).get(url("referrals:new"), {"q": "Gnet"})

    html = page.content.decode()
    assert "Did you mean:" in html
    assert f'href="{url("referrals:new")}?q=Gent"' in html


def test_a_name_of_several_villages_offers_the_choice_on_the_referral_page(cast):
    page = signed_in(cast.referrer).get(url("referrals:new"), {"q": "Haren"})

    html = page.content.decode()
    assert f'href="{url("referrals:new")}?q=3700+Haren">Haren, 3700 Tongeren-Borgloon</a>' in html


def test_a_place_too_long_to_be_a_place_is_answered_not_cut(cast):
    page = signed_in(cast.referrer).get(url("referrals:new"), {"q": "x" * 300})

    assert page.status_code == 200
    assert "That is too long for a place" in page.content.decode()


def test_the_form_shows_the_chosen_digipunt_at_the_top(cast):
    page = signed_in(cast.referrer).get(url("referrals:new-for-site", site_id=cast.gent_a.pk))

    assert page.status_code == 200
    html = page.content.decode()
    assert html.index("Digipunt Gent A") < html.index('name="name"')
    assert "The resident agrees that we pass on their name, phone number and question" in html


def test_sending_the_form_makes_a_referral_and_shows_its_status(cast):
    client = signed_in(cast.referrer)

    response = client.post(
        url("referrals:new-for-site", site_id=cast.gent_a.pk), form_data(), follow=True
    )

    referral = Referral.objects.get()
    assert response.redirect_chain[-1][0] == url("referrals:sent-detail", referral_id=referral.pk)
    html = response.content.decode()
    assert referral.reference in html
    assert "New" in html
    assert referral.phone == "+32470123456"
    assert referral.referrer == cast.referrer
    assert referral.organisation == cast.gent


def test_without_consent_the_form_comes_back_with_everything_typed(cast):
    data = form_data(consent="", question="Cannot log in to MyMinfin", email="marie@example.org")

    page = signed_in(cast.referrer).post(
        url("referrals:new-for-site", site_id=cast.gent_a.pk), data
    )

    assert page.status_code == 200
    html = page.content.decode()
    assert "Without their consent" in html
    assert 'value="Marie Peeters"' in html
    assert 'value="0470 12 34 56"' in html
    assert 'value="marie@example.org"' in html
    assert "Cannot log in to MyMinfin</textarea>" in html
    assert Referral.objects.count() == 0


def test_a_malformed_phone_number_comes_back_at_its_field_with_the_rest_kept(cast):
    data = form_data(phone="0470 12", language="fr")

    page = signed_in(cast.referrer).post(
        url("referrals:new-for-site", site_id=cast.gent_a.pk), data
    )

    assert page.status_code == 200
    html = page.content.decode()
    assert "This is not a phone number we can use" in html
    assert 'value="0470 12"' in html
    assert 'value="Marie Peeters"' in html
    assert '<option value="fr" selected>' in html
    assert 'aria-invalid="true"' in html
    assert Referral.objects.count() == 0


def test_a_double_submission_makes_one_referral(cast):
    client = signed_in(cast.referrer)
    data = form_data(token="f" * 32)
    target = url("referrals:new-for-site", site_id=cast.gent_a.pk)

    first = client.post(target, data)
    second = client.post(target, data)

    assert Referral.objects.count() == 1
    assert first.status_code == second.status_code == 302
    assert first.url == second.url


def test_an_unpublished_digipunt_cannot_be_chosen(cast):
    hidden = factories.site(organisation=cast.gent, is_published=False)

    client = signed_in(cast.referrer)

    assert client.get(url("referrals:new-for-site", site_id=hidden.pk)).status_code == 404
    assert (
        client.post(url("referrals:new-for-site", site_id=hidden.pk), form_data()).status_code
        == 404
    )
    assert Referral.objects.count() == 0


def test_a_digipunt_without_help_cannot_be_chosen(cast):
    lending_only = factories.site(organisation=cast.gent, offers_help=False)

    response = signed_in(cast.referrer).get(url("referrals:new-for-site", site_id=lending_only.pk))

    assert response.status_code == 404


def test_someone_who_refers_for_two_organisations_chooses_on_whose_behalf(cast):
    from accounts.models import Membership, Role

    Membership.objects.create(user=cast.referrer, organisation=cast.aalst_org, role=Role.REFERRER)
    client = signed_in(cast.referrer)
    target = url("referrals:new-for-site", site_id=cast.gent_a.pk)

    assert 'name="organisation"' in client.get(target).content.decode()
    client.post(target, form_data(organisation=cast.aalst_org.pk))

    assert Referral.objects.get().organisation == cast.aalst_org


def test_my_referrals_lists_the_organisations_referrals_newest_first(cast):
    older = refer(cast, name="Older Resident")
    newer = refer(cast, name="Newer Resident", site=cast.aalst)
    other = stored_referral(cast.gent_a, cast.aalst_org, name="Not Ours")
    referral_set_status(actor=cast.volunteer, referral=older, status="helped")

    page = signed_in(cast.referrer).get(url("referrals:sent"))

    html = page.content.decode()
    assert html.index(newer.reference) < html.index(older.reference)
    assert "Helped" in html
    assert "New" in html
    assert other.reference not in html
    assert "Not Ours" not in html


def test_a_referral_sent_by_a_colleague_is_shown_with_who_sent_it(cast):
    from accounts.models import Membership, Role
    from tests.cast import user

    colleague = user("colleague@example.org", "Carla Collega")
    Membership.objects.create(user=colleague, organisation=cast.gent, role=Role.REFERRER)
    referral = refer(cast, actor=colleague)

    page = signed_in(cast.referrer).get(url("referrals:sent"))

    html = page.content.decode()
    assert referral.reference in html
    assert "Carla Collega" in html


def test_a_referral_of_another_organisation_is_not_found(cast):
    other = stored_referral(cast.gent_a, cast.aalst_org)

    response = signed_in(cast.referrer).get(url("referrals:sent-detail", referral_id=other.pk))

    assert response.status_code == 404


def test_the_referrer_sees_the_status_the_site_set(cast):
    referral = refer(cast)
    client = signed_in(cast.referrer)
    detail = url("referrals:sent-detail", referral_id=referral.pk)
    assert '<strong class="referral-status new">New</strong>' in client.get(detail).content.decode()

    staff = signed_in(cast.volunteer)
    staff.post(
        url("referrals:referral", site_id=cast.gent_a.pk, referral_id=referral.pk),
        {"status": "contacted"},
    )

    html = client.get(detail).content.decode()
    assert '<strong class="referral-status contacted">Contacted</strong>' in html
    assert "Sent on" in html
    assert "Contacted on" in html


def test_an_erased_referral_says_when_its_data_was_erased(cast):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    erased = stored_referral(
        cast.gent_a,
        cast.gent,
        cast.referrer,
        name="",
        phone="",
        email="",
        question="",
        erased_at=datetime(2026, 3, 4, 3, 15, tzinfo=ZoneInfo("Europe/Brussels")),
    )

    html = signed_in(cast.referrer).get(url("referrals:sent-detail", referral_id=erased.pk))
    assert "Personal data erased on 4 March 2026." in html.content.decode()
    listing = signed_in(cast.referrer).get(url("referrals:sent")).content.decode()
    assert "personal data erased" in listing
