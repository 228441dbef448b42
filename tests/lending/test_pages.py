"""The lending pages as a volunteer uses them without JavaScript: scan a tag, lend, renew, take
back, record the wipe; and the borrower's private page. Bad input gets a clear message and changes
nothing; another organisation's device is a 404."""

from __future__ import annotations

import re

import pytest

from lending.models import Device, Loan
from tests.cast import signed_in, text, url
from tests.lending.helpers import borrower, device, lend

pytestmark = pytest.mark.django_db


def test_a_scanned_tag_opens_its_device_and_an_unknown_one_says_so(cast):
    item = device(cast.gent_a, "LAP-001")
    client = signed_in(cast.volunteer)
    desk = url("lending:desk", site_id=cast.gent_a.pk)

    found = client.get(desk, {"tag": " lap-001"})
    unknown = client.get(desk, {"tag": "LAP-404"})

    assert found.status_code == 302
    assert found["Location"] == url("lending:device", site_id=cast.gent_a.pk, device_id=item.pk)
    assert "No device of this Digipunt has the tag LAP-404." in text(unknown)
    assert 'value="LAP-404"' in unknown.content.decode()  # what was typed comes back


def test_a_volunteer_lends_renews_takes_back_and_wipes(cast):
    item = device(cast.gent_a, "LAP-001", accessories=["charger"])
    who = borrower(cast.gent_a)
    client = signed_in(cast.volunteer)
    site_id = cast.gent_a.pk

    lent = client.post(
        url("lending:checkout", site_id=site_id),
        {"tag": "LAP-001", "borrower": who.pk, "agreement": "on"},
    )
    loan = Loan.objects.get(device=item)
    page = text(lent)
    assert f"Loan {loan.reference}" in page
    link = re.search(r"https?://[^\s<\"]+/loans/[^/\s<\"]+/", page).group(0)
    assert "It is shown only now." in page

    client.post(url("lending:loan-action", site_id=site_id, loan_id=loan.pk, action="renew"))
    loan.refresh_from_db()
    assert loan.renewals == 1
    assert "It is shown only now." not in text(
        client.get(url("lending:loan", site_id=site_id, loan_id=loan.pk))
    )

    back = client.post(
        url("lending:loan-action", site_id=site_id, loan_id=loan.pk, action="return"),
        {"accessories_back": ["charger"], "condition": "good", "wipe_method": ""},
        follow=True,
    )
    item.refresh_from_db()
    assert item.status == Device.Status.TO_WIPE
    assert "cannot be lent until its wipe is recorded" in text(back)

    client.post(
        url("lending:device-action", site_id=site_id, device_id=item.pk, action="wipe"),
        {"method": "factory_reset"},
    )
    item.refresh_from_db()
    assert item.status == Device.Status.AVAILABLE

    private = signed_in(cast.outsider).get(link.split("testserver", 1)[-1])
    assert private.status_code == 200
    assert "Thank you: this loan is closed." in text(private)


def test_a_refused_checkout_keeps_what_was_typed(cast):
    device(cast.gent_a, "LAP-001")
    who = borrower(cast.gent_a)
    client = signed_in(cast.volunteer)

    response = client.post(
        url("lending:checkout", site_id=cast.gent_a.pk), {"tag": "LAP-001", "borrower": who.pk}
    )

    assert response.status_code == 400
    assert "The borrower must accept the loan agreement." in text(response)
    page = response.content.decode()
    assert 'value="LAP-001"' in page
    assert re.search(rf'<input[^>]*name="borrower" value="{who.pk}"[^>]*checked', page)
    assert not Loan.objects.exists()


def test_another_organisations_device_and_loan_are_not_found(cast):
    theirs = device(cast.aalst, "LAP-001")
    loan, _token = lend(None, cast.aalst, theirs, borrower(cast.aalst))
    client = signed_in(cast.org_admin)  # of Gent

    paths = [
        url("lending:device", site_id=cast.gent_a.pk, device_id=theirs.pk),
        url("lending:loan", site_id=cast.gent_a.pk, loan_id=loan.pk),
        url("lending:device", site_id=cast.aalst.pk, device_id=theirs.pk),
    ]
    assert [client.get(path).status_code for path in paths] == [404, 404, 404]
    # Typing their tag at our desk finds nothing either.
    assert "No device of this Digipunt" in text(
        client.get(url("lending:desk", site_id=cast.gent_a.pk), {"tag": "LAP-001"})
    )


def test_a_device_is_added_with_its_accessories_and_a_taken_tag_is_refused(cast):
    client = signed_in(cast.coordinator)
    add = url("lending:device-add", site_id=cast.gent_a.pk)
    data = {
        "asset_tag": "tab-01",
        "kind": "tablet",
        "make_model": "Samsung Galaxy Tab A9",
        "source": "donated",
        "source_note": "Rotary Gent",
        "condition": "good",
        "accessories_text": "charger\n\ncase\ncharger",
    }

    client.post(add, data)
    again = client.post(add, {**data, "make_model": "Another tablet"})

    item = Device.objects.get()
    assert (item.asset_tag, item.accessories) == ("TAB-01", ["charger", "case"])
    assert "Another device of your organisation has the tag TAB-01." in text(again)
    assert "Another tablet" in text(again)


def test_the_private_page_shows_the_loan_and_an_unknown_link_is_a_404(cast, client):
    item = device(cast.gent_a, "LAP-001")
    loan, token = lend(None, cast.gent_a, item, borrower(cast.gent_a))

    page = client.get(url("lending:private", token=token))
    unknown = client.get(url("lending:private", token="not-a-real-secret"))

    assert page.status_code == 200
    assert loan.reference in text(page)
    assert cast.gent_a.name in text(page)
    assert "no-store" in page["Cache-Control"] or "max-age=0" in page["Cache-Control"]
    assert "Marie" not in text(page)  # the page never shows the borrower's name
    assert unknown.status_code == 404
    assert "We cannot find this loan" in text(unknown)


def test_a_group_loan_is_booked_on_its_page_and_a_refusal_keeps_the_choice(cast):
    from datetime import timedelta

    from django.utils import timezone

    from lending.models import Booking

    laptops = [device(cast.gent_a, f"LAP-{n}") for n in range(2)]
    school = borrower(cast.gent_a, "Basisschool De Linde", kind="organisation")
    client = signed_in(cast.volunteer)
    page = url("lending:bookings", site_id=cast.gent_a.pk)
    first = timezone.localdate() + timedelta(days=10)
    data = {
        "borrower": school.pk,
        "starts_on": first.isoformat(),
        "ends_on": (first + timedelta(days=2)).isoformat(),
        "devices": [laptops[0].pk, laptops[1].pk],
    }

    too_soon = client.post(page, {**data, "starts_on": timezone.localdate().isoformat()})
    booked = client.post(page, data, follow=True)

    assert "Book at least 7 days ahead" in text(too_soon)
    assert "checked" in too_soon.content.decode()
    assert Booking.objects.count() == 1
    assert "Basisschool De Linde" in text(booked)


def test_today_shows_the_devices_due_back_and_those_waiting_for_their_wipe(cast):
    from django.utils import timezone

    out = device(cast.gent_a, "LAP-001")
    device(cast.gent_a, "LAP-002", status=Device.Status.TO_WIPE)
    device(cast.gent_a, "LAP-003")
    loan, _token = lend(None, cast.gent_a, out, borrower(cast.gent_a))
    Loan.objects.filter(pk=loan.pk).update(due_on=timezone.localdate())

    html = text(signed_in(cast.volunteer).get(url("workspace:today", site_id=cast.gent_a.pk)))
    page = re.sub(r"<[^>]+>", "", html)  # the words, without the links around the tags

    assert "LAP-001" in page  # due back today
    assert "Waiting for their wipe before they can be lent again: LAP-002" in page
    assert "LAP-003" not in page
