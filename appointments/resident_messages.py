"""Messages to the resident about their appointment: confirmation, moved, cancelled, reminder.

Each goes by email and/or by SMS (whichever the resident gave) in the appointment's language,
through `notifications.services.notify`, which sends after the surrounding transaction commits.
The email has the full text; the SMS is short: date, time, place, reference (and the link when
there is one). Templates: `templates/appointments/messages/<kind>[_sms][_subject].txt`.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from appointments.models import Appointment
from notifications.services import notify_rendered


def message_language(language: str) -> str:
    """The language of messages: the appointment's when the website speaks it, else the
    website's default (messages in Arabic or Turkish would need catalogues we do not have)."""
    codes = [code for code, _name in settings.LANGUAGES]
    return language if language in codes else settings.LANGUAGE_CODE


def manage_url(token: str, language: str) -> str:
    """The full link of the resident's manage page."""
    with translation.override(message_language(language)):
        path = reverse("appointments:online-manage", kwargs={"token": token})
    return settings.SITE_URL + path


def send(appointment: Appointment, kind: str, *, token: str | None = None) -> None:
    """Send message `kind` (confirmation, moved, cancelled, reminder) by email and/or SMS.

    Called inside the transaction of the change; `notify` sends after the commit.
    """
    language = message_language(appointment.language)
    site = appointment.site
    context = {
        "appointment": appointment,
        "site": site,
        "reference": appointment.reference,
        "starts_at": appointment.starts_at,
        "manage_url": manage_url(token, appointment.language) if token else "",
    }
    notify_rendered(
        to_email=appointment.email,
        to_phone=appointment.phone,
        template_base=f"appointments/messages/{kind}",
        context=context,
        language=language,
    )
