"""System checks on the SMS and email settings: a mistake shows at `manage.py check`, not at a
booking."""

from __future__ import annotations

import urllib.parse
from typing import Any

from django.conf import settings
from django.core import checks
from django.utils.module_loading import import_string
from django_tasks import task_backends
from django_tasks_db import DatabaseBackend

from notifications.sms import ConsoleBackend, FileBackend, LocmemBackend, TwilioBackend

# Backends that never reach a resident's phone.
DEVELOPMENT_BACKENDS = (ConsoleBackend, FileBackend, LocmemBackend)


def _backend_class() -> type | None:
    try:
        return import_string(settings.SMS_BACKEND)
    except ImportError:
        return None


@checks.register()
def check_sms_backend(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """The backend must exist, and the provider backend needs its credentials."""
    backend = _backend_class()
    if backend is None:
        return [
            checks.Error(
                f"SMS_BACKEND {settings.SMS_BACKEND!r} cannot be imported.",
                hint="Use notifications.sms.TwilioBackend, or ConsoleBackend in development.",
                id="notifications.E001",
            )
        ]
    if isinstance(backend, type) and issubclass(backend, TwilioBackend):
        missing = [
            name
            for name in ("SMS_ACCOUNT_SID", "SMS_AUTH_TOKEN", "SMS_FROM")
            if not getattr(settings, name)
        ]
        if missing:
            return [
                checks.Error(
                    f"The SMS provider backend needs {', '.join(missing)}.",
                    hint="Set them in the environment (see .env.example).",
                    id="notifications.E002",
                )
            ]
    return []


@checks.register(checks.Tags.security, deploy=True)
def check_sms_backend_for_production(
    app_configs: Any = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """In production SMS must reach residents, and the credentials must travel over HTTPS."""
    backend = _backend_class()
    if not isinstance(backend, type):
        return []
    if issubclass(backend, DEVELOPMENT_BACKENDS):
        return [
            checks.Warning(
                f"SMS_BACKEND is {settings.SMS_BACKEND}: residents who gave only a phone "
                "number receive no confirmation or reminder.",
                hint="Set SMS_BACKEND=notifications.sms.TwilioBackend and its credentials.",
                id="notifications.W001",
            )
        ]
    plain_http = urllib.parse.urlsplit(settings.SMS_API_URL).scheme != "https"
    if issubclass(backend, TwilioBackend) and plain_http:
        return [
            checks.Warning(
                "SMS_API_URL is not an https:// address: the account credentials would "
                "travel unencrypted.",
                id="notifications.W002",
            )
        ]
    return []


# Email backends of Django that never reach a resident's mailbox. The console one also writes
# every message, with the resident's name, address and manage link, into the server's log.
DEVELOPMENT_EMAIL_BACKENDS = frozenset(
    f"django.core.mail.backends.{name}.EmailBackend"
    for name in ("console", "filebased", "locmem", "dummy")
)


@checks.register(checks.Tags.security, deploy=True)
def check_email_backend_for_production(
    app_configs: Any = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """In production email must reach residents, not the log."""
    if settings.EMAIL_BACKEND in DEVELOPMENT_EMAIL_BACKENDS:
        return [
            checks.Warning(
                f"EMAIL_BACKEND is {settings.EMAIL_BACKEND}: residents receive no confirmation "
                "by email, and the console backend writes their details into the log.",
                hint="Set EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and "
                "EMAIL_HOST (see .env.example).",
                id="notifications.W003",
            )
        ]
    return []


@checks.register(checks.Tags.security, deploy=True)
def check_task_backend_for_production(
    app_configs: Any = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """In production messages are queued for the worker, not sent inside the web request."""
    if not isinstance(task_backends["default"], DatabaseBackend):
        return [
            checks.Warning(
                "Emails and SMS are sent by the web process itself, while it answers the "
                "request (TASKS_BACKEND is not database): a slow mail server or SMS provider "
                "holds the resident's page up, and a message is lost if the process stops.",
                hint="Set TASKS_BACKEND=database and run `manage.py db_worker` beside the "
                "application (docs/operations.md).",
                id="notifications.W004",
            )
        ]
    return []
