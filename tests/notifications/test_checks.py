"""System checks catch SMS settings that would fail residents at the first booking."""

from __future__ import annotations

from notifications.checks import (
    check_email_backend_for_production,
    check_sms_backend,
    check_sms_backend_for_production,
)


def _ids(messages):
    return [message.id for message in messages]


def test_the_development_default_passes_the_ordinary_check(settings):
    settings.SMS_BACKEND = "notifications.sms.ConsoleBackend"
    assert check_sms_backend() == []


def test_a_misspelt_backend_stops_the_check(settings):
    settings.SMS_BACKEND = "notifications.sms.TwillioBackend"
    assert _ids(check_sms_backend()) == ["notifications.E001"]


def test_the_provider_backend_without_credentials_stops_the_check(settings):
    settings.SMS_BACKEND = "notifications.sms.TwilioBackend"
    settings.SMS_ACCOUNT_SID = "AC0123456789"
    settings.SMS_AUTH_TOKEN = ""
    settings.SMS_FROM = ""

    [error] = check_sms_backend()
    assert error.id == "notifications.E002"
    assert "SMS_AUTH_TOKEN, SMS_FROM" in error.msg


def test_a_development_backend_is_a_warning_in_the_deploy_check(settings):
    for backend in ["ConsoleBackend", "FileBackend", "LocmemBackend"]:
        settings.SMS_BACKEND = f"notifications.sms.{backend}"
        assert _ids(check_sms_backend_for_production()) == ["notifications.W001"]


def test_the_provider_over_plain_http_is_a_warning_in_the_deploy_check(settings):
    settings.SMS_BACKEND = "notifications.sms.TwilioBackend"
    settings.SMS_ACCOUNT_SID = "AC0123456789"
    settings.SMS_AUTH_TOKEN = "secret-token"
    settings.SMS_FROM = "Digipunt"
    settings.SMS_API_URL = "http://api.twilio.com"
    assert _ids(check_sms_backend_for_production()) == ["notifications.W002"]

    settings.SMS_API_URL = "https://api.twilio.com"
    assert check_sms_backend() == []
    assert check_sms_backend_for_production() == []


def test_an_email_backend_that_reaches_nobody_is_a_warning_in_the_deploy_check(settings):
    for name in ("console", "filebased", "locmem", "dummy"):
        settings.EMAIL_BACKEND = f"django.core.mail.backends.{name}.EmailBackend"
        assert _ids(check_email_backend_for_production()) == ["notifications.W003"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    assert check_email_backend_for_production() == []
