"""Messages to course participants, by email and/or SMS through the notification service, in the
language they registered in: registered (with a place or on the waiting list, the private link
to cancel and the session as an iCalendar attachment), a place freed up for them, the session
cancelled, the reminder the day before. Call inside the transaction of the change: `notify`
sends after the commit and never fails the change. No message repeats the name typed (it
would let anyone send a text of their choosing through the platform)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from learning import calendar
from learning.models import Registration, Session
from notifications.services import notify_rendered


def _absolute(name: str, language: str, **kwargs: object) -> str:
    with translation.override(language):
        return settings.SITE_URL + reverse(name, kwargs=kwargs)


def send(
    registration: Registration, kind: str, *, session: Session, token: str | None = None
) -> bool:
    """Send `learning/messages/<kind>` (and `<kind>_sms`) to what the participant gave; False
    when they gave neither (a walk-in) or their data was erased."""
    if registration.erased_at is not None or not (registration.email or registration.phone):
        return False
    language = registration.language
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    context = {
        "registration": registration,
        "session": session,
        "course": session.course,
        "site": session.site,
        "meetings": list(session.meetings.all()),
        "manage_url": _absolute("learning:manage", language, token=token) if token else "",
        "course_url": _absolute("learning:course", language, slug=session.course.slug),
    }
    attachments = []
    if kind in ("registered", "promoted", "session_cancelled"):
        ics = calendar.session_ics(session, language)
        attachments.append(("course.ics", ics, "text/calendar"))
    notify_rendered(
        to_email=registration.email,
        to_phone=registration.phone,
        template_base=f"learning/messages/{kind}",
        context=context,
        language=language,
        attachments=attachments,
    )
    return True
