"""Helpers for the API and API token tests: tokens, bodies and requests to /api/v1/contacts."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from accounts.api_tokens import api_token_create
from accounts.models import ApiToken, User
from network.models import Organisation, Site

CONTACTS_URL = "/api/v1/contacts"


def token_for(
    organisation: Organisation, actor: User, name: str = "Agenda"
) -> tuple[ApiToken, str]:
    return api_token_create(actor=actor, organisation=organisation, name=name)


def body(at: Site, **changes: Any) -> dict[str, Any]:
    """A valid registration at the site `at`: one walk-in about itsme, solved; `changes` on top."""
    data: dict[str, Any] = {
        "site": str(at.uuid),
        "channel": "walk_in",
        "duration": "15-30",
        "questions": [{"theme": "eid-itsme", "concern": "itsme", "outcome": "solved"}],
    }
    data.update(changes)
    return data


def post(plaintext: str | None, data: Any, client: Client | None = None, **headers: str):
    """POST `data` (JSON-encoded unless bytes or str) with the token as a bearer."""
    client = client or Client()
    if plaintext is not None:
        headers.setdefault("authorization", f"Bearer {plaintext}")
    raw = data if isinstance(data, (bytes, str)) else json.dumps(data)
    return client.post(CONTACTS_URL, raw, content_type="application/json", headers=headers)


def matrix_token(cast: Any, *, other_org: bool = False) -> dict[str, object]:
    """URL kwargs of a fresh token for tests/test_role_url_matrix.py: one of Stad Gent, or one
    of the other organisation (Bibliotheek Aalst)."""
    organisation = cast.aalst_org if other_org else cast.gent
    token, _plaintext = token_for(organisation, cast.platform_admin)
    return {"organisation_id": organisation.pk, "token_id": token.pk}
