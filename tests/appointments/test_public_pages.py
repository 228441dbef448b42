"""The resident's booking pages through the HTTP client: choose a time, give details, see the
confirmation, then see, move or cancel through the secret link. Bad input gets a clear message
and keeps what was typed. Text is checked on the English pages (the source language)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from appointments.models import Appointment, Slot
from appointments.public.forms import slot_code
from network.models import Theme
from tests.appointments.helpers import (
    at,
    book,
    bookable_site,
    enable_booking,
    stored_appointment,
    tomorrow,
    tomorrow_at,
)
from tests.cast import url
from tests.human import as_shown

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("territory")]


def details(site, moment, **changes) -> dict[str, str]:
    """What the details form posts for the time `moment`, `changes` on top."""
    data = {
        "starts_at": slot_code(moment),
        "submission": "form-1",
        "name": "Jan Peeters",
        "phone": "0470 12 34 56",
        "email": "",
        "theme": str(Theme.objects.get(code="eid-itsme").pk),
        "language": "nl",
    }
    data.update(changes)
    return as_shown(data)


def book_url(site) -> str:
    return url("appointments:online-book", slug=site.slug)


def html_of(response) -> str:
    return response.content.decode()


# --- the site page and who may book -------------------------------------------------------------


def test_the_site_page_links_to_booking_only_when_it_is_on(client):
    site = bookable_site()
    off = bookable_site(booking={"is_enabled": False})

    assert book_url(site) in html_of(client.get(url("network:site", slug=site.slug)))
    assert book_url(off) not in html_of(client.get(url("network:site", slug=off.slug)))


def test_booking_pages_of_unpublished_or_closed_sites_do_not_exist(client):
    hidden = bookable_site(is_published=False)
    off = bookable_site(booking={"is_enabled": False})

    assert client.get(book_url(hidden)).status_code == 404
    assert client.get(book_url(off)).status_code == 404
    assert client.get(url("appointments:online-book", slug="no-such-site")).status_code == 404


# --- step 1: a week of free times ---------------------------------------------------------------


def test_the_first_step_lists_free_times_as_radio_buttons_and_leaves_out_full_ones(client):
    site = bookable_site()
    book(site, tomorrow_at(10))

    html = html_of(client.get(book_url(site), {"week": tomorrow().isoformat()}))

    assert 'method="get"' in html
    assert f'name="time" value="{slot_code(tomorrow_at(9, 30))}"' in html
    assert slot_code(tomorrow_at(10)) not in html  # booked: full
    assert "<legend>" in html


def test_the_first_step_links_to_the_next_week(client):
    site = bookable_site()

    html = html_of(client.get(book_url(site)))

    monday = timezone.localdate() - timedelta(days=timezone.localdate().weekday())
    assert f"week={(monday + timedelta(days=7)).isoformat()}" in html
    assert 'rel="next"' in html


def test_next_without_a_time_asks_to_choose_one(client):
    site = bookable_site()

    html = html_of(client.get(book_url(site), {"step": "1"}))

    assert "Choose a time first." in html


def test_a_time_that_is_gone_sends_back_to_the_list_with_a_message(client):
    site = bookable_site()
    book(site, tomorrow_at(10))

    html = html_of(client.get(book_url(site), {"time": slot_code(tomorrow_at(10))}))

    assert "This time is no longer free" in html
    assert 'name="time"' in html


# --- step 2: details and booking ----------------------------------------------------------------


def test_a_resident_books_and_sees_the_confirmation_with_reference_and_link(client):
    site = bookable_site(location_note="2nd floor")
    html = html_of(client.get(book_url(site), {"time": slot_code(tomorrow_at(10))}))
    assert 'name="name"' in html
    assert 'type="tel"' in html
    assert "We erase them" in html

    response = client.post(book_url(site), details(site, tomorrow_at(10)))

    appointment = Appointment.objects.get()
    # The confirmation is the answer itself: the secret link never stands in a URL.
    assert response.status_code == 200
    assert "Location" not in response.headers
    confirmation = response
    html = html_of(confirmation)
    assert appointment.reference in html
    assert "10:00" in html
    assert "2nd floor" in html
    manage = re.search(r'href="(/en/appointments/[^/"]+/)"', html)
    assert manage, "the confirmation links to the manage page"
    assert appointment.name in html_of(client.get(manage.group(1)))
    assert confirmation["Cache-Control"] == "no-store"


def test_a_booking_over_a_full_slot_says_so_and_keeps_what_was_typed(client):
    site = bookable_site()
    book(site, tomorrow_at(10))

    response = client.post(
        book_url(site),
        details(site, tomorrow_at(10), name="Mia Janssens", phone="0471 22 33 44"),
    )

    html = html_of(response)
    assert response.status_code == 200
    assert "Someone just booked the last place at this time. Choose another time." in html
    assert 'value="Mia Janssens"' in html
    assert 'value="0471 22 33 44"' in html
    # The other free times are offered in the same form, so nothing has to be typed again.
    assert f'name="starts_at" value="{slot_code(tomorrow_at(10, 30))}"' in html
    assert Appointment.objects.count() == 1


def test_a_malformed_phone_number_is_explained_and_nothing_is_lost(client):
    site = bookable_site()

    response = client.post(
        book_url(site), details(site, tomorrow_at(10), phone="123", email="mia@example")
    )

    html = html_of(response)
    assert "Write it like 0470 12 34 56" in html
    assert "This is not an email address" in html
    assert 'value="123"' in html
    assert 'value="mia@example"' in html
    assert 'value="Jan Peeters"' in html
    assert slot_code(tomorrow_at(10)) in html  # the chosen time stays
    assert not Appointment.objects.exists()


@pytest.mark.parametrize(
    "forged", ["not-a-time", "20260101T0900Z", "20991231T0900Z", "<script>"], ids=str
)
def test_a_forged_time_gets_a_clear_message(client, forged):
    site = bookable_site()

    response = client.post(book_url(site), details(site, tomorrow_at(10), starts_at=forged))

    html = html_of(response)
    assert response.status_code == 200
    assert re.search(r"Choose a time|has passed|No appointment can be made", html)
    assert "<script>" not in html.split("<main", 1)[1]
    assert not Appointment.objects.exists()


def test_a_past_time_gets_a_clear_message(client):
    site = bookable_site()
    yesterday = at(timezone.localdate() - timedelta(days=1), 10)

    html = html_of(client.post(book_url(site), details(site, yesterday)))

    assert "This time has passed. Choose another time." in html


def test_the_same_form_sent_twice_books_once_and_shows_the_same_confirmation(client):
    site = bookable_site()
    data = details(site, tomorrow_at(10))

    first = client.post(book_url(site), data)
    second = client.post(book_url(site), data)

    assert Appointment.objects.count() == 1
    assert Slot.objects.get().booked == 1
    assert first.status_code == second.status_code == 200
    html = html_of(second)
    assert "You had already booked this appointment" in html
    assert Appointment.objects.get().reference in html


def test_the_same_booking_from_a_new_form_is_told_it_is_already_booked(client):
    site = bookable_site(booking={"capacity": 2})
    client.post(book_url(site), details(site, tomorrow_at(10)))

    html = html_of(client.post(book_url(site), details(site, tomorrow_at(10), submission="x")))

    assert "You have already booked this time" in html
    assert Appointment.objects.count() == 1


def test_another_week_can_be_shown_without_losing_what_was_typed(client):
    site = bookable_site()
    book(site, tomorrow_at(10))
    next_monday = timezone.localdate() + timedelta(days=7 - timezone.localdate().weekday())

    response = client.post(
        book_url(site),
        details(site, tomorrow_at(10), name="Mia Janssens", show_week=next_monday.isoformat()),
    )

    html = html_of(response)
    assert 'value="Mia Janssens"' in html
    assert slot_code(at(next_monday, 9)) in html
    assert "errorlist" not in html
    assert Appointment.objects.count() == 1


def test_the_booking_form_needs_a_csrf_token():
    site = bookable_site()
    client = Client(enforce_csrf_checks=True)

    response = client.post(book_url(site), details(site, tomorrow_at(10)))

    assert response.status_code == 403
    assert not Appointment.objects.exists()


# --- the manage page ----------------------------------------------------------------------------


def test_an_unknown_link_is_a_404_that_helps(client):
    response = client.get(url("appointments:online-manage", token="no-such-link"))

    assert response.status_code == 404
    assert "We cannot find this appointment" in html_of(response)
    assert "reference" in html_of(response)


def test_cancelling_asks_first_then_cancels(client):
    site = bookable_site()
    _appointment, token = book(site, tomorrow_at(10))
    manage = url("appointments:online-manage", token=token)

    asked = client.post(manage, {"action": "cancel"})
    assert "Cancel this appointment?" in html_of(asked)
    assert Appointment.objects.get().status == Appointment.Status.BOOKED

    response = client.post(manage, {"action": "cancel", "confirm": "yes"})
    assert response.status_code == 302
    html = html_of(client.get(response["Location"]))
    assert "Your appointment is cancelled" in html
    assert Appointment.objects.get().status == Appointment.Status.CANCELLED
    assert Slot.objects.get().booked == 0
    assert "Cancel the appointment" not in html


def test_moving_through_the_link(client):
    site = bookable_site()
    _appointment, token = book(site, tomorrow_at(10))
    manage = url("appointments:online-manage", token=token)

    page = html_of(client.get(manage, {"move": "1"}))
    assert f'name="starts_at" value="{slot_code(tomorrow_at(14))}"' in page
    assert f'value="{slot_code(tomorrow_at(10))}"' not in page  # the current time

    response = client.post(manage, {"action": "move", "starts_at": slot_code(tomorrow_at(14))})

    assert response.status_code == 302
    assert "moved to the new time" in html_of(client.get(response["Location"]))
    assert Appointment.objects.get().starts_at == tomorrow_at(14)


def test_moving_to_a_time_taken_meanwhile_says_so(client):
    site = bookable_site()
    _appointment, token = book(site, tomorrow_at(10))
    book(site, tomorrow_at(14), name="Mia Janssens")

    response = client.post(
        url("appointments:online-manage", token=token),
        {"action": "move", "starts_at": slot_code(tomorrow_at(14))},
    )

    assert "Someone just booked the last place" in html_of(response)
    assert Appointment.objects.get(name="Jan Peeters").starts_at == tomorrow_at(10)


def test_a_past_appointment_can_no_longer_be_changed_by_its_link(client):
    site = bookable_site()
    _appointment, token = stored_appointment(site, timezone.now() - timedelta(hours=2))

    html = html_of(client.get(url("appointments:online-manage", token=token)))
    response = client.post(
        url("appointments:online-manage", token=token), {"action": "cancel", "confirm": "yes"}
    )

    assert "can no longer be changed" in html
    assert "already started or passed" in html_of(response)
    assert Appointment.objects.get().status == Appointment.Status.BOOKED


def test_after_online_booking_stops_the_link_still_shows_and_cancels_but_cannot_move(client):
    site = bookable_site()
    _appointment, token = book(site, tomorrow_at(10))
    enable_booking(site, is_enabled=False)

    manage = url("appointments:online-manage", token=token)
    response = client.get(manage)

    assert response.status_code == 200
    assert "Jan Peeters" in html_of(response)
    assert "?move=1" not in html_of(response)
    client.post(manage, {"action": "cancel", "confirm": "yes"})
    assert Appointment.objects.get().status == Appointment.Status.CANCELLED


def test_a_place_with_one_language_does_not_ask_for_it(client):
    site = bookable_site(languages=",nl,")

    html = html_of(client.get(book_url(site), {"time": slot_code(tomorrow_at(10))}))
    response = client.post(book_url(site), details(site, tomorrow_at(10), language=""))

    assert '<select name="language"' not in html
    assert "Help is in Dutch at this place." in html
    assert response.status_code == 200
    assert Appointment.objects.get().language == "nl"


def test_the_confirmation_does_not_promise_a_text_message_to_a_landline(client):
    site = bookable_site()
    response = client.post(book_url(site), details(site, tomorrow_at(10), phone="09 266 11 11"))

    html = html_of(response)

    assert "We also sent this to your phone" not in html
    assert Appointment.objects.get().reference in html


def test_the_same_form_sent_again_for_someone_else_books_a_new_appointment(client):
    site = bookable_site(booking={"capacity": 2})
    client.post(book_url(site), details(site, tomorrow_at(10)))

    response = client.post(
        book_url(site), details(site, tomorrow_at(10), name="Mia Janssens", phone="0471 22 33 44")
    )

    assert response.status_code == 200
    assert "You had already booked this appointment" not in html_of(response)
    assert Appointment.objects.count() == 2
