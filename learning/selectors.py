"""The reads of learning. Public reads show published courses and their scheduled sessions
only; staff reads start from a site the caller was allowed (`accounts.permissions.site_for`):
a course, session or registration of another organisation is not found (a 404 in the views)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from core.links import token_hash
from learning.models import Course, Meeting, Registration, Session
from network.finder import distance_km
from network.models import Organisation, Site
from territory.selectors import Place

BRUSSELS = ZoneInfo("Europe/Brussels")
NEAR_KM = 25.0
PAGE_SIZE = 20


def _upcoming(now: datetime) -> QuerySet[Session]:
    """Published sessions one can still register for (the finder and a course's dates)."""
    return (
        Session.objects.filter(
            status=Session.Status.SCHEDULED,
            starts_at__gt=now,
            registration_closes_at__gt=now,
            course__is_published=True,
        )
        .filter(Q(site__isnull=True) | Q(site__is_published=True))
        .select_related("course", "site", "site__municipality")
        .prefetch_related(Prefetch("meetings", queryset=Meeting.objects.order_by("starts_at")))
        .order_by("starts_at", "pk")
    )


@dataclass(frozen=True)
class CourseFilters:
    """The course finder's choices; all optional."""

    starts_from: date | None = None
    starts_until: date | None = None
    area: str = ""
    theme: str = ""
    language: str = ""
    beginners: bool = False


@dataclass(frozen=True)
class Hit:
    session: Session
    distance_km: float | None  # None: online


@dataclass(frozen=True)
class CourseResult:
    hits: list[Hit]
    has_next: bool


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=BRUSSELS)


def find_sessions(
    origin: Place | None, filters: CourseFilters, *, now: datetime, page: int = 1
) -> CourseResult:
    """Upcoming sessions that match `filters`, soonest first: near `origin` (within
    `NEAR_KM`) when given, and online ones everywhere."""
    found = _upcoming(now)
    if filters.starts_from:
        found = found.filter(starts_at__gte=_day_start(filters.starts_from))
    if filters.starts_until:
        found = found.filter(starts_at__lt=_day_start(filters.starts_until + timedelta(days=1)))
    if filters.area:
        found = found.filter(course__competences__contains=f",{filters.area}.")
    if filters.theme:
        found = found.filter(course__themes__code=filters.theme)
    if filters.language:
        found = found.filter(course__language=filters.language)
    if filters.beginners:
        found = found.filter(course__level=Course.Level.BEGINNER)
    # First the page's sessions as plain values (id and place), soonest first, then only those
    # sessions with their course, site and meetings: reading whole sessions to skip the far ones
    # made 2,000 objects for a page of 20 (60-80 ms, docs/performance.md "Load test").
    chosen: list[tuple[int, float | None]] = []
    start = (page - 1) * PAGE_SIZE
    candidates = (
        found.select_related(None)
        .prefetch_related(None)
        .distinct()
        .values_list("pk", "starts_at", "site_id", "site__latitude", "site__longitude")
    )
    for pk, _starts_at, site_id, latitude, longitude in candidates.iterator(chunk_size=500):
        distance = None
        if site_id is not None and origin is not None:
            distance = distance_km(origin.latitude, origin.longitude, latitude, longitude)
            if distance > NEAR_KM:
                continue
        chosen.append((pk, distance))
        if len(chosen) > start + PAGE_SIZE:
            break
    shown = chosen[start : start + PAGE_SIZE]
    sessions = _upcoming(now).in_bulk([pk for pk, _distance in shown]) if shown else {}
    return CourseResult(
        hits=[Hit(sessions[pk], distance) for pk, distance in shown if pk in sessions],
        has_next=len(chosen) > start + PAGE_SIZE,
    )


def course_by_slug(slug: str) -> Course:
    course = Course.objects.filter(slug=slug, is_published=True).prefetch_related("themes").first()
    if course is None:
        raise Http404
    return course


def upcoming_sessions_of(course: Course, now: datetime) -> list[Session]:
    return list(_upcoming(now).filter(course=course))


def public_session(session_id: int) -> Session:
    """A session of a published course, whatever its status (the page says it is cancelled or
    over)."""
    session = (
        Session.objects.filter(pk=session_id, course__is_published=True)
        .select_related("course", "site")
        .prefetch_related(Prefetch("meetings", queryset=Meeting.objects.order_by("starts_at")))
        .first()
    )
    if session is None:
        raise Http404
    return session


def registration_by_token(token: str) -> Registration | None:
    """The registration of a private link, or None for an unknown or malformed secret."""
    if not token or len(token) > 64:
        return None
    return (
        Registration.objects.filter(token_hash=token_hash(token))
        .select_related("session", "session__course", "session__site")
        .first()
    )


def waiting_position(registration: Registration) -> int:
    """1 for the first one waiting."""
    ahead = registration.session.registrations.filter(status=Registration.Status.WAITING).filter(
        Q(created_at__lt=registration.created_at)
        | Q(created_at=registration.created_at, pk__lt=registration.pk)
    )
    return ahead.count() + 1


def site_feed_sessions(site: Site, since: datetime, until: datetime) -> list[Session]:
    return list(
        Session.objects.filter(
            site=site, course__is_published=True, ends_at__gte=since, starts_at__lt=until
        )
        .select_related("course", "site")
        .prefetch_related(Prefetch("meetings", queryset=Meeting.objects.order_by("starts_at")))
        .order_by("starts_at", "pk")
    )


# --- staff ------------------------------------------------------------------------------------


def courses_of(organisation: Organisation) -> QuerySet[Course]:
    return Course.objects.filter(organisation=organisation).order_by("title", "pk")


def course_of(organisation: Organisation, course_id: int) -> Course:
    course = courses_of(organisation).filter(pk=course_id).prefetch_related("themes").first()
    if course is None:
        raise Http404
    return course


def sessions_at(site: Site, since: datetime) -> QuerySet[Session]:
    """The site's sessions that have not ended before `since`, soonest first."""
    return (
        Session.objects.filter(site=site, ends_at__gte=since)
        .select_related("course")
        .prefetch_related(Prefetch("meetings", queryset=Meeting.objects.order_by("starts_at")))
        .order_by("starts_at", "pk")
    )


def session_at_site(site: Site, session_id: int) -> Session:
    session = (
        Session.objects.filter(pk=session_id, site=site)
        .select_related("course", "site")
        .prefetch_related(Prefetch("meetings", queryset=Meeting.objects.order_by("starts_at")))
        .first()
    )
    if session is None:
        raise Http404
    return session


def roster_of(session: Session) -> list[Registration]:
    """Who has a place (walk-ins included), then who waits, in order of arrival."""
    rows = session.registrations.exclude(status=Registration.Status.CANCELLED).order_by(
        "status", "created_at", "pk"
    )
    return sorted(
        rows, key=lambda r: (r.status != Registration.Status.CONFIRMED, r.created_at, r.pk)
    )


def sessions_today_at(site: Site, day: date) -> list[Session]:
    """The site's sessions with a meeting on `day` (the "today" panel)."""
    start = _day_start(day)
    return list(
        Session.objects.filter(
            site=site,
            status=Session.Status.SCHEDULED,
            meetings__starts_at__gte=start,
            meetings__starts_at__lt=start + timedelta(days=1),
        )
        .select_related("course")
        .distinct()
        .order_by("starts_at", "pk")
    )
