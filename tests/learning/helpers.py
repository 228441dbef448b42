"""Courses, sessions and registrations for the learning tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from learning import services
from learning.models import Course, Meeting, Registration, Session
from network.models import Site
from tests.cast import Cast

BRUSSELS = ZoneInfo("Europe/Brussels")


def course(site: Site, title: str = "Video-calling your grandchildren", **fields: Any) -> Course:
    values: dict[str, Any] = {
        "summary": "See and hear your family on a tablet.",
        "level": Course.Level.BEGINNER,
        "language": "nl",
        "competences": ",2.1,4.2,",
        **fields,
    }
    n = Course.objects.count() + 1
    return Course.objects.create(
        organisation_id=site.organisation_id, slug=f"course-{n}", title=title, **values
    )


def session(
    site: Site | None,
    item: Course,
    *,
    starts_at: datetime | None = None,
    capacity: int = 10,
    meetings: int = 1,
    hours: float = 2,
) -> Session:
    """A scheduled session written directly: `meetings` weekly meetings from `starts_at`
    (by default in a week, at 14:00 in Brussels)."""
    if starts_at is None:
        day = timezone.localdate() + timedelta(days=7)
        starts_at = datetime(day.year, day.month, day.day, 14, 0, tzinfo=BRUSSELS)
    # Weekly at the same wall-clock time; each meeting lasts `hours` of real time (also over
    # a change of the clocks).
    firsts = [starts_at + timedelta(weeks=n) for n in range(meetings)]
    times = [
        (start, (start.astimezone(UTC) + timedelta(hours=hours)).astimezone(BRUSSELS))
        for start in firsts
    ]
    created = Session.objects.create(
        course=item,
        site=site,
        capacity=capacity,
        registration_closes_at=times[0][0],
        starts_at=times[0][0],
        ends_at=times[-1][1],
    )
    Meeting.objects.bulk_create(
        [Meeting(session=created, starts_at=s, ends_at=e) for s, e in times]
    )
    return created


def register(item: Session, name: str = "Marie Peeters", **fields: Any) -> Registration:
    values: dict[str, Any] = {"phone": "+32470123456", "language": "en", **fields}
    registration, _token = services.registration_register(session=item, name=name, **values)
    return registration


def matrix_course(cast: Cast, *, other_org: bool = False) -> dict[str, object]:
    site = cast.aalst if other_org else cast.gent_a
    return {"site_id": site.pk, "course_id": course(site).pk}


def matrix_session(cast: Cast, *, other_org: bool = False, action: str = "") -> dict[str, object]:
    site = cast.aalst if other_org else cast.gent_a
    kwargs: dict[str, object] = {
        "site_id": cast.gent_a.pk,
        "session_id": session(site, course(site)).pk,
    }
    if action:
        kwargs["action"] = action
    return kwargs


def matrix_card(cast: Cast, *, other_org: bool = False) -> dict[str, object]:
    """URL kwargs of a help card of gent_a's organisation (of Aalst's for `other_org`)."""
    from datetime import date

    from learning import help_cards

    site = cast.aalst if other_org else cast.gent_a
    card = help_cards.card_create(
        actor=None,
        organisation=site.organisation,
        theme=None,
        data={
            "title": f"Card {Course.objects.count()} {site.pk}",
            "summary": "A card.",
            "steps": "One step.",
            "language": "en",
            "checked_on": date(2026, 1, 1),
        },
    )
    return {"site_id": site.pk, "card_id": card.pk}
