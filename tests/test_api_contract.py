"""The API keeps the contract its OpenAPI document states: schemathesis 4, with every check, runs
each operation of the served /api/openapi.json against the application in-process.

For every operation, schemathesis sends the examples, the coverage cases (each boundary of each
parameter, each undeclared method, each missing required part) and 25 generated requests, valid
and invalid, and checks each answer: no server error, a status and content type the document
lists, a body that matches its schema, valid input accepted, invalid input refused, 405 with
`Allow` for a method the path does not have, no success without credentials. The run is
derandomized (a fixed seed, no example database), so CI sees the same requests every time.

The data is real: published sites with themes and opening hours, and an organisation with an API
token, so that the ids in paths and the site of a contact are, half the time, ones that exist
(the other half are drawn), and `POST /api/v1/contacts` is sent with a valid token. Their ids
are fixed here because the schema, and so the requests, are made when pytest collects the tests.

A few rules cannot be written in JSON Schema, so the document states them in words: a radius
needs a point (`proximity_radius` without `proximity`), and a contact's theme and concern codes
must be in the editable lists, its moment within the last year, its note free of personal data,
its visitor code known. A request that follows the schema may be refused for those, with a 400
that names the rule, and for nothing else (`only_rules_stated_in_words`).

The WSGI application answers in the test's own thread, so it reads and writes inside the test's
transaction, on SQLite and PostgreSQL alike (as Django's test client does).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings
from schemathesis.checks import CHECKS
from schemathesis.config import SchemathesisConfig

from digipunt.wsgi import application
from network.api import hsds
from network.hours_document import closure, period
from network.themes import THEMES
from questions.concerns import CONCERNS
from tests import factories

EXAMPLES_PER_OPERATION = 25
SEED = 20261126
# The API token of the organisation below (`api_token_create` makes it, with this secret).
TOKEN_SECRET = "contract-test-0123456789abcdefghijklmnopqrstuv"
TOKEN = f"dp_{TOKEN_SECRET}"

ORGANISATION = uuid.UUID("0b5a3c1e-7d2f-4e8a-9c6b-1a2b3c4d5e6f")
OTHER_ORGANISATION = uuid.UUID("1c6b4d2f-8e3a-4f9b-8d7c-2b3c4d5e6f70")
SITES = [
    uuid.UUID("2d7c5e3a-9f4b-4a1c-8e8d-3c4d5e6f7081"),  # offers everything, has a closure
    uuid.UUID("3e8d6f4b-a05c-4b2d-9f9e-4d5e6f708192"),
    uuid.UUID("4f9e7a5c-b16d-4c3e-a0af-5e6f708192a3"),  # of the other organisation
]


# Answers to a request that follows the schema: schemathesis' default list, and 400 for the
# rules stated in words (which `only_rules_stated_in_words` checks).
RULES_ACCEPTED = ["2xx", "3xx", "400", "401", "403", "404", "409", "429", "5xx"]
# The rules of a contact stated in words, as the 400 names them: field, and the start of the
# message (in English: the requests send no Accept-Language).
CONTACT_RULES = [
    (r"questions\[[0-9]+\]\.theme", "There is no theme with this code."),
    (r"questions\[[0-9]+\]\.concern", "There is no organisation or app with this code."),
    (r"occurred_at", "This moment is in the future."),
    (r"occurred_at", "This is more than a year ago."),
    (r"note", "This seems to contain "),  # personal data
    (r"visitor_code", "This is not a valid visitor code."),
    (r"visitor_code", "This visitor code is not known here."),
    (r"visitor_code", "A visitor code belongs to one person"),
]


def _stated_in_words(field: str, message: str) -> bool:
    return any(
        re.fullmatch(pattern, field) and message.startswith(start)
        for pattern, start in CONTACT_RULES
    )


@schemathesis.check
def only_rules_stated_in_words(ctx, response, case) -> bool | None:
    """A request that follows the schema is refused only for a rule the document states in
    words (see the module's doc)."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or response.status_code != 400:
        return None
    body = response.json()
    if case.operation.path == "/api/hsds/service_at_locations":
        assert body == {"error": "proximity_radius needs proximity=latitude,longitude"}, body
        assert "proximity" not in (case.query or {}), case.query
        return None
    assert case.operation.path == "/api/v1/contacts", (case.operation.path, body)
    for field, messages in body["errors"].items():
        for message in messages:
            assert _stated_in_words(field, message), (field, message)
    return None


def _config() -> SchemathesisConfig:
    """Every check, derandomized, with real ids half the time and the token for the contacts."""
    full = SITES[0]
    dictionaries: dict[str, list[str]] = {
        "services": [str(hsds.service_id(full, pillar)) for pillar in hsds.PILLARS],
        "service_at_locations": [
            str(hsds.service_at_location_id(full, pillar)) for pillar in hsds.PILLARS
        ],
        "organizations": [str(ORGANISATION), str(OTHER_ORGANISATION)],
        "locations": [str(site) for site in SITES],
        "taxonomies": [str(hsds.THEMES_TAXONOMY_ID)],
        "taxonomy_terms": [str(hsds.theme_term_id(code)) for code in ("eid-itsme", "taxes")],
    }
    operations: list[dict[str, Any]] = [
        {
            "include-path": f"/api/hsds/{name}/{{id}}",
            "parameters": {"path.id": {"dictionary": name, "probability": 0.5}},
        }
        for name in dictionaries
    ]
    # A contact at one of the token's sites, about themes and concerns in the lists, in the
    # last year, half the time: those requests get as far as being registered.
    now = timezone.now().replace(microsecond=0)
    dictionaries["own_sites"] = [str(site) for site in SITES[:2]]
    dictionaries["themes"] = [code for code, *_names in THEMES]
    dictionaries["concerns"] = [code for code, *_names in CONCERNS]
    dictionaries["moments"] = [(now - timedelta(hours=h)).isoformat() for h in (1, 30, 2000)]
    operations.append(
        {
            "include-path": "/api/v1/contacts",
            "parameters": {
                "body.site": {"dictionary": "own_sites", "probability": 0.5},
                "body.questions[*].theme": {"dictionary": "themes", "probability": 0.8},
                "body.questions[*].concern": {"dictionary": "concerns", "probability": 0.8},
                "body.occurred_at": {"dictionary": "moments", "probability": 0.5},
            },
            "checks": {"positive_data_acceptance": {"expected-statuses": RULES_ACCEPTED}},
        }
    )
    operations.append(
        {
            "include-path": "/api/hsds/service_at_locations",
            "checks": {"positive_data_acceptance": {"expected-statuses": RULES_ACCEPTED}},
        }
    )
    return SchemathesisConfig.from_dict(
        {
            "seed": SEED,
            "generation": {
                "max-examples": EXAMPLES_PER_OPERATION,
                "deterministic": True,
                "database": "none",
            },
            "phases": {
                "examples": {"enabled": True},
                "coverage": {"enabled": True},
                "fuzzing": {"enabled": True},
            },
            "checks": {"enabled": True},
            # Werkzeug's test client, unlike an HTTP client, does not undo a gzip encoding.
            "headers": {"Accept-Encoding": "identity"},
            "auth": {"openapi": {"bearerToken": {"bearer": TOKEN}}},
            "dictionaries": {name: {"values": values} for name, values in dictionaries.items()},
            "operations": operations,
        }
    )


@pytest.fixture
def served(territory, db, monkeypatch, request) -> Iterator[None]:
    """The data the requests may name, and the application answering in this thread.

    Django closes the database connection after a request made outside autocommit (as inside a
    test's transaction): the test client stops that, and so do we, for the test's duration.
    After the contacts' run, some contacts were registered: the token and the ids worked.
    """
    from accounts.api_tokens import api_token_create
    from accounts.models import User
    from questions.models import Contact

    own = factories.organisation(name="Stad Gent", uuid=ORGANISATION)
    other = factories.organisation(name="Bibliotheek Aalst", uuid=OTHER_ORGANISATION)
    factories.site(
        uuid=SITES[0],
        name="Digipunt Alles",
        organisation=own,
        themes=("eid-itsme", "phishing", "taxes"),
        offers_access=True,
        offers_lending=True,
        offers_learning=True,
        has_wifi=True,
        languages=",nl,fr,vgt,",
        phone="09 123 45 67",
        email="digipunt@gent.example",
        website="https://gent.example/digipunt",
        opening_hours={
            "periods": [
                period(0, "09:00", "12:00"),
                period(2, "13:00", "17:00", recurrence="monthly", nth=1),
                period(4, "18:00", "20:00", recurrence="monthly", nth=-1),
            ],
            "exceptions": [closure(timezone.localdate() + timedelta(days=30), reason="Verlof")],
        },
    )
    factories.site(uuid=SITES[1], name="Digipunt Gent B", organisation=own)
    factories.site(
        uuid=SITES[2],
        name="Digipunt Aalst",
        organisation=other,
        municipality="41002",
        postal_code="9300",
        latitude=50.9378,
        longitude=4.0403,
        themes=("taxes",),
    )
    admin = User.objects.create_user(email="contract@example.org", password="x" * 20)
    with monkeypatch.context() as patched:
        patched.setattr("accounts.api_tokens.secrets.token_urlsafe", lambda _n: TOKEN_SECRET)
        api_token_create(actor=admin, organisation=own, name="Contract test")

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    if "POST /api/v1/contacts" in request.node.name:
        assert Contact.objects.filter(site__uuid__in=SITES).exists()


schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application, config=_config())


@schema.parametrize()
# One set of data for all the requests of an operation, on purpose (they only add contacts); no
# deadline: CI machines are slower or busier than a developer's, and time is no contract here.
@settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    deadline=None,
)
def test_every_operation_keeps_the_contract_of_the_openapi_document(case, served):
    case.call_and_validate(checks=CHECKS.get_all())
