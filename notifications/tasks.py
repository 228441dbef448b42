"""The queued work of notifications: sending one email or one SMS.

`notifications.services.notify` enqueues these; nothing else should. They run where the task
backend (settings `TASKS`, chosen by `TASKS_BACKEND`) runs them: in the process that queued them,
after the commit (`immediate`: development and tests), or in `manage.py db_worker` (`database`:
production). Their arguments are stored as JSON by the database backend, so they are plain
strings and lists (an attachment's content travels as base64).

A failure is logged on the logger "notifications" with the recipient shortened, never raised:
the task then ends as successful, and the worker's log shows no traceback that could quote an
address. Nothing is retried (the queue has no retries; a resident can ask again).
"""

from __future__ import annotations

import base64
import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django_tasks import task

from notifications.sms import SMSMessage, get_backend, mask_phone

logger = logging.getLogger("notifications")


def encode_attachment(name: str, content: bytes, mimetype: str) -> list[str]:
    """An attachment as `send_email` takes it: [file name, content as base64, MIME type] (JSON
    has no bytes)."""
    return [name, base64.b64encode(content).decode("ascii"), mimetype]


def mask_email(address: str) -> str:
    """An address as logs show it (logs are kept longer than the personal data they mention)."""
    local, _at, domain = address.rpartition("@")
    return f"{local[:1]}…@{domain}" if local else "…"


@task()
def send_email(
    *,
    to: str,
    subject: str,
    body: str,
    html_body: str = "",
    attachments: list[list[str]] | None = None,
) -> bool:
    """Send one email from `settings.DEFAULT_FROM_EMAIL`; True when the mail server took it."""
    message = EmailMultiAlternatives(
        subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[to]
    )
    if html_body:
        message.attach_alternative(html_body, "text/html")
    for name, content, mimetype in attachments or ():
        message.attach(name, base64.b64decode(content), mimetype)
    recipient = mask_email(to)
    try:
        message.send()
    except Exception as error:
        # The kind of error only: an SMTP refusal quotes the full address, and logs outlive it.
        logger.error("Email to %s could not be sent: %s", recipient, type(error).__name__)
        return False
    logger.info("Email to %s sent", recipient)
    return True


@task()
def send_sms(*, to: str, body: str) -> bool:
    """Send one SMS to `to` (E.164) through `settings.SMS_BACKEND`; True when it went out."""
    recipient = mask_phone(to)
    try:
        get_backend().send_messages([SMSMessage(to=to, body=body)])
    except Exception:
        # SMSError masks the number itself (notifications.sms), so the traceback may be kept.
        logger.exception("SMS to %s could not be sent", recipient)
        return False
    logger.info("SMS to %s sent", recipient)
    return True
