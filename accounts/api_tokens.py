"""API tokens: a secret per tool of an organisation that lets it post contacts to the API.

A token is `dp_` followed by 43 random URL-safe characters (256 bits). Only its SHA-256 hash is
stored, with the first characters as a prefix so people can tell their tokens apart; the token
itself is shown once, when it is made. A revoked token stays (for the audit trail) but no longer
authenticates. Making and revoking a token each write an audit entry.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import ApiToken, User
from audit.services import log_action
from core.fields import max_length
from network.models import Organisation

TOKEN_PREFIX = "dp_"  # noqa: S105 (a marker, not a secret)
PREFIX_LENGTH = 8
# Writing `last_used_at` on every request would make each API call a write; once a minute
# is precise enough to see whether a tool still uses its token.
LAST_USED_PRECISION = timedelta(minutes=1)
# A real token is "dp_" + 43 characters; anything much longer is not worth hashing.
MAX_TOKEN_LENGTH = 100


def _hash(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


def api_token_create(*, actor: User, organisation: Organisation, name: str) -> tuple[ApiToken, str]:
    """Make a token for `organisation`; returns it with its plaintext (to be shown once).

    The caller has checked that `actor` may manage the organisation's tokens. `name` says
    which tool uses it (required, at most 100 characters).
    """
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Say which tool will use this token.")})
    if len(name) > max_length(ApiToken, "name"):
        raise ValidationError({"name": _("Keep the name under 100 characters.")})
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            organisation=organisation,
            name=name,
            prefix=plaintext[:PREFIX_LENGTH],
            token_hash=_hash(plaintext),
            created_by=actor,
        )
        log_action(
            actor=actor,
            action="api_token.create",
            target=token,
            organisation=organisation,
            changes={"name": name, "prefix": token.prefix},
        )
    return token, plaintext


def api_token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    """Revoke `token` for good (revoking a revoked token changes nothing and logs nothing).

    The caller has checked that `actor` may manage the tokens of the token's organisation.
    """
    with transaction.atomic():
        locked = ApiToken.objects.select_for_update().get(pk=token.pk)
        if locked.revoked_at is None:
            locked.revoked_at = timezone.now()
            locked.save(update_fields=["revoked_at"])
            log_action(
                actor=actor,
                action="api_token.revoke",
                target=locked,
                organisation=locked.organisation,
                changes={"name": locked.name, "prefix": locked.prefix},
            )
    return locked


def api_token_authenticate(plaintext: str) -> ApiToken | None:
    """The active token whose plaintext this is, or None.

    The lookup is by the hash of what was sent, so no comparison of secrets takes place (and
    none can leak timing): an attacker learns nothing from how long a wrong token takes.
    """
    if not plaintext.startswith(TOKEN_PREFIX) or len(plaintext) > MAX_TOKEN_LENGTH:
        return None
    token = (
        ApiToken.objects.select_related("organisation")
        .filter(token_hash=_hash(plaintext), revoked_at__isnull=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        # A plain update, not a service: this is bookkeeping, not a change anyone audits.
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
