"""Issue 15, gaps 1, 8 and 9: the public forms under abuse, secret links, names in cookies.

- Gap 1: an anonymous booking made the platform send an SMS and an email to any number or
  address, without limit (five bookings from one address in one second), to premium-rate,
  toll-free and foreign numbers, with the typed name as the email's first line.
- Gap 8: the secret appointment link stood in the URL the browser was sent to after booking
  (`/nl/appointments/<token>/booked/`), so it landed in access logs.
- Gap 9: a resident's name travelled in the readable `messages` cookie after a staff action.
"""

from __future__ import annotations

import time
import uuid

import pytest
from django.core import mail
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import translation

import digipunt.settings
from appointments.models import Appointment
from appointments.public.forms import slot_code
from core.human_check import STARTED, TRAP, started_mark
from learning.models import Registration
from network.models import Theme
from notifications import sms
from notifications.phones import can_receive_sms
from tests.appointments.helpers import bookable_site, tomorrow_at
from tests.cast import signed_in, url
from tests.human import as_shown
from tests.learning.helpers import course, session

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("territory")]

TOO_MANY_BOOKINGS = "We received too many bookings"
SEND_AGAIN = "Please check what you filled in, and press the button once more."


@pytest.fixture(autouse=True)
def _configured_limits(settings, django_capture_on_commit_callbacks, monkeypatch):
    """The limits as configured (tests/conftest.py gives other tests room). Messages go out
    after the booking commits: each request runs its on-commit work, as in production."""
    settings.RATE_LIMITS = dict(digipunt.settings.RATE_LIMITS)
    translation.activate("en")
    post = Client.post

    def post_and_commit(self, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return post(self, *args, **kwargs)

    monkeypatch.setattr(Client, "post", post_and_commit)


def booking(site, hour: int, **changes) -> dict[str, str]:
    data = {
        "starts_at": slot_code(tomorrow_at(hour)),
        "submission": uuid.uuid4().hex,
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


# -- gap 1: rate limits ---------------------------------------------------------------------------


def test_five_bookings_from_one_address_in_one_second_book_four(client):
    site = bookable_site(booking={"capacity": 10})
    answers = [
        client.post(book_url(site), booking(site, 9 + n, phone=f"0470 12 34 5{n}"))
        for n in range(5)
    ]

    assert [answer.status_code for answer in answers] == [200, 200, 200, 200, 429]
    assert TOO_MANY_BOOKINGS in answers[4].content.decode()
    # What was typed comes back.
    assert 'value="Jan Peeters"' in answers[4].content.decode()
    assert Appointment.objects.filter(site=site).count() == 4
    assert len(sms.outbox) == 4


def test_one_phone_number_gets_at_most_three_bookings_a_day_from_any_address():
    site = bookable_site(booking={"capacity": 10})
    answers = [
        Client(REMOTE_ADDR=f"203.0.113.{n}").post(book_url(site), booking(site, 9 + n))
        for n in range(4)
    ]

    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    assert len(sms.outbox) == 3


def test_one_email_address_gets_at_most_three_bookings_a_day():
    site = bookable_site(booking={"capacity": 10})
    for n in range(4):
        Client(REMOTE_ADDR=f"203.0.113.{n}").post(
            book_url(site), booking(site, 9 + n, phone="", email="target@example.org")
        )

    assert len(mail.outbox) == 3


def test_course_registrations_are_limited_per_contact(settings):
    settings.RATE_LIMITS["registration-contact"] = "2/86400"
    site = bookable_site()
    dates = [session(site, course(site), capacity=10) for _ in range(3)]
    answers = [
        Client(REMOTE_ADDR=f"203.0.113.{n}").post(
            url("learning:register", session_id=item.pk),
            as_shown({"name": "Marie Peeters", "phone": "0470 12 34 56"}),
        )
        for n, item in enumerate(dates)
    ]

    assert [answer.status_code for answer in answers] == [200, 200, 429]
    assert Registration.objects.count() == 2


def test_the_self_check_is_limited_per_address(client, settings):
    settings.RATE_LIMITS["self-check-address"] = "2/3600"
    answers = {f"q{n}": "2" for n in range(10)}
    statuses = [
        client.post(url("learning:self-check"), {**answers, "place": ""}).status_code
        for _ in range(3)
    ]

    assert statuses == [200, 200, 429]


# -- gap 1: where messages go and what they say --------------------------------------------------


@pytest.mark.parametrize(
    "number",
    ["0900 12 345", "+32 900 12 345", "0800 12 345", "070 22 33 44", "078 15 15 15"],
    ids=["premium", "premium-international", "toll-free", "shared-cost-070", "shared-cost-078"],
)
def test_service_numbers_are_refused_with_what_was_typed_kept(client, number):
    site = bookable_site()
    response = client.post(book_url(site), booking(site, 10, phone=number))

    assert response.status_code == 200
    assert "This is the number of a service" in response.content.decode()
    assert f'value="{number}"' in response.content.decode()
    assert not Appointment.objects.exists()
    assert sms.outbox == []


@pytest.mark.parametrize(
    "number", ["+33 6 12 34 56 78", "+31 6 12345678", "+44 7400 123456"], ids=["fr", "nl", "uk"]
)
def test_foreign_mobiles_get_no_text_message_unless_the_setting_widens_it(client, settings, number):
    site = bookable_site(booking={"capacity": 5})
    client.post(book_url(site), booking(site, 10, phone=number))
    assert Appointment.objects.count() == 1
    assert sms.outbox == []

    settings.SMS_ALLOWED_REGIONS = ["BE", "FR", "NL", "GB"]
    client.post(book_url(site), booking(site, 11, phone=number))
    assert len(sms.outbox) == 1


def test_only_belgian_mobiles_receive_text_messages_by_default():
    assert can_receive_sms("+32470123456") is True
    assert can_receive_sms("+3292661111") is False  # a landline
    assert can_receive_sms("+33612345678") is False  # a French mobile


def test_the_email_never_starts_with_or_repeats_the_typed_name(client):
    site = bookable_site()
    name = "Jan Peeters"
    client.post(book_url(site), booking(site, 10, phone="", email="jan@example.org", name=name))

    assert len(mail.outbox) == 1
    assert name not in mail.outbox[0].body
    assert name not in mail.outbox[0].subject
    # The booking was in Dutch: the first line is the platform's own greeting, nothing typed.
    assert mail.outbox[0].body.splitlines()[0] == "Hallo,"


@pytest.mark.parametrize(
    "name",
    [
        "Uw account is geblokkeerd. Herstel via https://evil.example/x",
        "Hallo www.evil.example",
        "Klik evil-bank.com nu",
        "jan@example.org",
    ],
)
def test_a_name_with_a_web_or_email_address_is_refused(client, name):
    site = bookable_site()
    response = client.post(book_url(site), booking(site, 10, name=name))

    assert "Write only a name here" in response.content.decode()
    assert not Appointment.objects.exists()
    assert mail.outbox == []
    assert sms.outbox == []


# -- gap 1: anti-spam that excludes nobody --------------------------------------------------------


def test_a_form_sent_without_the_mark_of_being_shown_is_asked_again(client):
    site = bookable_site()
    data = booking(site, 10)
    del data[STARTED]

    response = client.post(book_url(site), data)

    assert SEND_AGAIN in response.content.decode()
    assert 'value="Jan Peeters"' in response.content.decode()
    assert not Appointment.objects.exists()


def test_a_form_sent_within_seconds_is_asked_again_and_then_accepted(client, settings):
    settings.FORM_MIN_SECONDS = 3
    site = bookable_site()
    too_fast = {**booking(site, 10), STARTED: started_mark(time.time() - 1)}

    first = client.post(book_url(site), too_fast)
    second = client.post(book_url(site), {**too_fast, STARTED: started_mark(time.time() - 4)})

    assert SEND_AGAIN in first.content.decode()
    assert second.status_code == 200
    assert Appointment.objects.count() == 1


def test_a_forged_mark_or_a_filled_trap_field_is_asked_again(client):
    site = bookable_site()
    forged = client.post(book_url(site), {**booking(site, 10), STARTED: "1:forged"})
    trapped = client.post(book_url(site), {**booking(site, 10), TRAP: "http://spam.example"})

    assert SEND_AGAIN in forged.content.decode()
    assert SEND_AGAIN in trapped.content.decode()
    assert not Appointment.objects.exists()


def test_the_booking_page_carries_the_mark_and_a_hidden_trap_field(client):
    site = bookable_site()
    page = client.get(book_url(site), {"time": slot_code(tomorrow_at(10))}).content.decode()

    assert f'name="{STARTED}"' in page
    assert f'<div hidden><label for="id_{TRAP}">' in page


# -- gap 8: the secret link never stands in a URL after booking -----------------------------------


def test_booking_answers_with_the_confirmation_itself_not_a_redirect_to_the_secret_link(client):
    site = bookable_site()
    response = client.post(book_url(site), booking(site, 10))

    assert response.status_code == 200
    assert "Location" not in response.headers
    assert "/appointments/" in response.content.decode()  # the link to keep is on the page
    with pytest.raises(NoReverseMatch):
        reverse("appointments:online-booked", kwargs={"token": "x"})


def test_sending_the_booking_form_again_shows_the_same_confirmation(client):
    site = bookable_site()
    data = booking(site, 10)
    first = client.post(book_url(site), data)
    again = client.post(book_url(site), data)

    assert first.status_code == again.status_code == 200
    assert Appointment.objects.count() == 1
    assert "Location" not in again.headers


# -- gap 9: flash messages stay on the server -----------------------------------------------------


def test_a_staff_action_naming_a_resident_sets_no_messages_cookie(cast):
    from tests.appointments.helpers import book as book_directly
    from tests.appointments.helpers import enable_booking

    enable_booking(cast.gent_a)
    appointment, _token = book_directly(cast.gent_a, tomorrow_at(10), name="Fatima Resident")
    client = signed_in(cast.coordinator)

    response = client.post(
        url(
            "appointments:action",
            site_id=cast.gent_a.pk,
            appointment_id=appointment.pk,
            action="cancel",
        ),
        {"confirm": "yes"},
    )

    assert "messages" not in response.cookies
    assert all("Fatima" not in morsel.value for morsel in client.cookies.values())
