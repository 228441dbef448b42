"""Courses for the demo network, so that `make run` shows the course finder, course pages and
rosters at work. Every course is marked "(demo)" and belongs to a demo organisation."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from learning.models import Course, Meeting, Session
from network.models import Site

BRUSSELS = ZoneInfo("Europe/Brussels")

# (title, summary, competences, language)
DEMO_COURSES = (
    (
        "itsme gebruiken (demo)",
        "Je installeert itsme op je smartphone en meldt je ermee aan bij de overheid.",
        ",2.6,4.2,",
        "nl",
    ),
    (
        "Veilig online bankieren (demo)",
        "Je betaalt en bekijkt je rekening in de app van je bank, en je herkent valse berichten.",
        ",4.2,4.1,",
        "nl",
    ),
    (
        "Videobellen met je kleinkinderen (demo)",
        "Je belt met beeld en geluid met familie, op een tablet of smartphone.",
        ",2.1,",
        "nl",
    ),
    (
        "Utiliser itsme (démo)",
        "Vous installez itsme sur votre smartphone et vous vous connectez aux services publics.",
        ",2.6,4.2,",
        "fr",
    ),
)


def demo_courses_load() -> int:
    """Give every demo organisation with a demo site that offers courses the demo courses, and
    each such site two dates of one of them (in one and two weeks, 14:00 to 16:00, 12 places);
    returns how many sessions. Real organisations and sites are never touched."""
    sites = list(
        Site.objects.filter(is_demo=True, offers_learning=True, course_sessions__isnull=True)
        .select_related("organisation")
        .order_by("pk")
    )
    by_org: dict[int, list[Course]] = {}
    for site in sites:
        if site.organisation_id in by_org:
            continue
        by_org[site.organisation_id] = [
            Course(
                organisation_id=site.organisation_id,
                slug=f"demo-{site.organisation_id}-{n}",
                title=title,
                summary=summary,
                competences=codes,
                language=language,
                is_demo=True,
            )
            for n, (title, summary, codes, language) in enumerate(DEMO_COURSES, start=1)
        ]
    Course.objects.bulk_create([c for courses in by_org.values() for c in courses], batch_size=500)
    today = timezone.localdate()
    sessions: list[Session] = []
    for n, site in enumerate(sites):
        offered = by_org[site.organisation_id]
        item = offered[n % len(offered)]
        if site.municipality_id.startswith("21") and n % 2:  # Brussels: the French one too
            item = offered[-1]
        for week in (1, 2):
            day = today + timedelta(weeks=week)
            starts = datetime.combine(day, time(14, 0), tzinfo=BRUSSELS)
            sessions.append(
                Session(
                    course=item,
                    site=site,
                    capacity=12,
                    registration_closes_at=starts,
                    starts_at=starts,
                    ends_at=starts + timedelta(hours=2),
                    trainer_name="Demo",
                )
            )
    created = Session.objects.bulk_create(sessions, batch_size=500)
    Meeting.objects.bulk_create(
        [Meeting(session=s, starts_at=s.starts_at, ends_at=s.ends_at) for s in created],
        batch_size=500,
    )
    return len(created)
