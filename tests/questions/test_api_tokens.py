"""API tokens: an organisation admin makes one (shown once), sees the list and revokes one;
only a hash is stored; a revoked token no longer opens the API."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.api_tokens import api_token_authenticate, api_token_revoke
from accounts.models import ApiToken
from audit.models import AuditEntry
from tests.cast import sign_in, text, url
from tests.questions.api_support import body, post, token_for

pytestmark = pytest.mark.django_db

SHOWN_ONCE = "Copy it now and keep it somewhere safe: it will not be shown again."


def list_url(organisation) -> str:
    return url("accounts:api-tokens", organisation_id=organisation.pk)


def revoke_url(token) -> str:
    return url(
        "accounts:api-token-revoke", organisation_id=token.organisation_id, token_id=token.pk
    )


def shown_token(html: str) -> str | None:
    found = re.search(r'id="new-token" class="token-value" value="([^"]+)"', html)
    return found[1] if found else None


def test_an_organisation_admin_makes_a_token_and_sees_it_once(cast):
    client = sign_in(Client(), cast.org_admin)

    response = client.post(list_url(cast.gent), {"name": "Agenda of the library"})

    html = text(response)
    assert response.status_code == 200
    plaintext = shown_token(html)
    assert plaintext
    assert re.fullmatch(r"dp_[A-Za-z0-9_-]{43}", plaintext)
    assert SHOWN_ONCE in html
    token = ApiToken.objects.get(organisation=cast.gent)
    assert token.name == "Agenda of the library"
    assert token.prefix == plaintext[:8]
    assert token.token_hash == hashlib.sha256(plaintext.encode()).hexdigest()
    assert token.created_by == cast.org_admin
    # The list shows it by its name and first characters, and never the whole token again.
    again = text(client.get(list_url(cast.gent)))
    assert "Agenda of the library" in again
    assert f"{token.prefix}…" in again
    assert plaintext not in again
    assert SHOWN_ONCE not in again


def test_making_a_token_is_in_the_audit_trail_without_the_secret(cast):
    client = sign_in(Client(), cast.org_admin)
    plaintext = shown_token(text(client.post(list_url(cast.gent), {"name": "Agenda"})))

    entry = AuditEntry.objects.get(action="api_token.create")
    assert entry.actor == cast.org_admin
    assert entry.organisation == cast.gent
    assert entry.changes["name"] == "Agenda"
    assert plaintext not in str(entry.changes)


def test_a_token_needs_a_name(cast):
    response = sign_in(Client(), cast.org_admin).post(list_url(cast.gent), {"name": "   "})

    html = text(response)
    assert response.status_code == 200
    assert "no token was made" in html
    assert "This field is required." in html
    assert shown_token(html) is None
    assert not ApiToken.objects.exists()


def test_a_too_long_name_is_refused_and_kept(cast):
    name = "x" * 101
    response = sign_in(Client(), cast.org_admin).post(list_url(cast.gent), {"name": name})

    assert f'value="{name}"' in text(response)
    assert not ApiToken.objects.exists()


def test_revoking_a_token_stops_it_working_and_is_audited(cast):
    token, plaintext = token_for(cast.gent, cast.org_admin)
    assert post(plaintext, body(cast.gent_a)).status_code == 201
    client = sign_in(Client(), cast.org_admin)

    response = client.post(revoke_url(token))

    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert "is revoked" in text(client.get(response.url))
    assert AuditEntry.objects.filter(action="api_token.revoke", actor=cast.org_admin).count() == 1
    assert post(plaintext, body(cast.gent_a)).status_code == 401
    assert api_token_authenticate(plaintext) is None


def test_revoking_twice_changes_nothing_the_second_time(cast):
    token, _plaintext = token_for(cast.gent, cast.org_admin)
    first = api_token_revoke(actor=cast.org_admin, token=token).revoked_at

    again = api_token_revoke(actor=cast.org_admin, token=token)

    assert again.revoked_at == first
    assert AuditEntry.objects.filter(action="api_token.revoke").count() == 1


def test_a_token_of_another_organisation_cannot_be_revoked_through_ones_own(cast):
    theirs, plaintext = token_for(cast.aalst_org, cast.platform_admin)
    client = sign_in(Client(), cast.org_admin)

    forged = url("accounts:api-token-revoke", organisation_id=cast.gent.pk, token_id=theirs.pk)
    assert client.post(forged).status_code == 404
    assert client.post(revoke_url(theirs)).status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    assert api_token_authenticate(plaintext) == theirs


def test_the_list_shows_only_the_organisations_own_tokens(cast):
    token_for(cast.gent, cast.org_admin, name="Gent agenda")
    token_for(cast.aalst_org, cast.platform_admin, name="Aalst agenda")

    html = text(sign_in(Client(), cast.org_admin).get(list_url(cast.gent)))

    assert "Gent agenda" in html
    assert "Aalst agenda" not in html


def test_revoking_needs_a_post(cast):
    token, _plaintext = token_for(cast.gent, cast.org_admin)

    assert sign_in(Client(), cast.org_admin).get(revoke_url(token)).status_code == 405


@pytest.mark.parametrize("role", ["volunteer", "coordinator", "referrer", "analyst"])
def test_only_organisation_admins_manage_tokens(cast, role):
    response = sign_in(Client(), cast.by_role()[role]).get(list_url(cast.gent))

    assert response.status_code == 404


# --- authentication ------------------------------------------------------------------------


def test_only_the_exact_token_authenticates(cast):
    token, plaintext = token_for(cast.gent, cast.org_admin)

    assert api_token_authenticate(plaintext) == token
    assert api_token_authenticate(plaintext[:-1]) is None
    assert api_token_authenticate(plaintext + "x") is None
    assert api_token_authenticate(token.token_hash) is None
    assert api_token_authenticate("") is None


def test_last_use_is_written_at_most_once_a_minute(cast):
    token, plaintext = token_for(cast.gent, cast.org_admin)

    api_token_authenticate(plaintext)
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    api_token_authenticate(plaintext)
    token.refresh_from_db()
    assert token.last_used_at == first  # a second later: not written again
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(minutes=2))
    api_token_authenticate(plaintext)
    token.refresh_from_db()
    assert token.last_used_at > first - timedelta(seconds=1)
    assert timezone.now() - token.last_used_at < timedelta(minutes=1)
