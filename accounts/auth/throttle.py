"""Throttling failed sign-ins per account and per address.

A failure is one row in `FailedLogin` (a wrong password, an unknown address, a wrong code). Once
an account (the email address as typed, lowercased) or an IP address has
`LOGIN_FAILURES_ALLOWED` failures within `LOGIN_FAILURE_WINDOW_SECONDS`, every further attempt is
refused without looking at the password, until enough of those failures have left the window.
Refused attempts are not recorded themselves, so the pause has a fixed end that we can tell the
person, and retrying during the pause does not lengthen it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from accounts.models import FailedLogin

# Rows older than this are of no use to any window; they are deleted on each sign-in attempt.
KEEP_FAILURES = timedelta(days=1)


def _window() -> timedelta:
    return timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)


def _allowed_per_address() -> int:
    # Several volunteers at one Digipunt may share one public address. A separate, higher limit
    # per address can be set without a code change; by default it is the same as per account.
    return int(getattr(settings, "LOGIN_FAILURES_ALLOWED_PER_ADDRESS", 0)) or (
        settings.LOGIN_FAILURES_ALLOWED
    )


def _paused_until(times: list[datetime], allowed: int) -> datetime | None:
    """When the oldest failures have left the window so that fewer than `allowed` remain."""
    if len(times) < allowed:
        return None
    times = sorted(times)
    return times[len(times) - allowed] + _window()


def login_paused_until(
    *, email: str, ip_address: str | None, now: datetime | None = None
) -> datetime | None:
    """The moment signing in is possible again for this account or address; None if it is now."""
    now = now or timezone.now()
    recent = FailedLogin.objects.filter(created_at__gt=now - _window())
    ends = [
        _paused_until(
            list(recent.filter(email=email.lower()).values_list("created_at", flat=True)),
            settings.LOGIN_FAILURES_ALLOWED,
        )
    ]
    if ip_address:
        ends.append(
            _paused_until(
                list(recent.filter(ip_address=ip_address).values_list("created_at", flat=True)),
                _allowed_per_address(),
            )
        )
    return max((end for end in ends if end is not None), default=None)


def failed_login_record(*, email: str, ip_address: str | None) -> FailedLogin:
    """Note one failed attempt (also for addresses that have no account).

    The sign-in steps record an attempt *before* the slow check and delete the row again when
    it succeeds, so that a burst of guesses sent at the same moment is counted as well.
    """
    return FailedLogin.objects.create(email=email.lower()[:254], ip_address=ip_address or None)


def failed_logins_clear(*, email: str) -> None:
    """Forget an account's failures once its owner got all the way in."""
    FailedLogin.objects.filter(email=email.lower()).delete()


def failed_logins_purge(*, now: datetime | None = None) -> None:
    """Delete rows older than a day (one indexed DELETE, cheap enough for every attempt)."""
    now = now or timezone.now()
    FailedLogin.objects.filter(created_at__lt=now - KEEP_FAILURES).delete()
