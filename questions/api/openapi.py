"""The OpenAPI 3.1 description of `POST /api/v1/contacts`: this API's part of the one document
served at /api/openapi.json (`workspace.openapi` assembles it).

Choices are enumerated from the models' `TextChoices`, so the document never lists a value the
endpoint refuses. The schemas say exactly what the endpoint reads (`questions.api.payload`): an
optional field is left out or null, and every shape, length and choice is stated. What JSON
Schema cannot state is described in words, and is a 400 naming the field: a theme or concern
code that is not in the (editable) lists, a moment outside the last year, personal data in the
note, a visitor code that is not valid or not known here, or given with `people` above 1.
"""

from __future__ import annotations

from typing import Any

from core.fields import max_length
from core.openapi import ApiPart
from network.models import LANGUAGE_NAMES, Theme
from questions.api.payload import MAX_STRING
from questions.api.views import MAX_BODY
from questions.models import (
    AgeBand,
    Channel,
    Concern,
    Contact,
    Duration,
    Gender,
    Outcome,
    PartnerKind,
    Situation,
)
from questions.services import MAX_PEOPLE, MAX_QUESTIONS

JSON = "application/json"
PATH = "/api/v1/contacts"
SECURITY_SCHEME = "bearerToken"

DESCRIPTION = f"""\
Register a contact (one person helped once) with its questions at one Digipunt of your
organisation, from another tool such as an agenda or a booking system.

Authenticate with a token of your organisation (made by an organisation admin on the staff page
"API tokens"): `Authorization: Bearer dp_...`. `site` is the id (UUID) of one of your
organisation's Digipunten, as in the open data (`/api/hsds/locations`). `people` above 1
registers a group: one contact per person, each with the same questions. A contact holds no
personal data: the note is refused when it contains a national register number, a phone number
or an email address.

The body is at most {MAX_BODY // 1024} KB. Messages are in English unless `Accept-Language` asks
for Dutch (`nl`) or French (`fr`).
"""


# Text without NUL (which no field may hold).
NO_NUL = r"^[^\x00]*$"
CODE = r"^[-a-zA-Z0-9_]+$"


def _enum(choices: type, description: str) -> dict[str, Any]:
    return {"type": "string", "enum": list(choices.values), "description": description}


def _optional(schema: dict[str, Any]) -> dict[str, Any]:
    """An optional field: left out or null means "not given"."""
    types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    optional = {**schema, "type": [*types, "null"]}
    if "enum" in schema:
        optional["enum"] = [*schema["enum"], None]
    return optional


def _code(model: type, description: str) -> dict[str, Any]:
    return {
        "type": "string",
        "pattern": CODE,
        "maxLength": max_length(model, "code"),
        "description": description,
    }


def _question() -> dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["theme", "outcome"],
        "properties": {
            "theme": _code(
                Theme,
                "Code of a theme (a term of the taxonomy digipunt-themes, listed at "
                "/api/hsds/taxonomy_terms), such as `eid-itsme` or `taxes`; another code is a 400.",
            ),
            "concern": _optional(
                _code(
                    Concern,
                    "Code of the organisation or app the question was about, such as `itsme`, "
                    "`ebox`, `myminfin`, `bank-app`, `vdab` or `other` (one that is in the list; "
                    "another code is a 400). Leave it out when not known.",
                )
            ),
            "outcome": _enum(Outcome, "How the question ended."),
            "referred_to": _optional(
                _enum(
                    PartnerKind,
                    "The kind of partner the question was referred to: required when "
                    "`outcome` is `referred`, left out otherwise.",
                )
            ),
        },
        "if": {"required": ["outcome"], "properties": {"outcome": {"const": Outcome.REFERRED}}},
        "then": {"required": ["referred_to"], "properties": {"referred_to": {"type": "string"}}},
    }


def _profile() -> dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": False,
        "description": "The optional anonymous visitor profile: every field may be left out.",
        "properties": {
            "age_band": _optional(_enum(AgeBand, "Age band.")),
            "gender": _optional(_enum(Gender, "Gender.")),
            "language": _optional(
                {
                    "type": "string",
                    "enum": list(LANGUAGE_NAMES),
                    "description": "Language of the visitor (ISO 639 code).",
                }
            ),
            "first_visit": {
                "type": ["boolean", "null"],
                "description": "Whether this was the visitor's first visit to this Digipunt.",
            },
            "situation": _optional(_enum(Situation, "The visitor's situation.")),
        },
    }


def schemas() -> dict[str, Any]:
    """The request and response schemas, for `components.schemas`."""
    return {
        "ContactRegistration": {
            "type": "object",
            "additionalProperties": False,
            "required": ["site", "channel", "duration", "questions"],
            "properties": {
                "site": {
                    "type": "string",
                    "format": "uuid",
                    "description": "Id of a Digipunt of the token's organisation.",
                },
                "occurred_at": {
                    "type": ["string", "null"],
                    "format": "date-time",
                    "description": "When the help took place (RFC 3339: ISO 8601 with a time "
                    "zone offset); now when left out. Not in the future, at most a year ago "
                    "(another moment is a 400).",
                },
                "channel": _enum(Channel, "How the person was helped."),
                "duration": _enum(Duration, "How long the help took (a band)."),
                "people": {
                    "type": ["integer", "null"],
                    "minimum": 1,
                    "maximum": MAX_PEOPLE,
                    "default": 1,
                    "description": "How many people with the same questions (a group).",
                },
                "note": {
                    "type": ["string", "null"],
                    "maxLength": max_length(Contact, "note"),
                    "pattern": NO_NUL,
                    "description": "A short note without personal data (a national register "
                    "number, a phone number or an email address in it is a 400).",
                },
                "visitor_code": {
                    "type": ["string", "null"],
                    "maxLength": MAX_STRING,
                    "pattern": NO_NUL,
                    "description": "The code on the visitor's card (8 characters, case, spaces "
                    "and dashes do not matter); only with `people` 1. A code that is not valid, "
                    "or not known at the organisation's Digipunten, is a 400.",
                },
                "submission": {
                    "type": ["string", "null"],
                    "format": "uuid",
                    "description": "A key your tool makes for this registration, so that it can "
                    "send it again safely (after a time-out, say): a second request with the same "
                    "key registers nothing and answers 200 with the ids of the first.",
                },
                "profile": {
                    "anyOf": [{"$ref": "#/components/schemas/VisitorProfile"}, {"type": "null"}]
                },
                "questions": {
                    "type": "array",
                    "minItems": 1,
                    "maxItems": MAX_QUESTIONS,
                    "items": {"$ref": "#/components/schemas/QuestionRegistration"},
                },
            },
        },
        "VisitorProfile": _profile(),
        "QuestionRegistration": _question(),
        "ContactsCreated": {
            "type": "object",
            "additionalProperties": False,
            "required": ["ids", "count"],
            "properties": {
                "ids": {
                    "type": "array",
                    "items": {"type": "integer"},
                    "description": "The ids of the new contacts (one per person).",
                },
                "count": {"type": "integer", "minimum": 1},
                "already_registered": {
                    "type": "boolean",
                    "description": "Present (true) when this `submission` was registered "
                    "before: nothing new was counted.",
                },
            },
        },
        "ValidationErrors": {
            "type": "object",
            "required": ["errors"],
            "properties": {
                "errors": {
                    "type": "object",
                    "description": "Messages per field, such as `channel`, `profile.gender`, "
                    "`questions[0].theme`, or `body` for the body as a whole.",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                }
            },
        },
    }


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {JSON: {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def paths() -> dict[str, Any]:
    """The path item of the contacts endpoint, for `paths`."""
    unauthorised = _error("The token is missing, unknown or revoked.")
    unauthorised["headers"] = {
        "WWW-Authenticate": {"schema": {"type": "string"}, "description": "`Bearer`"}
    }
    return {
        PATH: {
            "post": {
                "operationId": "registerContacts",
                "summary": "Register a contact (or a group) with its questions at a Digipunt.",
                "description": DESCRIPTION,
                "security": [{SECURITY_SCHEME: []}],
                "requestBody": {
                    "required": True,
                    "content": {
                        JSON: {"schema": {"$ref": "#/components/schemas/ContactRegistration"}}
                    },
                },
                "responses": {
                    "201": {
                        "description": "Registered.",
                        "content": {
                            JSON: {"schema": {"$ref": "#/components/schemas/ContactsCreated"}}
                        },
                    },
                    "200": {
                        "description": "Registered before with this `submission`; nothing new "
                        "was counted.",
                        "content": {
                            JSON: {"schema": {"$ref": "#/components/schemas/ContactsCreated"}}
                        },
                    },
                    "400": {
                        "description": "The body is not valid JSON, or a field is wrong.",
                        "content": {
                            JSON: {"schema": {"$ref": "#/components/schemas/ValidationErrors"}}
                        },
                    },
                    "401": unauthorised,
                    "404": _error(
                        "The token's organisation has no Digipunt with this id (whether or not "
                        "another organisation has)."
                    ),
                    "405": _error("Only POST is allowed."),
                    "413": _error(f"The body is larger than {MAX_BODY // 1024} KB."),
                },
            }
        }
    }


def part() -> ApiPart:
    """The contacts API's part of the API's one document."""
    return ApiPart(paths=paths(), schemas=schemas(), security_schemes=security_schemes())


def security_schemes() -> dict[str, Any]:
    return {
        SECURITY_SCHEME: {
            "type": "http",
            "scheme": "bearer",
            "description": "An API token of your organisation (starts with `dp_`).",
        }
    }
