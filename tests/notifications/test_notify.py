"""notify(): email and SMS leave only after the commit, and a failure never reaches the request."""

from __future__ import annotations

import logging

import pytest
from django.core import mail
from django.db import transaction

from notifications.services import notify

pytestmark = pytest.mark.django_db


def logged(caplog, level: str) -> list[logging.LogRecord]:
    """What the "notifications" logger wrote at exactly this level."""
    return [r for r in caplog.records if r.name == "notifications" and r.levelname == level]


def test_notify_sends_email_and_sms_only_after_the_commit(
    sms_outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notify(
            to_email="resident@example.be",
            to_phone="+32470123456",
            subject="Afspraak geboekt",
            body="Tot dinsdag.",
        )
        assert mail.outbox == []
        assert sms_outbox == []

    assert len(callbacks) == 2
    [email] = mail.outbox
    assert email.to == ["resident@example.be"]
    assert email.subject == "Afspraak geboekt"
    assert email.body == "Tot dinsdag."
    assert [(message.to, message.body) for message in sms_outbox] == [
        ("+32470123456", "Tot dinsdag.")
    ]


def test_a_rolled_back_transaction_sends_nothing(sms_outbox, django_capture_on_commit_callbacks):
    # The error must come after notify(), inside the transaction: two statements on purpose.
    with (  # noqa: PT012
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError, match="the booking failed"),
        transaction.atomic(),
    ):
        notify(to_email="resident@example.be", to_phone="+32470123456", subject="S", body="B")
        raise RuntimeError("the booking failed after notify() was called")

    assert callbacks == []
    assert mail.outbox == []
    assert sms_outbox == []


def test_email_comes_from_the_default_sender_with_the_html_version_attached(
    settings, django_capture_on_commit_callbacks
):
    settings.DEFAULT_FROM_EMAIL = "Digipunt Gent <gent@digipunt.example.be>"

    with django_capture_on_commit_callbacks(execute=True):
        notify(
            to_email="resident@example.be",
            subject="Your appointment\nis booked",
            body="Plain text",
            html_body="<p>HTML</p>",
        )

    [email] = mail.outbox
    assert email.from_email == "Digipunt Gent <gent@digipunt.example.be>"
    assert email.subject == "Your appointment is booked"
    assert email.alternatives[0].content == "<p>HTML</p>"
    assert email.alternatives[0].mimetype == "text/html"


def test_only_an_email_address_sends_no_sms(sms_outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify(to_email="resident@example.be", subject="S", body="B")

    assert len(mail.outbox) == 1
    assert sms_outbox == []


def test_a_belgian_number_written_the_usual_way_is_sent_in_e164(
    sms_outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notify(to_phone="0470 12 34 56", subject="S", body="B")

    assert [message.to for message in sms_outbox] == ["+32470123456"]
    assert mail.outbox == []


def test_a_number_that_is_not_a_phone_number_gets_no_sms_but_an_error_in_the_log(
    sms_outbox, django_capture_on_commit_callbacks, caplog
):
    with django_capture_on_commit_callbacks(execute=True):
        notify(to_email="resident@example.be", to_phone="12345", subject="S", body="B")

    assert sms_outbox == []
    assert len(mail.outbox) == 1
    [record] = logged(caplog, "ERROR")
    assert "not a valid phone number" in record.getMessage()


def test_a_landline_gets_no_sms(sms_outbox, django_capture_on_commit_callbacks, caplog):
    caplog.set_level(logging.INFO, logger="notifications")
    with django_capture_on_commit_callbacks(execute=True):
        notify(to_phone="09 210 10 10", subject="S", body="B")

    assert sms_outbox == []
    assert any("not a mobile number" in record.getMessage() for record in caplog.records)


def test_a_long_sms_is_sent_whole_with_a_warning_in_the_log(
    sms_outbox, django_capture_on_commit_callbacks, caplog
):
    body = "Afspraak " + "x" * 472  # 481 characters: four segments

    with django_capture_on_commit_callbacks(execute=True):
        notify(to_phone="+32470123456", subject="S", body=body)

    assert [message.body for message in sms_outbox] == [body]
    [warning] = logged(caplog, "WARNING")
    assert "481 characters" in warning.getMessage()
    assert "4 segments" in warning.getMessage()
    assert "+32470123456" not in warning.getMessage()


def test_a_short_sms_logs_no_warning(sms_outbox, django_capture_on_commit_callbacks, caplog):
    with django_capture_on_commit_callbacks(execute=True):
        notify(to_phone="+32470123456", subject="S", body="x" * 300)

    assert len(sms_outbox) == 1
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []


def test_an_sms_provider_that_is_down_is_logged_and_the_email_still_goes(
    sms_provider, settings, closed_port, django_capture_on_commit_callbacks, caplog
):
    settings.SMS_API_URL = f"http://127.0.0.1:{closed_port}"

    with django_capture_on_commit_callbacks(execute=True):
        notify(to_email="resident@example.be", to_phone="+32470123456", subject="S", body="B")

    assert len(mail.outbox) == 1
    [error] = logged(caplog, "ERROR")
    assert error.getMessage() == "SMS to +32…456 could not be sent"
    assert "could not be reached" in str(error.exc_info[1])


def test_an_sms_refused_by_the_provider_is_logged_not_raised(
    sms_provider, django_capture_on_commit_callbacks, caplog
):
    sms_provider.status = 400
    sms_provider.answer = {"code": 21610, "message": "Attempt to send to unsubscribed recipient"}

    with django_capture_on_commit_callbacks(execute=True):
        notify(to_phone="+32470123456", subject="S", body="B")

    assert len(sms_provider.requests) == 1
    [error] = logged(caplog, "ERROR")
    assert "21610" in str(error.exc_info[1])


def test_an_sms_through_the_provider_reaches_it_after_the_commit(
    sms_provider, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notify(to_phone="0470123456", subject="S", body="Herinnering")
        assert sms_provider.requests == []

    assert [request["form"]["To"] for request in sms_provider.requests] == ["+32470123456"]


def test_a_mail_server_that_is_down_is_logged_and_the_sms_still_goes(
    settings, sms_outbox, closed_port, django_capture_on_commit_callbacks, caplog
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = closed_port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 5

    with django_capture_on_commit_callbacks(execute=True):
        notify(to_email="resident@example.be", to_phone="+32470123456", subject="S", body="B")

    assert len(sms_outbox) == 1
    [error] = logged(caplog, "ERROR")
    assert error.getMessage() == "Email to r…@example.be could not be sent: ConnectionRefusedError"
    # No traceback: an SMTP refusal would quote the full address, and logs are kept longer.
    assert error.exc_info is None
    assert "resident@example.be" not in caplog.text


def test_notify_without_any_address_is_a_programming_error():
    with pytest.raises(ValueError, match="to_email, to_phone"):
        notify(subject="S", body="B")
