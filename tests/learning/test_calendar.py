"""The iCalendar files, parsed back with `icalendar`: Brussels times with their VTIMEZONE, also
for a session on the night the clocks change; one event per meeting, with a stable UID; a
cancelled session says so; a site's feed."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from learning.calendar import session_ics
from learning.models import Session
from tests import factories
from tests.cast import url
from tests.learning.helpers import course, session

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("territory")]

BRUSSELS = ZoneInfo("Europe/Brussels")


def events(raw: bytes) -> list:
    return list(Calendar.from_ical(raw).walk("VEVENT"))


def test_a_series_gives_one_event_per_meeting_in_brussels_time(clock):
    site = factories.site(name="Digipunt Kouter")
    item = session(site, course(site, "Online banking"), meetings=3)

    parsed = Calendar.from_ical(session_ics(item, "en"))

    assert [tz["TZID"] for tz in parsed.walk("VTIMEZONE")] == ["Europe/Brussels"]
    found = parsed.walk("VEVENT")
    assert len(found) == 3
    starts = [event.decoded("DTSTART") for event in found]
    assert [s.tzinfo.key if hasattr(s.tzinfo, "key") else str(s.tzinfo) for s in starts] == [
        "Europe/Brussels"
    ] * 3
    assert [s.hour for s in starts] == [14, 14, 14]
    assert str(found[0]["SUMMARY"]) == "Online banking"
    assert "Digipunt Kouter" in str(found[0]["LOCATION"])
    assert len({str(event["UID"]) for event in found}) == 3


def test_a_session_on_the_night_the_clocks_go_back(clock):
    """25 October 2026: at 03:00 summer time the clocks go back to 02:00. A session from 01:30
    to 03:30 lasts three hours of real time."""
    clock.now = datetime(2026, 10, 1, 10, 0, tzinfo=BRUSSELS)
    site = factories.site()
    starts = datetime(2026, 10, 25, 1, 30, tzinfo=BRUSSELS)  # still summer time (+02:00)
    item = session(site, course(site), starts_at=starts, hours=3)

    [event] = events(session_ics(item, "nl"))

    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert start.utcoffset().total_seconds() == 2 * 3600
    assert end.utcoffset().total_seconds() == 1 * 3600
    assert (end.astimezone(BRUSSELS).hour, end.astimezone(BRUSSELS).minute) == (3, 30)
    # (Python subtracts two times of one zone by the wall clock: compare in UTC.)
    assert (end.astimezone(UTC) - start.astimezone(UTC)).total_seconds() == 3 * 3600
    assert start == item.starts_at


def test_a_cancelled_session_is_marked_cancelled(clock):
    site = factories.site()
    item = session(site, course(site))
    before = events(session_ics(item, "en"))
    Session.objects.filter(pk=item.pk).update(status=Session.Status.CANCELLED)
    item.refresh_from_db()

    after = events(session_ics(item, "en"))

    assert str(before[0]["STATUS"]) == "CONFIRMED"
    assert str(after[0]["STATUS"]) == "CANCELLED"
    assert str(after[0]["UID"]) == str(before[0]["UID"])
    assert int(after[0]["SEQUENCE"]) > int(before[0]["SEQUENCE"])


def test_the_site_feed_and_the_download(client, clock):
    site = factories.site(name="Digipunt Kouter")
    first = session(site, course(site, "itsme"))
    session(site, course(site, "Phishing"), meetings=2)
    other = factories.site(name="Elders")
    session(other, course(other, "Elsewhere"))

    feed = client.get(url("learning:site-feed", slug=site.slug))
    one = client.get(url("learning:session-ics", session_id=first.pk))

    assert feed["Content-Type"].startswith("text/calendar")
    titles = sorted(str(e["SUMMARY"]) for e in events(feed.content))
    assert titles == ["Phishing", "Phishing", "itsme"]
    assert [str(e["SUMMARY"]) for e in events(one.content)] == ["itsme"]
    assert "attachment" in one["Content-Disposition"]
