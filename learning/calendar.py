"""Courses as iCalendar (RFC 5545, with the `icalendar` library): one session's meetings, for the
confirmation email and a download, and a site's feed of upcoming sessions to subscribe to.

Times are written in Europe/Brussels with its VTIMEZONE, so a calendar shows a session at the
same wall-clock time on both sides of a change of the clocks. A meeting keeps its UID
(`meeting-<id>@<host>`), so an updated file (a cancelled session: STATUS:CANCELLED) replaces the
event instead of adding one. No personal data: the same file for everyone.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from icalendar import Calendar, Event

from learning.models import Meeting, Session

BRUSSELS = ZoneInfo("Europe/Brussels")
CONTENT_TYPE = "text/calendar; charset=utf-8"
FEED_DAYS = 183


def _host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "digipunt"


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//Digipunt//Courses//NL")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Europe/Brussels")
    return calendar


def _where(session: Session) -> str:
    site = session.site
    if site is None:
        return str(translation.gettext("Online"))
    return f"{site.name}, {site.street}, {site.postal_code} {site.locality}"


def _event(meeting: Meeting, session: Session, stamp: datetime, language: str) -> Event:
    course = session.course
    event = Event()
    event.add("uid", f"meeting-{meeting.pk}@{_host()}")
    event.add("dtstamp", stamp)
    event.add("dtstart", meeting.starts_at.astimezone(BRUSSELS))
    event.add("dtend", meeting.ends_at.astimezone(BRUSSELS))
    event.add("summary", course.title)
    event.add("location", _where(session))
    with translation.override(language):
        page = settings.SITE_URL + reverse("learning:course", kwargs={"slug": course.slug})
    event.add("url", page)
    event.add("description", f"{course.summary}\n\n{page}")
    cancelled = session.status == Session.Status.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("sequence", 1 if cancelled else 0)
    return event


def _bytes(calendar: Calendar) -> bytes:
    calendar.add_missing_timezones()
    content: bytes = calendar.to_ical()
    return content


def session_ics(session: Session, language: str) -> bytes:
    """The meetings of one session."""
    stamp = timezone.now()
    calendar = _calendar(session.course.title)
    for meeting in session.meetings.all():
        calendar.add_component(_event(meeting, session, stamp, language))
    return _bytes(calendar)


def sessions_ics(name: str, sessions: Iterable[Session], language: str) -> bytes:
    """The meetings of several sessions (a site's feed)."""
    stamp = timezone.now()
    calendar = _calendar(name)
    for session in sessions:
        for meeting in session.meetings.all():
            calendar.add_component(_event(meeting, session, stamp, language))
    return _bytes(calendar)


def feed_window(now: datetime) -> tuple[datetime, datetime]:
    """The feed holds sessions that end after a week ago and start within half a year."""
    return now - timedelta(days=7), now + timedelta(days=FEED_DAYS)
