"""The writing services of learning: courses, sessions, and residents joining and leaving them.

Every service takes the acting user (None for a resident on the public pages), validates, takes
the row locks it needs inside one transaction, writes, and appends one audit entry. An audit
entry never holds a participant's name or contact details: only the registration's reference.

A session is never overbooked: `registration_register` locks the session's row, counts the
person in (`confirmed`) when a place is free and otherwise puts them on the waiting list, in
order of arrival; the database refuses a `confirmed` above the capacity (check constraint).
A cancellation under the same lock gives the seat to the first one waiting, who gets a message.
Messages (email and/or SMS) go out after the commit (`learning.participant_messages`).

Invalid input raises `django.core.exceptions.ValidationError`, keyed by field where there is one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.models import User
from audit.services import field_changes, log_action
from core import links
from core.facts import facts_changed
from core.references import new_reference
from learning import digcomp, participant_messages
from learning.models import Course, Meeting, Registration, Session
from network.models import Organisation, Site
from notifications import phones

COURSE_FIELDS = (
    "title",
    "summary",
    "level",
    "language",
    "format",
    "competences",
    "what_to_bring",
    "cost_euros",
    "is_published",
)
NAME_MAX_LENGTH = phones.NAME_MAX_LENGTH
NEEDS_MAX_LENGTH = 200
MAX_MEETINGS = 20
# A meeting lasts at least this long and at most this long.
MEETING_MIN = timedelta(minutes=15)
MEETING_MAX = timedelta(hours=10)


class AlreadyRegistered(ValidationError):
    """The same person is already registered for this session (a double submission);
    `registration` is theirs. The message speaks to the resident."""

    def __init__(self, registration: Registration) -> None:
        super().__init__(
            _(
                "You are already registered for this course (reference %(reference)s). Look for "
                "the confirmation in your email or text messages."
            )
            % {"reference": registration.reference},
            code="already_registered",
        )
        self.registration = registration


# --- courses ----------------------------------------------------------------------------------


def _clean_course(data: Mapping[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    cleaned = dict(data)
    cleaned["title"] = " ".join((data.get("title") or "").split())
    if not cleaned["title"]:
        errors["title"] = [_("Give the course a short title, for example “Video-calling”.")]
    cleaned["summary"] = (data.get("summary") or "").strip()
    if not cleaned["summary"]:
        errors["summary"] = [_("Say in a few plain sentences what people learn.")]
    codes = data.get("competences") or []
    if isinstance(codes, str):
        codes = [code for code in codes.split(",") if code]
    unknown = [code for code in codes if code not in digcomp.COMPETENCES]
    if unknown:
        errors["competences"] = [_("Choose competences from the list.")]
    ordered = [code for code in digcomp.COMPETENCES if code in set(codes)]
    cleaned["competences"] = "," + ",".join(ordered) + "," if ordered else ""
    if errors:
        raise ValidationError(errors)
    return cleaned


def _unique_slug(title: str) -> str:
    base = slugify(title)[:60] or "course"
    slug = base
    n = 2
    while Course.objects.filter(slug=slug).exists():
        slug = f"{base}-{n}"
        n += 1
    return slug


def course_create(
    *,
    actor: User,
    organisation: Organisation,
    data: Mapping[str, Any],
    themes: Sequence[Any] = (),
) -> Course:
    """Add a course to the organisation's catalogue (the fields in `COURSE_FIELDS`)."""
    unknown = set(data) - set(COURSE_FIELDS)
    if unknown:
        raise ValueError(f"course_create cannot set {sorted(unknown)}")
    cleaned = _clean_course(data)
    with transaction.atomic():
        course = Course(organisation=organisation, slug=_unique_slug(cleaned["title"]), **cleaned)
        course.full_clean(exclude=["organisation", "slug", "themes"])
        course.save()
        course.themes.set(themes)
        log_action(actor=actor, action="course.create", target=course, organisation=organisation)
    return course


def course_update(
    *, actor: User, course: Course, data: Mapping[str, Any], themes: Sequence[Any] | None = None
) -> Course:
    """Change a course's details; its sessions keep their dates and registrations."""
    unknown = set(data) - set(COURSE_FIELDS)
    if unknown:
        raise ValueError(f"course_update cannot change {sorted(unknown)}")
    cleaned = _clean_course(data)
    with transaction.atomic():
        locked = Course.objects.select_for_update().get(pk=course.pk)
        before = {name: getattr(locked, name) for name in COURSE_FIELDS}
        for name, value in cleaned.items():
            setattr(locked, name, value)
        locked.full_clean(exclude=["organisation", "slug", "themes"])
        changes = field_changes(before, {name: getattr(locked, name) for name in COURSE_FIELDS})
        if themes is not None:
            old = set(locked.themes.values_list("pk", flat=True))
            new = {theme.pk for theme in themes}
            if old != new:
                locked.themes.set(themes)
                changes["themes"] = [sorted(old), sorted(new)]
        if changes:
            locked.save()
            log_action(
                actor=actor,
                action="course.update",
                target=locked,
                changes=changes,
                organisation=locked.organisation,
            )
    return locked


# --- sessions ---------------------------------------------------------------------------------


def session_create(
    *,
    actor: User,
    course: Course,
    site: Site | None,
    meetings: Sequence[tuple[datetime, datetime]],
    capacity: int,
    registration_closes_at: datetime | None = None,
    trainer_name: str = "",
    online_note: str = "",
) -> Session:
    """Plan a run of `course`: its meetings (one, or a series), at `site` (None: online), for
    `capacity` people; registration closes at the given time (by default when the first
    meeting starts)."""
    errors: dict[str, list[str]] = {}
    now = timezone.now()
    ordered = sorted(meetings)
    if not ordered:
        errors["meetings"] = [_("Give the date and time of at least one meeting.")]
    elif len(ordered) > MAX_MEETINGS:
        errors["meetings"] = [_("A series has at most %(max)d meetings.") % {"max": MAX_MEETINGS}]
    else:
        for starts_at, ends_at in ordered:
            if starts_at <= now:
                errors["meetings"] = [_("A meeting cannot be in the past.")]
            elif not MEETING_MIN <= ends_at - starts_at <= MEETING_MAX:
                errors["meetings"] = [
                    _("A meeting ends after it starts, and lasts from 15 minutes to 10 hours.")
                ]
        for (_a, first_end), (second_start, _b) in pairwise(ordered):
            if second_start < first_end:
                errors["meetings"] = [_("Two meetings of a series overlap.")]
    if not 1 <= capacity <= 200:
        errors["capacity"] = [_("Choose from 1 to 200 places.")]
    if site is None and course.format != Course.Format.ONLINE:
        errors["site"] = [_("Choose the Digipunt where it takes place.")]
    if site is not None and site.organisation_id != course.organisation_id:
        errors["site"] = [_("Choose a Digipunt of your organisation.")]
    closes = registration_closes_at or (ordered[0][0] if ordered else now)
    if ordered and closes > ordered[0][0]:
        errors["registration_closes_at"] = [
            _("Registration closes before the first meeting starts.")
        ]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        session = Session.objects.create(
            course=course,
            site=site,
            capacity=capacity,
            registration_closes_at=closes,
            starts_at=ordered[0][0],
            ends_at=ordered[-1][1],
            trainer_name=" ".join(trainer_name.split())[:120],
            online_note=online_note.strip()[:300],
        )
        Meeting.objects.bulk_create(
            [Meeting(session=session, starts_at=s, ends_at=e) for s, e in ordered]
        )
        log_action(
            actor=actor,
            action="session.create",
            target=session,
            changes={"starts_at": session.starts_at.isoformat(), "capacity": capacity},
            site=site,
            organisation=course.organisation,
        )
    return session


def session_cancel(*, actor: User, session: Session, note: str = "") -> Session:
    """Cancel a session: everyone registered or waiting is told (by email and/or SMS)."""
    with transaction.atomic():
        locked = (
            Session.objects.select_for_update(of=("self",))
            .select_related("course", "site")
            .get(pk=session.pk)
        )
        if locked.status == Session.Status.CANCELLED:
            raise ValidationError(_("This session is already cancelled."), code="cancelled")
        now = timezone.now()
        locked.status = Session.Status.CANCELLED
        locked.cancelled_at = now
        locked.cancel_note = " ".join(note.split())[:200]
        locked.save(update_fields=["status", "cancelled_at", "cancel_note"])
        told = list(
            locked.registrations.filter(
                status__in=[Registration.Status.CONFIRMED, Registration.Status.WAITING]
            )
        )
        for registration in told:
            participant_messages.send(registration, "session_cancelled", session=locked)
        log_action(
            actor=actor,
            action="session.cancel",
            target=locked,
            changes={"told": len(told)},
            site=locked.site,
            organisation=locked.course.organisation,
        )
    return locked


# --- registrations ----------------------------------------------------------------------------


def clean_participant(
    errors: dict[str, list[str]], name: str, phone: str, email: str
) -> tuple[str, str, str]:
    return phones.clean_person(
        errors,
        name,
        phone,
        email,
        missing_name=_("Write your name, so the trainer knows who comes."),
        neither=_("Give a phone number or an email address, so we can send you the confirmation."),
    )


def registration_register(
    *,
    session: Session,
    name: str,
    phone: str = "",
    email: str = "",
    accessibility_needs: str = "",
    age_band: str = "",
    language: str = "",
    actor: User | None = None,
) -> tuple[Registration, str]:
    """Register a resident for `session`; returns the registration (with a place, or on the
    waiting list when the session is full) and the secret of their private link to cancel
    (shown once and sent to them, never stored).

    Refused with a clear message when the session is cancelled, has started, or its
    registration has closed, and when the same person registers twice (a double submission).
    """
    errors: dict[str, list[str]] = {}
    name, phone, email = clean_participant(errors, name, phone, email)
    needs = " ".join((accessibility_needs or "").split())
    if len(needs) > NEEDS_MAX_LENGTH:
        errors["accessibility_needs"] = [
            _("Keep it under %(max)d characters.") % {"max": NEEDS_MAX_LENGTH}
        ]
    if age_band and age_band not in Registration.AgeBand.values:
        errors["age_band"] = [_("Choose one of the ages in the list.")]
    if errors:
        raise ValidationError(errors)
    language = language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    token = links.new_token()
    now = timezone.now()
    with transaction.atomic():
        locked = (
            Session.objects.select_for_update(of=("self",))
            .select_related("course", "site")
            .get(pk=session.pk)
        )
        _check_open(locked, now)
        duplicate = (
            locked.registrations.filter(
                status__in=[Registration.Status.CONFIRMED, Registration.Status.WAITING],
                name__iexact=name,
                phone=phone,
                email__iexact=email,
            )
            .order_by("pk")
            .first()
        )
        if duplicate is not None:
            raise AlreadyRegistered(duplicate)
        has_place = locked.confirmed < locked.capacity
        registration = Registration(
            session=locked,
            token_hash=links.token_hash(token),
            status=Registration.Status.CONFIRMED if has_place else Registration.Status.WAITING,
            # The moment it got its turn under the lock: the order of arrival (the id follows it
            # too, and breaks ties).
            created_at=timezone.now(),
            name=name,
            phone=phone,
            email=email,
            accessibility_needs=needs,
            age_band=age_band,
            language=language,
        )
        _save_with_unique_reference(registration)
        if has_place:
            Session.objects.filter(pk=locked.pk).update(confirmed=F("confirmed") + 1)
            locked.confirmed += 1
        log_action(
            actor=actor,
            action="registration.create",
            target=registration,
            changes={"reference": registration.reference, "status": registration.status},
            site=locked.site,
            organisation=locked.course.organisation,
        )
        participant_messages.send(registration, "registered", session=locked, token=token)
    return registration, token


def _check_open(session: Session, now: datetime) -> None:
    if session.status == Session.Status.CANCELLED:
        raise ValidationError(
            _("This session is cancelled. Look for another date of this course."), code="cancelled"
        )
    if session.starts_at <= now:
        raise ValidationError(
            _("This session has already started. Look for another date of this course."),
            code="started",
        )
    if session.registration_closes_at <= now:
        raise ValidationError(
            _("Registration for this session has closed. Call the Digipunt to ask for a place."),
            code="closed",
        )


def _save_with_unique_reference(registration: Registration) -> None:
    """Save with a fresh random reference, drawing another on the rare collision."""
    for _attempt in range(10):
        registration.reference = new_reference("C")
        try:
            with transaction.atomic():  # a savepoint: a collision must not end the registration
                registration.save()
        except IntegrityError:
            continue
        return
    raise RuntimeError("No free registration reference after 10 attempts")


def registration_cancel(*, registration: Registration, actor: User | None = None) -> Registration:
    """Cancel a registration (by the resident through their private link, or by staff). A place
    it frees goes to the first one waiting, who is told."""
    now = timezone.now()
    with transaction.atomic():
        session = (
            Session.objects.select_for_update(of=("self",))
            .select_related("course", "site")
            .get(pk=registration.session_id)
        )
        locked = Registration.objects.select_for_update().get(pk=registration.pk)
        if locked.status == Registration.Status.CANCELLED:
            raise ValidationError(_("This registration is already cancelled."), code="cancelled")
        # A walk-in was never counted in the places (they came beyond them).
        had_place = locked.status == Registration.Status.CONFIRMED and not locked.walk_in
        locked.status = Registration.Status.CANCELLED
        locked.cancelled_at = now
        locked.save(update_fields=["status", "cancelled_at"])
        log_action(
            actor=actor,
            action="registration.cancel",
            target=locked,
            changes={"reference": locked.reference},
            site=session.site,
            organisation=session.course.organisation,
        )
        if had_place:
            session.confirmed -= 1
            Session.objects.filter(pk=session.pk).update(confirmed=F("confirmed") - 1)
            if session.status == Session.Status.SCHEDULED and session.starts_at > now:
                _promote_first_waiting(session, now)
    return locked


def _promote_first_waiting(session: Session, now: datetime) -> Registration | None:
    """Give a free place of `session` (locked) to the first one waiting, and tell them."""
    first = (
        session.registrations.select_for_update()
        .filter(status=Registration.Status.WAITING)
        .order_by("pk")
        .first()
    )
    if first is None:
        return None
    first.status = Registration.Status.CONFIRMED
    first.promoted_at = now
    first.save(update_fields=["status", "promoted_at"])
    Session.objects.filter(pk=session.pk).update(confirmed=F("confirmed") + 1)
    session.confirmed += 1
    log_action(
        actor=None,
        action="registration.promote",
        target=first,
        changes={"reference": first.reference},
        site=session.site,
        organisation=session.course.organisation,
    )
    participant_messages.send(first, "promoted", session=session)
    return first


# --- attendance -------------------------------------------------------------------------------


def _lock_not_cancelled(session: Session) -> Session:
    """The session's row, locked for the rest of the transaction (with its course and site);
    refused when the session was cancelled."""
    locked = (
        Session.objects.select_for_update(of=("self",))
        .select_related("course", "site")
        .get(pk=session.pk)
    )
    if locked.status == Session.Status.CANCELLED:
        raise ValidationError(_("This session is cancelled."), code="cancelled")
    return locked


def attendance_record(*, actor: User, session: Session, present: set[int], absent: set[int]) -> int:
    """Record who came (`present`) and who did not (`absent`), by registration id, for the
    session's participants with a place; returns how many changed."""
    changed = 0
    with transaction.atomic():
        locked = _lock_not_cancelled(session)
        if locked.starts_at > timezone.now() + timedelta(hours=1):
            raise ValidationError(
                _("Attendance is taken on the day, from an hour before the start."),
                code="too_early",
            )
        rows = locked.registrations.filter(status=Registration.Status.CONFIRMED)
        marks = (
            (Registration.Attendance.PRESENT, present),
            (Registration.Attendance.ABSENT, absent - present),
        )
        for value, ids in marks:
            changed += rows.filter(pk__in=ids).exclude(attendance=value).update(attendance=value)
        facts_changed(Registration, [Registration(session=locked)])
        log_action(
            actor=actor,
            action="session.attendance",
            target=locked,
            changes={"present": len(present), "absent": len(absent)},
            site=locked.site,
            organisation=locked.course.organisation,
        )
    return changed


def walk_in_add(*, actor: User, session: Session, name: str) -> Registration:
    """Someone came without registering: they are on the roster, present, beyond the places
    (they are in the room). Only a first name is needed."""
    name = " ".join((name or "").split())
    if not name or len(name) > NAME_MAX_LENGTH:
        raise ValidationError({"name": [_("Write the first name of who came.")]})
    now = timezone.now()
    with transaction.atomic():
        locked = _lock_not_cancelled(session)
        registration = Registration(
            session=locked,
            token_hash=links.token_hash(links.new_token()),
            status=Registration.Status.CONFIRMED,
            created_at=now,
            name=name,
            walk_in=True,
            attendance=Registration.Attendance.PRESENT,
        )
        _save_with_unique_reference(registration)
        log_action(
            actor=actor,
            action="registration.walk_in",
            target=registration,
            changes={"reference": registration.reference},
            site=locked.site,
            organisation=locked.course.organisation,
        )
    return registration
