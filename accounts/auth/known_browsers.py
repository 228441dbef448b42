"""Browsers in which a person signed in before, remembered by a signed cookie.

A browser that completed a sign-in of an account is "known" to that account for
`LOGIN_KNOWN_BROWSER_DAYS`: failures of that account from other addresses do not pause it
(`accounts.auth.throttle`), so nobody can lock a staff member out of their own tablet by
guessing from elsewhere. The cookie holds keyed hashes of the accounts (at most ten: a shared
tablet at a Digipunt), signed so it cannot be made up; it names nobody.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse

COOKIE = "digipunt_known_browser"
SALT = "accounts.known-browser"
MAX_ACCOUNTS = 10


def _account_key(email: str) -> str:
    message = f"known-browser\0{email.strip().lower()}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()[:32]


def _keys(request: HttpRequest) -> list[str]:
    max_age = settings.LOGIN_KNOWN_BROWSER_DAYS * 24 * 60 * 60
    try:
        keys = signing.loads(request.COOKIES.get(COOKIE, ""), salt=SALT, max_age=max_age)
    except signing.BadSignature:
        return []
    return [key for key in keys if isinstance(key, str)] if isinstance(keys, list) else []


def is_known(request: HttpRequest, email: str) -> bool:
    return _account_key(email) in _keys(request)


def remember(request: HttpRequest, response: HttpResponse, email: str) -> HttpResponse:
    """Mark this browser as known to the account (the most recent first)."""
    key = _account_key(email)
    keys = [key, *(other for other in _keys(request) if other != key)][:MAX_ACCOUNTS]
    response.set_cookie(
        COOKIE,
        signing.dumps(keys, salt=SALT),
        max_age=settings.LOGIN_KNOWN_BROWSER_DAYS * 24 * 60 * 60,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response
