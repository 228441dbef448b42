"""TwilioBackend against a real HTTP server on 127.0.0.1 that answers like Twilio."""

from __future__ import annotations

import base64
import threading

import pytest

from notifications.sms import SMSError, SMSMessage, TwilioBackend, get_backend

MESSAGE = SMSMessage(to="+32470123456", body="Afspraak di 3 mrt 14:00 & ref K7QX")


def test_twilio_backend_posts_to_the_account_messages_url_with_basic_auth(sms_provider):
    sent = get_backend().send_messages([MESSAGE])

    assert sent == 1
    [request] = sms_provider.requests
    assert request["path"] == "/2010-04-01/Accounts/AC0123456789/Messages.json"
    expected = base64.b64encode(b"AC0123456789:secret-token").decode()
    assert request["headers"]["Authorization"] == f"Basic {expected}"
    assert request["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
    assert request["form"] == {
        "To": "+32470123456",
        "From": "Digipunt",
        "Body": "Afspraak di 3 mrt 14:00 & ref K7QX",
    }


def test_twilio_backend_sends_each_message_in_its_own_request(sms_provider):
    second = SMSMessage(to="+32470654321", body="Rappel")

    assert TwilioBackend().send_messages([MESSAGE, second]) == 2

    assert [request["form"]["To"] for request in sms_provider.requests] == [
        "+32470123456",
        "+32470654321",
    ]


def test_a_refusal_by_the_provider_raises_an_error_with_its_reason_but_not_the_number(
    sms_provider,
):
    sms_provider.status = 400
    sms_provider.answer = {
        "code": 21211,
        "message": "The 'To' number +32470123456 is not a valid phone number.",
        "status": 400,
    }

    with pytest.raises(SMSError) as refused:
        TwilioBackend().send_messages([MESSAGE])

    assert "HTTP 400" in str(refused.value)
    assert "21211" in str(refused.value)
    assert "+32470123456" not in str(refused.value)


def test_a_server_error_at_the_provider_raises_an_sms_error(sms_provider):
    sms_provider.status = 500
    sms_provider.answer = {}

    with pytest.raises(SMSError, match="HTTP 500"):
        TwilioBackend().send_messages([MESSAGE])


def test_a_provider_that_cannot_be_reached_raises_an_sms_error(sms_provider, settings, closed_port):
    settings.SMS_API_URL = f"http://127.0.0.1:{closed_port}"

    with pytest.raises(SMSError, match="could not be reached"):
        TwilioBackend().send_messages([MESSAGE])


def test_a_provider_that_does_not_answer_in_time_raises_an_sms_error(sms_provider, settings):
    settings.SMS_TIMEOUT_SECONDS = 1
    sms_provider.hold = threading.Event()

    with pytest.raises(SMSError, match="could not be reached"):
        TwilioBackend().send_messages([MESSAGE])
    sms_provider.hold.set()


def test_twilio_backend_names_the_settings_it_is_missing(sms_provider, settings):
    settings.SMS_AUTH_TOKEN = ""
    settings.SMS_FROM = ""

    with pytest.raises(SMSError, match="SMS_AUTH_TOKEN, SMS_FROM"):
        TwilioBackend()


def test_twilio_backend_refuses_an_api_url_that_is_not_http(sms_provider, settings):
    settings.SMS_API_URL = "file:///etc/passwd"

    with pytest.raises(SMSError, match="https://"):
        TwilioBackend()
