"""The site's inbox of referred residents: new ones first, statuses, and nothing of other sites."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEntry
from referrals.models import Referral
from referrals.services import referral_set_status
from tests.cast import signed_in, url
from tests.referrals.helpers import refer, stored_referral

pytestmark = pytest.mark.django_db


def test_the_inbox_shows_new_referrals_first_and_counts_them(cast):
    first = refer(cast, name="First Resident")
    refer(cast, name="Second Resident")
    third = refer(cast, name="Third Resident")
    referral_set_status(actor=cast.volunteer, referral=third, status="contacted")

    page = signed_in(cast.volunteer).get(url("referrals:inbox", site_id=cast.gent_a.pk))

    assert page.status_code == 200
    html = page.content.decode()
    assert "2 new referrals" in html
    # New ones first (newest first among them), then the others.
    assert (
        html.index("Second Resident") < html.index("First Resident") < html.index("Third Resident")
    )
    assert url("referrals:referral", site_id=cast.gent_a.pk, referral_id=first.pk) in html


def test_the_inbox_filters_by_status(cast):
    refer(cast, name="Still New")
    helped = refer(cast, name="Was Helped")
    referral_set_status(actor=cast.volunteer, referral=helped, status="helped")
    client = signed_in(cast.volunteer)
    inbox = url("referrals:inbox", site_id=cast.gent_a.pk)

    only_helped = client.get(inbox, {"status": "helped"}).content.decode()
    still_open = client.get(inbox, {"status": "open"}).content.decode()

    assert "Was Helped" in only_helped
    assert "Still New" not in only_helped
    assert "Still New" in still_open
    assert "Was Helped" not in still_open


def test_an_unknown_filter_shows_everything_and_says_so(cast):
    refer(cast, name="Still New")

    page = signed_in(cast.volunteer).get(
        url("referrals:inbox", site_id=cast.gent_a.pk), {"status": "lost"}
    )

    assert page.status_code == 200
    html = page.content.decode()
    assert "That filter does not exist" in html
    assert "Still New" in html


def test_the_inbox_shows_only_this_sites_referrals(cast):
    refer(cast, name="At Gent A")
    refer(cast, name="At Gent B", site=cast.gent_b)

    html = signed_in(cast.org_admin).get(url("referrals:inbox", site_id=cast.gent_a.pk))

    assert "At Gent A" in html.content.decode()
    assert "At Gent B" not in html.content.decode()


def test_the_inbox_of_another_organisations_site_is_not_found(cast):
    response = signed_in(cast.volunteer).get(url("referrals:inbox", site_id=cast.aalst.pk))

    assert response.status_code == 404


def test_the_inbox_takes_the_same_number_of_queries_for_many_referrals(cast):
    client = signed_in(cast.volunteer)
    inbox = url("referrals:inbox", site_id=cast.gent_a.pk)
    refer(cast)
    client.get(inbox)
    with CaptureQueriesContext(connection) as few:
        client.get(inbox)
    for _n in range(10):
        refer(cast)
    with CaptureQueriesContext(connection) as many:
        client.get(inbox)

    assert len(many) == len(few)


def test_a_referral_shows_the_residents_details_and_who_sent_it(cast):
    referral = refer(cast, email="marie@example.org", question="Help with itsme on a new phone")

    page = signed_in(cast.volunteer).get(
        url("referrals:referral", site_id=cast.gent_a.pk, referral_id=referral.pk)
    )

    html = page.content.decode()
    assert "Marie Peeters" in html
    assert 'href="tel:+32470123456">0470 12 34 56</a>' in html
    assert "marie@example.org" in html
    assert "Help with itsme on a new phone" in html
    assert "Rita Doorverwijzer" in html
    assert "Stad Gent" in html


def test_setting_a_status_saves_it_and_says_so(cast):
    referral = refer(cast)
    client = signed_in(cast.volunteer)
    page_url = url("referrals:referral", site_id=cast.gent_a.pk, referral_id=referral.pk)

    response = client.post(page_url, {"status": "not_reachable"}, follow=True)

    stored = Referral.objects.get(pk=referral.pk)
    assert stored.status == "not_reachable"
    assert stored.closed_at is not None
    html = response.content.decode()
    assert "is now “Not reachable”" in html
    assert "Not reachable, noted on" in html


def test_an_unknown_status_is_answered_with_a_message_not_an_error(cast):
    referral = refer(cast)

    page = signed_in(cast.volunteer).post(
        url("referrals:referral", site_id=cast.gent_a.pk, referral_id=referral.pk),
        {"status": "lost"},
    )

    assert page.status_code == 200
    assert 'class="errorlist' in page.content.decode()
    assert Referral.objects.get(pk=referral.pk).status == "new"
    assert not AuditEntry.objects.filter(action="referral.status_changed").exists()


def test_a_referral_of_another_organisations_site_is_not_found(cast):
    other = refer(cast, site=cast.aalst)
    client = signed_in(cast.volunteer)
    # Under the volunteer's own site's address: still not theirs.
    forged = url("referrals:referral", site_id=cast.gent_a.pk, referral_id=other.pk)

    assert client.get(forged).status_code == 404
    assert client.post(forged, {"status": "helped"}).status_code == 404
    assert Referral.objects.get(pk=other.pk).status == "new"


def test_a_referral_of_a_sister_site_is_not_found_under_this_sites_address(cast):
    at_b = refer(cast, site=cast.gent_b)
    # The organisation admin may see both sites, but a referral belongs under its own site.
    client = signed_in(cast.org_admin)

    forged = url("referrals:referral", site_id=cast.gent_a.pk, referral_id=at_b.pk)
    assert client.get(forged).status_code == 404
    real = url("referrals:referral", site_id=cast.gent_b.pk, referral_id=at_b.pk)
    assert client.get(real).status_code == 200


def test_an_erased_referral_shows_when_its_data_was_erased(cast):
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
        status="helped",
        erased_at=datetime(2026, 5, 6, 3, 15, tzinfo=ZoneInfo("Europe/Brussels")),
    )
    client = signed_in(cast.volunteer)

    detail = client.get(url("referrals:referral", site_id=cast.gent_a.pk, referral_id=erased.pk))
    inbox = client.get(url("referrals:inbox", site_id=cast.gent_a.pk))

    assert "Personal data erased on 6 May 2026." in detail.content.decode()
    assert f"{erased.reference} (personal data erased)" in inbox.content.decode()
