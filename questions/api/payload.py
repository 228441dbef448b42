"""Reading the JSON body of `POST /api/v1/contacts` into a `ContactInput`.

This module only checks shapes and types and turns theme and concern codes into rows; every
rule about contacts (choices, dates, the note, visitor codes, how many people) stays in
`questions.services.contact_register`, the same for the form and the API. Problems are
collected per field (`questions[0].theme`, `profile.gender`, ...) and raised together as one
`PayloadError`, so a tool sees everything that is wrong at once.

The shapes are the ones the OpenAPI document states (`questions.api.openapi`), no looser and no
stricter: an optional field is left out or null (never ""), an id is a UUID in its textual form,
a moment is an RFC 3339 date-time, `people` a whole number (2.0 is one, as in JSON Schema).
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

from core.openapi import is_uuid
from network.models import Theme
from questions.models import Concern
from questions.services import MAX_QUESTIONS, ContactInput, QuestionInput

CONTACT_FIELDS = frozenset(
    {
        "site",
        "occurred_at",
        "channel",
        "duration",
        "people",
        "note",
        "visitor_code",
        "profile",
        "questions",
        "submission",
    }
)
PROFILE_FIELDS = frozenset({"age_band", "gender", "language", "first_visit", "situation"})
QUESTION_FIELDS = frozenset({"theme", "concern", "outcome", "referred_to"})
# No field of a contact needs more; a longer string is refused before it reaches a query.
MAX_STRING = 1000
# RFC 3339 (what JSON Schema's `date-time` format means), with the offset left optional here
# so that a time without one gets its own message.
_MOMENT = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?"
    r"(?P<offset>[Zz]|[+-][0-9]{2}:[0-9]{2})?"
)


class PayloadError(ValueError):
    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors


def decode(body: bytes) -> dict[str, Any]:
    """The JSON object in `body`; PayloadError when it is not one."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):  # bad JSON or encoding, absurd numbers or nesting
        raise PayloadError({"body": [_("The body is not valid JSON.")]}) from None
    if not isinstance(data, dict):
        raise PayloadError({"body": [_("The body must be a JSON object.")]})
    return data


class _Reader:
    """Collects the problems of one body while reading its fields."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def fail(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    def unknown(self, data: dict[str, Any], allowed: frozenset[str], prefix: str = "") -> None:
        for key in sorted(set(data) - allowed, key=str):
            self.fail(f"{prefix}{key}", _("This field is not known."))

    def string(
        self,
        data: dict[str, Any],
        key: str,
        name: str,
        *,
        required: bool = False,
        if_empty: str | None = None,
    ) -> str:
        """The text at `key` ("" when left out or null). `if_empty` is the message for a value
        that is "" although the field, when given, needs one (a code, a choice, a moment)."""
        value = data.get(key)
        if value is None:
            if required:
                self.fail(name, _("This field is required."))
            return ""
        if not isinstance(value, str):
            self.fail(name, _("Give a text (a JSON string)."))
            return ""
        if len(value) > MAX_STRING or "\x00" in value or not _encodable(value):
            self.fail(name, _("This text is too long or holds characters that are not allowed."))
            return ""
        if required and not value.strip():
            self.fail(name, _("This field is required."))
        elif if_empty is not None and value == "":
            self.fail(name, if_empty)
        return value

    def choice(self, data: dict[str, Any], key: str, name: str) -> str:
        """An optional choice: left out, null or one of the options (the service checks which)."""
        return self.string(data, key, name, if_empty=_("Choose one of the options."))


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates ("\ud800") that JSON allows and UTF-8 not
        return False
    return True


def site_uuid(data: dict[str, Any]) -> uuid.UUID:
    """The `site` of the body as a UUID; PayloadError when it is missing or malformed."""
    value = data.get("site")
    if not isinstance(value, str) or not value:
        raise PayloadError({"site": [_("Give the id (a UUID) of the Digipunt.")]})
    if not is_uuid(value):
        raise PayloadError({"site": [_("This is not a valid id (a UUID).")]})
    return uuid.UUID(value)


def _moment(reader: _Reader, data: dict[str, Any]) -> datetime | None:
    value = data.get("occurred_at")
    if value is None:
        return None
    text = reader.string(data, "occurred_at", "occurred_at")
    if text != value:  # not a string, or not one we take: the reader said so
        return None
    found = _MOMENT.fullmatch(text)
    try:
        if found is None:
            raise ValueError(text)
        moment = datetime.fromisoformat(text.upper().replace("Z", "+00:00"))
    except ValueError:
        reader.fail(
            "occurred_at",
            _("Give a date and time in ISO 8601, such as %(example)s.")
            % {"example": "2026-11-26T14:30:00+01:00"},
        )
        return None
    if found["offset"] is None:
        reader.fail("occurred_at", _("Give the time zone offset, such as +01:00."))
        return None
    return moment


def _people(reader: _Reader, data: dict[str, Any]) -> int:
    value = data.get("people")
    if value is None:
        return 1
    # 2.0 is a whole number in JSON (and JSON Schema), though Python reads it as a float.
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    # JSON true is a Python bool, which is an int: refuse it like any other non-number.
    if isinstance(value, bool) or not isinstance(value, int):
        reader.fail("people", _("Give a whole number."))
        return 1
    return value


def _profile(reader: _Reader, data: dict[str, Any]) -> dict[str, Any]:
    value = data.get("profile")
    if value is None:
        return {}
    if not isinstance(value, dict):
        reader.fail("profile", _("Give an object (or leave it out)."))
        return {}
    reader.unknown(value, PROFILE_FIELDS, "profile.")
    first_visit = value.get("first_visit")
    if first_visit is not None and not isinstance(first_visit, bool):
        reader.fail("profile.first_visit", _("Give true, false or null."))
        first_visit = None
    return {
        "age_band": reader.choice(value, "age_band", "profile.age_band"),
        "gender": reader.choice(value, "gender", "profile.gender"),
        "visitor_language": reader.choice(value, "language", "profile.language"),
        "first_visit": first_visit,
        "situation": reader.choice(value, "situation", "profile.situation"),
    }


def _questions(reader: _Reader, data: dict[str, Any]) -> list[QuestionInput]:
    """The questions, with their theme and concern codes turned into rows (two queries)."""
    value = data.get("questions")
    if not isinstance(value, list) or not value:
        reader.fail("questions", _("Give a list of one or more questions."))
        return []
    if len(value) > MAX_QUESTIONS:
        reader.fail(
            "questions", _("At most %(count)d questions per contact.") % {"count": MAX_QUESTIONS}
        )
        return []
    raw: list[dict[str, str]] = []
    for index, item in enumerate(value):
        name = f"questions[{index}]"
        if not isinstance(item, dict):
            reader.fail(name, _("Give an object with a theme and an outcome."))
            continue
        reader.unknown(item, QUESTION_FIELDS, f"{name}.")
        raw.append(
            {
                "name": name,
                "theme": reader.string(item, "theme", f"{name}.theme", required=True),
                "concern": reader.string(
                    item,
                    "concern",
                    f"{name}.concern",
                    if_empty=_("There is no organisation or app with this code."),
                ),
                "outcome": reader.string(item, "outcome", f"{name}.outcome", required=True),
                "referred_to": reader.choice(item, "referred_to", f"{name}.referred_to"),
            }
        )
    themes = {t.code: t for t in Theme.objects.filter(code__in={q["theme"] for q in raw})}
    concern_codes = {q["concern"] for q in raw if q["concern"]}
    concerns = {c.code: c for c in Concern.objects.filter(code__in=concern_codes)}
    questions = []
    for q in raw:
        theme = themes.get(q["theme"])
        if theme is None and q["theme"]:
            reader.fail(f"{q['name']}.theme", _("There is no theme with this code."))
        concern = concerns.get(q["concern"]) if q["concern"] else None
        if q["concern"] and concern is None:
            reader.fail(
                f"{q['name']}.concern", _("There is no organisation or app with this code.")
            )
        if theme is not None:
            questions.append(QuestionInput(theme, q["outcome"], concern, q["referred_to"]))
    return questions


def submission(data: dict[str, Any]) -> uuid.UUID | None:
    """The key the tool gave this registration (`submission`, a UUID), or None when it gave
    none; PayloadError when it is not a UUID. Posting the same key again registers nothing."""
    value = data.get("submission")
    if value is None:
        return None
    if isinstance(value, str) and is_uuid(value):
        return uuid.UUID(value)
    message = _("Give a UUID, such as 3f2b6c1e-8d4a-4b7e-9c1a-2e5f7a9b0c3d.")
    raise PayloadError({"submission": [message]})


def contact_input(data: dict[str, Any]) -> ContactInput:
    """The registration a body asks for; PayloadError with every problem of shape or type."""
    reader = _Reader()
    reader.unknown(data, CONTACT_FIELDS)
    occurred_at = _moment(reader, data)
    channel = reader.string(data, "channel", "channel", required=True)
    duration = reader.string(data, "duration", "duration", required=True)
    people = _people(reader, data)
    note = reader.string(data, "note", "note")
    visitor_code = reader.string(data, "visitor_code", "visitor_code")
    profile = _profile(reader, data)
    questions = _questions(reader, data)
    try:
        submission(data)
    except PayloadError as error:
        reader.errors.update(error.errors)
    if reader.errors:
        raise PayloadError(reader.errors)
    return ContactInput(
        channel=channel,
        duration=duration,
        questions=questions,
        occurred_at=occurred_at,
        note=note,
        people=people,
        visitor_code=visitor_code,
        **profile,
    )
