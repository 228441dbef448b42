"""`POST /api/v1/contacts`: another tool of an organisation registers contacts at its sites.

Every answer the endpoint can give is here (201, 400, 401, 404, 405, 413), and a set of broken
bodies that must all be a 400, never a 500 (the test client re-raises any exception)."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from audit.models import AuditEntry
from questions.models import Contact, Question, Source
from tests.questions.api_support import CONTACTS_URL, body, post, token_for

pytestmark = pytest.mark.django_db

BRUSSELS = ZoneInfo("Europe/Brussels")


@pytest.fixture
def gent_token(cast) -> str:
    """The plaintext of a token of Stad Gent (sites Gent A and Gent B)."""
    return token_for(cast.gent, cast.org_admin)[1]


# --- 201 -------------------------------------------------------------------------------------


def test_a_contact_posted_with_a_token_is_registered_as_coming_from_the_api(cast, gent_token):
    response = post(gent_token, body(cast.gent_a, note="Printed the tax letter"))

    assert response.status_code == 201
    answer = response.json()
    [contact] = Contact.objects.all()
    assert answer == {"ids": [contact.pk], "count": 1}
    assert contact.site == cast.gent_a
    assert contact.source == Source.API
    assert contact.helper is None
    assert contact.created_by is None
    assert (contact.channel, contact.duration, contact.note) == (
        "walk_in",
        "15-30",
        "Printed the tax letter",
    )
    assert contact.day == timezone.localdate()
    [question] = Question.objects.all()
    assert (question.theme.code, question.concern.code, question.outcome) == (
        "eid-itsme",
        "itsme",
        "solved",
    )
    entry = AuditEntry.objects.get(action="contact.register")
    assert entry.actor is None
    assert entry.actor_label == "system"
    assert entry.changes["source"] == "api"


def test_every_field_of_a_registration_can_be_posted(cast, gent_token):
    occurred = timezone.now().astimezone(BRUSSELS).replace(microsecond=0)
    data = body(
        cast.gent_b,
        occurred_at=occurred.isoformat(),
        channel="phone",
        duration="gt60",
        profile={
            "age_band": "65-74",
            "gender": "woman",
            "language": "fr",
            "first_visit": True,
            "situation": "pensioner",
        },
        questions=[
            {"theme": "taxes", "concern": "myminfin", "outcome": "partly"},
            {"theme": "banking", "outcome": "referred", "referred_to": "bank"},
        ],
    )

    assert post(gent_token, data).status_code == 201

    contact = Contact.objects.get()
    assert contact.site == cast.gent_b
    assert contact.occurred_at == occurred
    assert (contact.age_band, contact.gender, contact.visitor_language) == ("65-74", "woman", "fr")
    assert contact.first_visit is True
    assert contact.situation == "pensioner"
    questions = [
        (q.theme.code, q.concern_id, q.outcome, q.referred_to) for q in Question.objects.all()
    ]
    assert questions[1] == ("banking", None, "referred", "bank")
    assert questions[0][0] == "taxes"


def test_a_group_becomes_one_contact_per_person(cast, gent_token):
    response = post(gent_token, body(cast.gent_a, people=5))

    assert response.status_code == 201
    assert response.json()["count"] == 5
    assert sorted(response.json()["ids"]) == sorted(Contact.objects.values_list("pk", flat=True))
    assert Question.objects.count() == 5


def test_a_retry_with_the_same_submission_key_counts_nothing_twice(cast, gent_token):
    key = str(uuid.uuid4())
    first = post(gent_token, body(cast.gent_a, people=3, submission=key))
    again = post(gent_token, body(cast.gent_a, people=3, submission=key))

    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json() == {**first.json(), "already_registered": True}
    assert Contact.objects.count() == 3
    assert post(gent_token, body(cast.gent_a, submission=str(uuid.uuid4()))).status_code == 201


@pytest.mark.parametrize("key", ["not-a-uuid", 42, "x" * 100])
def test_a_submission_key_that_is_not_a_uuid_is_named_in_the_answer(cast, gent_token, key):
    response = post(gent_token, body(cast.gent_a, submission=key, people="five"))

    assert response.status_code == 400
    assert "UUID" in response.json()["errors"]["submission"][0]
    assert "people" in response.json()["errors"]  # with the other problems of the body
    assert not Contact.objects.exists()


def test_the_day_is_the_brussels_day_of_the_moment_given(cast, gent_token):
    # 23:30 UTC on 31 March is already 1 April in Brussels (summer time, UTC+2).
    now = timezone.now()
    moment = datetime(now.year, 3, 31, 23, 30, tzinfo=ZoneInfo("UTC"))
    if moment > now:
        moment = moment.replace(year=now.year - 1)

    assert post(gent_token, body(cast.gent_a, occurred_at=moment.isoformat())).status_code == 201

    assert Contact.objects.get().day == moment.astimezone(BRUSSELS).date()
    assert Contact.objects.get().day.day == 1


# --- 400 -------------------------------------------------------------------------------------


def errors_of(response) -> dict[str, list[str]]:
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/json"
    return response.json()["errors"]


def test_malformed_json_is_a_400(cast, gent_token):
    assert errors_of(post(gent_token, b'{"site": ')) == {"body": ["The body is not valid JSON."]}


def test_unknown_theme_and_concern_codes_are_named_in_the_answer(cast, gent_token):
    data = body(
        cast.gent_a, questions=[{"theme": "astrology", "concern": "ufo", "outcome": "solved"}]
    )

    errors = errors_of(post(gent_token, data))

    assert errors["questions[0].theme"] == ["There is no theme with this code."]
    assert errors["questions[0].concern"] == ["There is no organisation or app with this code."]
    assert not Contact.objects.exists()


def test_the_rules_of_the_service_come_back_per_field(cast, gent_token):
    data = body(
        cast.gent_a,
        channel="carrier-pigeon",
        note="Call her back on 0470 12 34 56",
        profile={"gender": "robot"},
        questions=[{"theme": "taxes", "outcome": "referred"}],
    )

    errors = errors_of(post(gent_token, data))

    assert errors["channel"] == ["Choose one of the options."]
    assert errors["note"]
    assert "phone number" in errors["note"][0]
    assert errors["profile.gender"] == ["Choose one of the options."]
    assert errors["questions"] == ["Say to which partner you referred."]
    assert not Contact.objects.exists()


def test_a_moment_without_a_time_zone_or_in_the_future_is_refused(cast, gent_token):
    naive = errors_of(post(gent_token, body(cast.gent_a, occurred_at="2026-04-01T10:00:00")))
    future = errors_of(post(gent_token, body(cast.gent_a, occurred_at="2999-01-01T10:00:00+01:00")))

    assert naive == {"occurred_at": ["Give the time zone offset, such as +01:00."]}
    assert future == {"occurred_at": ["This moment is in the future."]}


def test_an_unknown_field_is_named_rather_than_ignored(cast, gent_token):
    errors = errors_of(post(gent_token, body(cast.gent_a, chanel="phone")))

    assert errors == {"chanel": ["This field is not known."]}


def test_a_malformed_site_id_is_a_400(cast, gent_token):
    assert errors_of(post(gent_token, body(cast.gent_a, site="gent-a"))) == {
        "site": ["This is not a valid id (a UUID)."]
    }


@pytest.mark.parametrize("data", [[], "just text", 42, None, {}, [{"site": "x"}]])
def test_a_body_that_is_not_an_object_with_a_site_is_a_400(cast, gent_token, data):
    response = post(gent_token, data)

    assert response.status_code == 400
    assert set(response.json()["errors"]) <= {"body", "site"}


def test_null_means_not_given_for_optional_fields(cast, gent_token):
    data = body(cast.gent_a, note=None, visitor_code=None, profile=None, occurred_at=None)

    assert post(gent_token, data).status_code == 201


@pytest.mark.parametrize(
    "data",
    [
        {"site": 12},
        {"site": None},
        {"site": ["nested", {"garbage": True}]},
        {"channel": {"$gt": ""}},
        {"people": 10**30},
        {"people": -1},
        {"people": True},
        {"people": 1.5},
        {"people": "3"},
        {"occurred_at": 1712000000},
        {"occurred_at": "yesterday"},
        {"occurred_at": "0001-01-01T00:00:00+01:00"},
        {"occurred_at": "9999-12-31T23:59:59+14:00"},
        {"note": "x" * 5000},
        {"note": "nul \u0000 byte"},
        {"note": "\ud800 lone surrogate"},
        {"visitor_code": "'; DROP TABLE questions_contact; --"},
        {"visitor_code": 12345678},
        {"profile": "woman"},
        {"profile": {"first_visit": "yes", "age_band": 65, "shoe_size": 44}},
        {"questions": "eid-itsme"},
        {"questions": []},
        {"questions": [None, 1, "x", []]},
        {"questions": [{"theme": None, "outcome": None}]},
        {"questions": [{"theme": ["eid-itsme"], "outcome": "solved"}]},
        {"questions": [{"theme": "eid-itsme\u0000", "outcome": "solved"}]},
        {"questions": [{"theme": "eid-itsme", "outcome": "solved"}] * 11},
        {
            "questions": [{"theme": "eid-itsme", "outcome": "solved", "referred_to": "ocmw"}] * 3
            + [{"theme": "x" * 2000, "outcome": "solved"}]
        },
    ],
)
def test_broken_bodies_are_a_400_and_never_a_500(cast, gent_token, data):
    if "site" not in data:
        data = body(cast.gent_a, **data)

    response = post(gent_token, data)

    assert response.status_code == 400, response.content
    assert response.json()["errors"]
    assert not Contact.objects.exists()


@pytest.mark.parametrize(
    "raw",
    [
        b"\xff\xfe\x00garbage",
        b"[" * 30000 + b"]" * 30000,
        b'{"people": 1' + b"0" * 5000 + b"}",
        b'{"people": 1e999}',
        b"",
    ],
)
def test_bytes_that_are_not_json_are_a_400_and_never_a_500(cast, gent_token, raw):
    response = post(gent_token, raw)

    assert response.status_code == 400
    assert response.json()["errors"]


# --- 401 -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", "Bearer dp_not-a-real-token", "Basic dXNlcjpwYXNz", "Token dp_x"],
)
def test_without_a_valid_token_the_answer_is_401_with_a_bearer_challenge(cast, authorization):
    headers = {} if authorization is None else {"authorization": authorization}

    response = post(None, body(cast.gent_a), **headers)

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "error" in response.json()
    assert not Contact.objects.exists()


def test_a_revoked_token_is_a_401(cast):
    token, plaintext = token_for(cast.gent, cast.org_admin)
    token.revoked_at = timezone.now()
    token.save()

    assert post(plaintext, body(cast.gent_a)).status_code == 401


# --- 404 -------------------------------------------------------------------------------------


def test_a_token_cannot_post_to_another_organisations_site(cast, gent_token):
    theirs = post(gent_token, body(cast.aalst))
    nowhere = post(gent_token, body(cast.aalst, site=str(uuid.uuid4())))

    assert theirs.status_code == nowhere.status_code == 404
    assert theirs.json() == nowhere.json()  # their site looks exactly like no site at all
    assert not Contact.objects.exists()


def test_the_other_organisations_token_works_at_its_own_site_only(cast, gent_token):
    _token, aalst_token = token_for(cast.aalst_org, cast.platform_admin)

    assert post(aalst_token, body(cast.aalst)).status_code == 201
    assert post(aalst_token, body(cast.gent_a)).status_code == 404
    assert Contact.objects.get().site == cast.aalst


# --- 405 and 413 -----------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
def test_other_methods_are_a_405(client, method, gent_token):
    response = getattr(client, method)(
        CONTACTS_URL, headers={"authorization": f"Bearer {gent_token}"}
    )

    assert response.status_code == 405
    assert response["Allow"] == "POST"


def test_a_body_over_64_kb_is_a_413(cast, gent_token):
    data = body(cast.gent_a, note="x" * (65 * 1024))

    response = post(gent_token, data)

    assert response.status_code == 413
    assert not Contact.objects.exists()


def test_the_api_needs_no_csrf_token_and_sets_no_cookie(cast, gent_token):
    from django.test import Client

    response = post(gent_token, body(cast.gent_a), client=Client(enforce_csrf_checks=True))

    assert response.status_code == 201
    assert not response.cookies
    assert response["Cache-Control"] == "no-store"


def test_answers_are_in_english_by_default(cast, gent_token):
    response = post(
        gent_token, json.dumps(body(cast.gent_a, channel="x")), **{"accept-language": ""}
    )

    assert errors_of(response)["channel"] == ["Choose one of the options."]


# --- the shapes the OpenAPI document states, no looser and no stricter -------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"profile": {"gender": ""}}, "profile.gender"),
        ({"profile": {"language": ""}}, "profile.language"),
        (
            {"questions": [{"theme": "taxes", "outcome": "solved", "concern": ""}]},
            "questions[0].concern",
        ),
        (
            {"questions": [{"theme": "taxes", "outcome": "solved", "referred_to": ""}]},
            "questions[0].referred_to",
        ),
        ({"occurred_at": ""}, "occurred_at"),
        ({"occurred_at": "2026-04-01 10:00:00+02:00"}, "occurred_at"),
        ({"occurred_at": "20260401T100000+0200"}, "occurred_at"),
        ({"site": "3f2c9d4e000040008000000000000000"}, "site"),
        ({"site": "{3f2c9d4e-0000-4000-8000-000000000000}"}, "site"),
        ({"submission": "urn:uuid:3f2c9d4e-0000-4000-8000-000000000000"}, "submission"),
    ],
)
def test_a_value_outside_the_documented_schema_is_a_400(cast, gent_token, changes, field):
    """An empty string is not "left out" (null is), and ids and moments have one textual form:
    what the document says is invalid, the endpoint refuses (schemathesis checks both ways)."""
    errors = errors_of(post(gent_token, body(cast.gent_a, **changes)))

    assert field in errors
    assert not Contact.objects.exists()


def _on_1_april(clock: str) -> str:
    """`clock` on the last 1 April (the endpoint refuses moments more than a year ago)."""
    now = timezone.now()
    year = now.year if (now.month, now.day) > (4, 1) else now.year - 1
    return f"{year}-04-01{clock}"


@pytest.mark.parametrize(
    "changes",
    [
        {"people": 2.0},
        {"occurred_at": _on_1_april("T10:00:00Z")},
        {"occurred_at": _on_1_april("t10:00:00.5+02:00")},
        {"profile": {"gender": None, "age_band": None, "first_visit": None}},
        {"questions": [{"theme": "taxes", "outcome": "solved", "concern": None}]},
    ],
)
def test_a_value_the_documented_schema_allows_is_accepted(cast, gent_token, changes):
    response = post(gent_token, body(cast.gent_a, **changes))

    assert response.status_code == 201, response.content


def test_a_site_id_in_capitals_is_the_same_id(cast, gent_token):
    response = post(gent_token, body(cast.gent_a, site=str(cast.gent_a.uuid).upper()))

    assert response.status_code == 201


def test_the_document_requires_referred_to_exactly_when_the_outcome_is_referred(client):
    from jsonschema import Draft202012Validator

    document = client.get("/api/openapi.json").json()
    question = Draft202012Validator(document["components"]["schemas"]["QuestionRegistration"])

    assert not question.is_valid({"theme": "taxes", "outcome": "referred"})
    assert not question.is_valid({"theme": "taxes", "outcome": "referred", "referred_to": None})
    assert question.is_valid({"theme": "taxes", "outcome": "referred", "referred_to": "bank"})
    assert question.is_valid({"theme": "taxes", "outcome": "solved"})
    assert not question.is_valid({"theme": "", "outcome": "solved"})
