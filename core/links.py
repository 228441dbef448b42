"""The secret of a private link (a resident's appointment, a borrower's loan): random, shown once,
stored only as its SHA-256."""

from __future__ import annotations

import hashlib
import secrets


def new_token() -> str:
    """A fresh secret for a manage link (32 URL-safe characters)."""
    return secrets.token_urlsafe(24)


def token_hash(token: str) -> str:
    """The SHA-256 (hex) of a manage-link secret: only this is stored."""
    return hashlib.sha256(token.encode()).hexdigest()
