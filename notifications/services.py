"""Messages to residents (and to sites): the one place through which every email and SMS goes.

Callers render the text in the resident's language with `render_message`, then call `notify`
inside the transaction of the change that causes the message. `notify` queues one task per
message (`notifications.tasks`, Django's tasks framework through django-tasks) so that a
rolled-back booking sends nothing, and sending never happens inside the request's transaction nor
raises into it: a booking must not fail because the SMS provider is down. Which backend runs the
tasks is a setting (`TASKS_BACKEND`): in production the database backend stores them for
`manage.py db_worker`; in development and tests the immediate backend sends after the commit, in
the same process. Failures are logged on the logger "notifications" (ERROR).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from functools import partial
from typing import Any

import phonenumbers
from django.db import transaction
from django.template import Context
from django.template.backends.django import Template as DjangoTemplate
from django.template.loader import get_template
from django.utils import translation
from django_tasks.base import Task
from django_tasks_db import DatabaseBackend

from notifications import tasks
from notifications.phones import can_receive_sms
from notifications.sms import mask_phone, sms_segments

logger = logging.getLogger("notifications")

# Beyond three segments an SMS gets expensive and some phones show it in pieces. It is still sent
# (a cut-off date or link would be worse); the warning tells whoever wrote the template.
SMS_SEGMENTS_WARNING = 3


def notify(
    *,
    to_email: str = "",
    to_phone: str = "",
    subject: str,
    body: str,
    html_body: str | None = None,
    attachments: Sequence[tuple[str, bytes, str]] = (),
) -> None:
    """Send `body` by email to `to_email` and/or by SMS to `to_phone`, through the task queue.

    Call it inside the transaction of the change: nothing leaves unless it commits. With the
    database backend the tasks are rows written in that same transaction (a committed change
    cannot lose its message to a crash between commit and enqueue, and the worker sends them);
    with any other backend they are enqueued once the transaction has committed. Outside a
    transaction they are queued at once.
    The email comes from `settings.DEFAULT_FROM_EMAIL` with `subject` (and `html_body` as an
    HTML alternative when given, and `attachments`, (file name, content, MIME type), such as an
    iCalendar file); the SMS carries `body` only, so a caller that sends both
    renders a short body for the SMS and calls `notify` once per channel.
    `to_phone` is read as a Belgian number when it has no country code and sent in E.164; a
    number that is not a phone number, or a landline, gets no SMS (logged).
    Sending failures are logged, never raised. Calling it with neither address is a programming
    error (ValueError).
    """
    if not to_email and not to_phone:
        raise ValueError("notify() needs to_email, to_phone or both")
    if to_email:
        _enqueue(
            tasks.send_email,
            to=to_email,
            # A line break in a header would make the send fail: a subject is one line.
            subject=" ".join(subject.split()),
            body=body,
            html_body=html_body or "",
            attachments=[tasks.encode_attachment(*attachment) for attachment in attachments],
        )
    if to_phone:
        number = _mobile_number(to_phone)
        if number:
            segments = sms_segments(body)
            if segments > SMS_SEGMENTS_WARNING:
                logger.warning(
                    "SMS to %s is %d characters long: %d segments (keep SMS templates short)",
                    mask_phone(number),
                    len(body),
                    segments,
                )
            _enqueue(tasks.send_sms, to=number, body=body)


def _enqueue(task: Task[..., Any], **arguments: Any) -> None:
    """Queue `task` with `arguments` so that it runs only if the current transaction commits."""
    if isinstance(task.get_backend(), DatabaseBackend):
        # The task is a row of the same database: written in the transaction, it goes with it.
        task.enqueue(**arguments)
    else:
        transaction.on_commit(partial(task.enqueue, **arguments))


def notify_rendered(
    *,
    to_email: str,
    to_phone: str,
    template_base: str,
    context: dict[str, Any],
    language: str,
    attachments: Sequence[tuple[str, bytes, str]] = (),
) -> None:
    """Render and send one message to a person by the channels they gave: `<base>` (with
    `<base>_subject`) by email, `<base>_sms` by SMS, both in `language` (`render_message`).
    `attachments` go with the email only. Like `notify`, call it inside the transaction of the
    change; neither address: nothing."""
    if to_email:
        subject, text = render_message(template_base, context, language)
        notify(to_email=to_email, subject=subject, body=text, attachments=attachments)
    if to_phone:
        subject, text = render_message(f"{template_base}_sms", context, language)
        notify(to_phone=to_phone, subject=subject, body=text)


def render_message(
    template_name_base: str, context: dict[str, Any], language: str
) -> tuple[str, str]:
    """Render `<base>_subject.txt` and `<base>.txt` in `language`: (subject, text).

    Plain text, so nothing is HTML-escaped ("Café & Co" stays as it is). The subject comes back
    as one line; the text without trailing spaces, runs of blank lines (left by `{% if %}`
    blocks) or blank lines at either end.
    """
    with translation.override(language):
        subject = _render_text(f"{template_name_base}_subject.txt", context)
        text = _render_text(f"{template_name_base}.txt", context)
    lines = "\n".join(line.rstrip() for line in text.splitlines())
    return " ".join(subject.split()), re.sub(r"\n{3,}", "\n\n", lines).strip()


def _render_text(template_name: str, context: dict[str, Any]) -> str:
    # The Django engine's template underneath, rendered with autoescaping off: the text goes to
    # a mail body or an SMS, where "&amp;" would be shown as such.
    template = get_template(template_name)
    if not isinstance(template, DjangoTemplate):
        raise TypeError(f"{template_name} is not a template of the Django engine")
    return template.template.render(Context(context, autoescape=False))


def _mobile_number(text: str) -> str:
    """`text` as an E.164 number that can receive an SMS, or "" (logged) when it cannot."""
    try:
        number = phonenumbers.parse(text, "BE")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        logger.error("SMS not sent: %s is not a valid phone number", mask_phone(text))
        return ""
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if not can_receive_sms(e164):
        # A landline, a service number, or abroad (SMS_ALLOWED_REGIONS): no text message.
        logger.info("SMS not sent: %s is not a mobile number we text", mask_phone(e164))
        return ""
    return e164
