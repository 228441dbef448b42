"""Throttling failed sign-ins per account and address, per address, and per account.

A failure is one row in `FailedLogin` (a wrong password, an unknown address, a wrong code).
Signing in is paused, without looking at the password, once within `LOGIN_FAILURE_WINDOW_SECONDS`
there were

- `LOGIN_FAILURES_ALLOWED` failures for this account *from this address* (guessing one person's
  password from one place);
- `LOGIN_FAILURES_ALLOWED_PER_ADDRESS` failures from this address (guessing many accounts);
- `LOGIN_FAILURES_ALLOWED_PER_ACCOUNT` failures for this account from every address (guessing
  from many places) — except in a browser where the account's owner signed in before (a
  "known browser", `accounts.auth.known_browsers`).

So a stranger who knows a staff member's email address can pause sign-in for that address only
from their own connection, and a spread-out attack cannot lock the owner out of their own
browser. A password reset clears the account's failures.

`attempt_begin` checks the pause and records the attempt as failed in one transaction, under a
lock per account and per address (`throttling.services.counters_lock`), before the slow password
check; a success deletes the row again. So fifteen wrong passwords sent at the same moment are
checked at most as often as the limit allows. Refused attempts are not recorded, so the pause
has a fixed end that we can tell the person, and retrying during the pause does not lengthen it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import FailedLogin
from throttling.services import counters_lock

# Rows older than this are of no use to any window; they are deleted on each sign-in attempt.
KEEP_FAILURES = timedelta(days=1)


def _window() -> timedelta:
    return timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)


def _paused_until(times: list[datetime], allowed: int) -> datetime | None:
    """When the oldest failures have left the window so that fewer than `allowed` remain."""
    if len(times) < allowed:
        return None
    times = sorted(times)
    return times[len(times) - allowed] + _window()


def login_paused_until(
    *,
    email: str,
    ip_address: str | None,
    known_browser: bool = False,
    now: datetime | None = None,
) -> datetime | None:
    """The moment signing in is possible again for this account here; None if it is now."""
    now = now or timezone.now()
    recent = FailedLogin.objects.filter(created_at__gt=now - _window())
    email = email.lower()

    def times(**lookup: object) -> list[datetime]:
        return list(recent.filter(**lookup).values_list("created_at", flat=True))

    if ip_address:
        here, address = times(email=email, ip_address=ip_address), times(ip_address=ip_address)
        ends = [
            _paused_until(here, settings.LOGIN_FAILURES_ALLOWED),
            _paused_until(address, settings.LOGIN_FAILURES_ALLOWED_PER_ADDRESS),
        ]
        if not known_browser:
            ends.append(
                _paused_until(times(email=email), settings.LOGIN_FAILURES_ALLOWED_PER_ACCOUNT)
            )
    else:
        # No address to tell people apart (should not happen behind a correct proxy setup).
        ends = [_paused_until(times(email=email), settings.LOGIN_FAILURES_ALLOWED)]
    return max((end for end in ends if end is not None), default=None)


def attempt_begin(
    *, email: str, ip_address: str | None, known_browser: bool = False
) -> tuple[datetime | None, FailedLogin | None]:
    """Either the end of a pause (nothing recorded), or this attempt recorded as failed until it
    succeeds (the caller deletes the row then). Checked and recorded as one step."""
    email = email.lower()[:254]
    with transaction.atomic():
        counters_lock([f"login-account:{email}", f"login-address:{ip_address or ''}"])
        failed_logins_purge()
        paused_until = login_paused_until(
            email=email, ip_address=ip_address, known_browser=known_browser
        )
        if paused_until is not None:
            return paused_until, None
        return None, FailedLogin.objects.create(email=email, ip_address=ip_address or None)


def failed_logins_clear(*, email: str) -> None:
    """Forget an account's failures once its owner got all the way in, or reset the password."""
    FailedLogin.objects.filter(email=email.lower()).delete()


def failed_logins_purge(*, now: datetime | None = None) -> None:
    """Delete rows older than a day (one indexed DELETE, cheap enough for every attempt)."""
    now = now or timezone.now()
    FailedLogin.objects.filter(created_at__lt=now - KEEP_FAILURES).delete()
