"""Writes on contacts: registering a visit and its questions, correcting and deleting it.

The registration form, the appointment agenda ("helped: register") and the API all call
`contact_register`, so the rules live here once: questions need a theme and an outcome, a
referral says to whom, the note holds no personal data, a visitor code must be one this site may
accept, and a busy session ("5 people with itsme questions") becomes one contact per person.
Invalid input raises `django.core.exceptions.ValidationError` keyed by field, so a form or an
API answer can show it next to what the person typed.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Choices, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.services import field_changes, log_action
from core.facts import facts_changed
from core.fields import max_length
from network.models import LANGUAGE_NAMES, Organisation, Site, Theme
from questions import visitor_codes
from questions.models import (
    AgeBand,
    Channel,
    Concern,
    Contact,
    Duration,
    Gender,
    Outcome,
    PartnerKind,
    Question,
    Situation,
    Source,
    VisitorCode,
)
from questions.personal_data import validate_no_personal_data

# A busy session is entered at once up to this many people; more is a course, not a contact.
MAX_PEOPLE = 50
MAX_QUESTIONS = 10
# A contact may be registered afterwards, but not for the future (a few minutes of clock drift
# between a tablet and the server are fine) and not longer ago than this.
FUTURE_TOLERANCE = timedelta(minutes=10)
MAX_AGE = timedelta(days=366)
# A helper may correct or delete their own entries this long after entering them.
CORRECTION_WINDOW = timedelta(hours=24)


NOTE_MAX_LENGTH = max_length(Contact, "note")


@dataclass(frozen=True)
class QuestionInput:
    theme: Theme
    outcome: str
    concern: Concern | None = None
    referred_to: str = ""


@dataclass(frozen=True)
class ContactInput:
    """Everything a registration says; only channel, duration and one question are required."""

    channel: str
    duration: str
    questions: Sequence[QuestionInput]
    occurred_at: datetime | None = None  # now when not given
    note: str = ""
    people: int = 1
    visitor_code: str = ""
    age_band: str = ""
    gender: str = ""
    visitor_language: str = ""
    first_visit: bool | None = None
    situation: str = ""


def _choice(
    errors: dict[str, list[str]], name: str, value: str, choices: type[Choices], *, blank: bool
) -> None:
    if (blank and value == "") or value in choices.values:
        return
    errors.setdefault(name, []).append(_("Choose one of the options."))


def _check_questions(errors: dict[str, list[str]], questions: Sequence[QuestionInput]) -> None:
    if not questions:
        errors.setdefault("questions", []).append(_("Choose what the question was about."))
        return
    if len(questions) > MAX_QUESTIONS:
        errors.setdefault("questions", []).append(
            _("At most %(count)d questions per contact.") % {"count": MAX_QUESTIONS}
        )
    for question in questions:
        if question.outcome not in Outcome.values:
            errors.setdefault("outcome", []).append(_("Choose how the question ended."))
        if question.outcome == Outcome.REFERRED and question.referred_to not in PartnerKind.values:
            errors.setdefault("referred_to", []).append(_("Say to which partner you referred."))
        if question.concern is not None and not question.concern.is_active:
            errors.setdefault("concern", []).append(
                _("This organisation or app is no longer in the list.")
            )


def visitor_code_for_site(site: Site, text: str) -> VisitorCode:
    """The visitor code typed at `site`, if the site may count it.

    A code is accepted at the sites of the organisation that printed it and at the sites of the
    organisations it works with in a partnership (a Digibank), so a visitor is counted once
    across them. Raises ValidationError on `visitor_code` otherwise.
    """
    code = visitor_codes.normalise(text)
    if code is None:
        raise ValidationError(
            {
                "visitor_code": _(
                    "This is not a valid visitor code. Check the 8 characters on the card."
                )
            },
            code="invalid_visitor_code",
        )
    organisation = site.organisation
    found = (
        VisitorCode.objects.filter(code=code)
        .filter(
            Q(organisation=organisation) | Q(organisation__partnerships__organisations=organisation)
        )
        .first()
    )
    if found is None:
        raise ValidationError(
            {
                "visitor_code": _(
                    "This visitor code is not known here. "
                    "It may belong to another network of Digipunten."
                )
            },
            code="unknown_visitor_code",
        )
    return found


def _validate(site: Site, data: ContactInput, now: datetime) -> tuple[datetime, VisitorCode | None]:
    errors: dict[str, list[str]] = {}
    _choice(errors, "channel", data.channel, Channel, blank=False)
    _choice(errors, "duration", data.duration, Duration, blank=False)
    _choice(errors, "age_band", data.age_band, AgeBand, blank=True)
    _choice(errors, "gender", data.gender, Gender, blank=True)
    _choice(errors, "situation", data.situation, Situation, blank=True)
    if data.visitor_language and data.visitor_language not in LANGUAGE_NAMES:
        errors.setdefault("visitor_language", []).append(_("Choose one of the options."))
    _check_questions(errors, data.questions)
    occurred_at = data.occurred_at or now
    if occurred_at > now + FUTURE_TOLERANCE:
        errors.setdefault("occurred_at", []).append(_("This moment is in the future."))
    elif occurred_at < now - MAX_AGE:
        errors.setdefault("occurred_at", []).append(_("This is more than a year ago."))
    if not 1 <= data.people <= MAX_PEOPLE:
        errors.setdefault("people", []).append(
            _("Enter a number from 1 to %(max)d.") % {"max": MAX_PEOPLE}
        )
    if len(data.note) > NOTE_MAX_LENGTH:
        errors.setdefault("note", []).append(_("Keep the note under 280 characters."))
    else:
        try:
            validate_no_personal_data(data.note)
        except ValidationError as error:
            errors.setdefault("note", []).extend(error.messages)
    visitor = None
    if data.visitor_code.strip():
        if data.people > 1:
            errors.setdefault("visitor_code", []).append(
                _("A visitor code belongs to one person: register a group without it.")
            )
        else:
            try:
                visitor = visitor_code_for_site(site, data.visitor_code)
            except ValidationError as error:
                for name, messages in error.message_dict.items():
                    errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    return occurred_at, visitor


class AlreadyRegistered(Exception):
    """The registration with this submission key was saved before; nothing was saved again.

    `contact` is the first contact of that earlier registration."""

    def __init__(self, contact: Contact) -> None:
        super().__init__(f"submission {contact.submission} was registered already")
        self.contact = contact


def contact_register(
    *,
    actor: User | None,
    site: Site,
    data: ContactInput,
    helper: User | None = None,
    source: str = Source.FORM,
    submission: uuid.UUID | None = None,
) -> list[Contact]:
    """Register a visit at `site`: one contact per person, each with the same questions.

    `helper` defaults to the acting user (None for the API, where a tool posts for a site).
    The caller has checked that `actor` may register contacts at `site`. One audit entry is
    written for the registration. Returns the new contacts.

    `submission` is the one-time key of the form that sent it: the database refuses it twice
    (a unique column), so a second submission of the same form, even at the same moment,
    raises `AlreadyRegistered` instead of counting the visit twice.
    """
    try:
        return _register(actor, site, data, helper, source, submission)
    except IntegrityError:
        if submission is None:
            raise
        earlier = Contact.objects.filter(submission=submission).first()
        if earlier is None:
            raise
        if earlier.site_id != site.pk or earlier.created_by_id != getattr(actor, "pk", None):
            # Someone else's key (forged or copied): say nothing about what it registered.
            raise ValidationError(
                {"form_token": _("This form was already used. Open a new form and try again.")},
                code="submission_reused",
            ) from None
        raise AlreadyRegistered(earlier) from None


def _register(
    actor: User | None,
    site: Site,
    data: ContactInput,
    helper: User | None,
    source: str,
    submission: uuid.UUID | None,
) -> list[Contact]:
    now = timezone.now()
    occurred_at, visitor = _validate(site, data, now)
    day = timezone.localdate(occurred_at)
    batch = uuid.uuid4() if data.people > 1 else None
    with transaction.atomic():
        contacts = Contact.objects.bulk_create(
            [
                Contact(
                    site=site,
                    occurred_at=occurred_at,
                    day=day,
                    helper=helper if helper is not None else actor,
                    channel=data.channel,
                    duration=data.duration,
                    note=data.note.strip(),
                    visitor=visitor,
                    age_band=data.age_band,
                    gender=data.gender,
                    visitor_language=data.visitor_language,
                    first_visit=data.first_visit,
                    situation=data.situation,
                    batch=batch,
                    submission=submission if person == 0 else None,
                    source=source,
                    created_by=actor,
                )
                for person in range(data.people)
            ]
        )
        facts_changed(Contact, contacts)
        questions = Question.objects.bulk_create(
            [
                Question(
                    contact=contact,
                    site=site,
                    day=day,
                    theme=question.theme,
                    concern=question.concern,
                    outcome=question.outcome,
                    referred_to=question.referred_to
                    if question.outcome == Outcome.REFERRED
                    else "",
                )
                for contact in contacts
                for question in data.questions
            ]
        )
        facts_changed(Question, questions)
        log_action(
            actor=actor,
            action="contact.register",
            target=contacts[0],
            site=site,
            changes={
                "people": data.people,
                "channel": data.channel,
                "themes": [question.theme.code for question in data.questions],
                "source": source,
            },
        )
    return contacts


# --- correcting and deleting one's own entries ------------------------------------------------


def _check_correctable(actor: User, contact: Contact, now: datetime) -> None:
    """Only the person who entered a contact may change it, and only for a day: after that the
    figures are someone else's evidence too (a coordinator may already have reported them)."""
    if actor is None or contact.created_by_id != actor.pk:
        raise ValidationError(
            _("Only the person who entered this contact can correct or delete it."),
            code="not_own_contact",
        )
    if now - contact.created_at > CORRECTION_WINDOW:
        raise ValidationError(
            _(
                "This contact was entered more than 24 hours ago. "
                "It can no longer be corrected or deleted."
            ),
            code="correction_window_closed",
        )


def _locked_contact(contact: Contact) -> Contact:
    return (
        Contact.objects.select_for_update(of=("self",))
        .select_related("site__organisation", "visitor")
        .get(pk=contact.pk)
    )


def _snapshot(contact: Contact, questions: Sequence[Question | QuestionInput]) -> dict[str, object]:
    """What the audit trail records of a contact: its fields and its questions in words."""
    return {
        "occurred_at": contact.occurred_at.isoformat(),
        "channel": contact.channel,
        "duration": contact.duration,
        "note": contact.note,
        "visitor_code": contact.visitor.code if contact.visitor else "",
        "age_band": contact.age_band,
        "gender": contact.gender,
        "visitor_language": contact.visitor_language,
        "first_visit": contact.first_visit,
        "situation": contact.situation,
        "questions": [
            " / ".join(
                part
                for part in (
                    question.theme.code,
                    question.concern.code if question.concern else "",
                    question.outcome,
                    question.referred_to if question.outcome == Outcome.REFERRED else "",
                )
                if part
            )
            for question in questions
        ],
    }


def contact_update(*, actor: User, contact: Contact, data: ContactInput) -> Contact:
    """Correct a contact the actor entered less than 24 hours ago; its questions are replaced.

    Only this one contact changes, also when it was entered as one of a group ("5 people"):
    the others keep what they said. `data.people` must be 1. One audit entry lists the changed
    fields. Raises ValidationError (keyed by field) when the data or the moment is not right.
    """
    now = timezone.now()
    _check_correctable(actor, contact, now)
    if data.people != 1:
        raise ValidationError(
            {"people": _("A correction is about one contact: register other people anew.")}
        )
    with transaction.atomic():
        locked = _locked_contact(contact)
        _check_correctable(actor, locked, now)
        occurred_at, visitor = _validate(locked.site, data, now)
        old_questions = list(locked.questions.select_related("theme", "concern"))
        before = _snapshot(locked, old_questions)
        day = timezone.localdate(occurred_at)
        locked.occurred_at = occurred_at
        locked.day = day
        locked.channel = data.channel
        locked.duration = data.duration
        locked.note = data.note.strip()
        locked.visitor = visitor
        locked.age_band = data.age_band
        locked.gender = data.gender
        locked.visitor_language = data.visitor_language
        locked.first_visit = data.first_visit
        locked.situation = data.situation
        locked.save()
        locked.questions.all().delete()
        written = Question.objects.bulk_create(
            [
                Question(
                    contact=locked,
                    site=locked.site,
                    day=day,
                    theme=question.theme,
                    concern=question.concern,
                    outcome=question.outcome,
                    referred_to=question.referred_to
                    if question.outcome == Outcome.REFERRED
                    else "",
                )
                for question in data.questions
            ]
        )
        facts_changed(Question, written)
        changes: dict[str, Any] = field_changes(before, _snapshot(locked, data.questions))
        if locked.batch is not None:
            changes["batch"] = str(locked.batch)
        log_action(
            actor=actor, action="contact.update", target=locked, site=locked.site, changes=changes
        )
    return locked


def contact_delete(*, actor: User, contact: Contact) -> None:
    """Delete a contact the actor entered less than 24 hours ago (and its questions).

    Only this one contact goes, also when it was entered as one of a group. The audit entry keeps
    what the contact said (it holds no personal data), so the trail explains a changed figure.
    """
    now = timezone.now()
    _check_correctable(actor, contact, now)
    with transaction.atomic():
        locked = _locked_contact(contact)
        _check_correctable(actor, locked, now)
        questions = list(locked.questions.select_related("theme", "concern"))
        changes: dict[str, object] = _snapshot(locked, questions)
        if locked.batch is not None:
            changes["batch"] = str(locked.batch)
        log_action(
            actor=actor, action="contact.delete", target=locked, site=locked.site, changes=changes
        )
        locked.delete()


# --- visitor codes ----------------------------------------------------------------------------

MAX_VISITOR_CODES = 200


def visitor_codes_issue(
    *, actor: User, organisation: Organisation, count: int
) -> list[VisitorCode]:
    """Make `count` new visitor codes (1 to 200) for `organisation` to print on cards.

    The caller has checked that `actor` may issue codes for the organisation. The codes are
    random and unrelated to anyone; one audit entry records how many were made and which (a code
    is not personal data, and the list helps to recognise a lost batch of cards).
    """
    if not 1 <= count <= MAX_VISITOR_CODES:
        raise ValidationError(
            {"count": _("Enter a number from 1 to %(max)d.") % {"max": MAX_VISITOR_CODES}}
        )
    codes: set[str] = set()
    # 32^7 possible codes: a clash is rare, but a clash with an existing code must never pass.
    while len(codes) < count:
        wanted = {visitor_codes.generate() for _n in range(count - len(codes))}
        taken = set(VisitorCode.objects.filter(code__in=wanted).values_list("code", flat=True))
        codes |= wanted - taken
    with transaction.atomic():
        issued = VisitorCode.objects.bulk_create(
            [
                VisitorCode(code=code, organisation=organisation, created_by=actor)
                for code in sorted(codes)
            ]
        )
        log_action(
            actor=actor,
            action="visitor_codes.issue",
            target=organisation,
            organisation=organisation,
            changes={"count": count, "codes": [code.code for code in issued]},
        )
    return issued
