"""Rate limits, counted in the database so that every application process shares them.

A rule allows so many attempts per window (`Rule`); what it counts is an address, a phone number
or an email address. `attempt_take` counts one attempt against several rules at once, atomically:
the check and the count happen in one transaction under a lock per counter (an advisory lock on
PostgreSQL; on SQLite every write transaction is already alone, `BEGIN IMMEDIATE`), so a burst
of requests sent at the same moment is counted exactly, not checked before any of them is
recorded. When one rule is full nothing is counted, and the answer says when it frees up.

Counters hold a keyed hash of what they count (HMAC with the secret key), never the address or
the phone number itself; rows older than the longest window are deleted as we go.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from throttling.models import Hit

# No rule looks further back than a day; older rows are deleted on each attempt.
KEEP = timedelta(days=1)


@dataclass(frozen=True)
class Rule:
    """At most `allowed` attempts within `seconds`, per value counted."""

    name: str
    allowed: int
    seconds: int

    @property
    def window(self) -> timedelta:
        return timedelta(seconds=self.seconds)


def rule(name: str) -> Rule:
    """The rule called `name` in settings.RATE_LIMITS ("attempts/seconds", e.g. "4/600")."""
    allowed, seconds = settings.RATE_LIMITS[name].split("/")
    seconds_kept = int(KEEP.total_seconds())
    return Rule(name=name, allowed=int(allowed), seconds=min(int(seconds), seconds_kept))


def bucket(rule: Rule, value: str) -> str:
    """The counter of `value` under `rule`: a keyed hash, so no personal data is stored."""
    message = f"{rule.name}\0{value.strip().lower()}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def counters_lock(keys: Iterable[str]) -> None:
    """Inside a transaction: hold these counters until it ends, so that checking a limit and
    counting an attempt are one step for every process. Sorted, so two requests never deadlock.

    On PostgreSQL an advisory lock per key; on SQLite nothing more is needed, as a write
    transaction there is alone from its start (`BEGIN IMMEDIATE`, digipunt/settings.py).
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for key in sorted(set(keys)):
            digest = hashlib.sha256(key.encode()).digest()
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s)", [int.from_bytes(digest[:8], "big", signed=True)]
            )


def attempt_take(
    checks: Iterable[tuple[Rule, str | None]], *, now: datetime | None = None
) -> datetime | None:
    """Count one attempt against each rule for its value (empty values are skipped).

    Returns None when every rule had room (the attempt is counted under each), or the moment
    the fullest rule has room again (nothing is counted).
    """
    now = now or timezone.now()
    pairs = [(limit, bucket(limit, value)) for limit, value in checks if value]
    if not pairs:
        return None
    with transaction.atomic():
        counters_lock(key for _limit, key in pairs)
        Hit.objects.filter(created_at__lt=now - KEEP).delete()
        free_at: datetime | None = None
        for limit, key in pairs:
            recent = list(
                Hit.objects.filter(bucket=key, created_at__gt=now - limit.window)
                .order_by("-created_at")
                .values_list("created_at", flat=True)[: limit.allowed]
            )
            if len(recent) >= limit.allowed:
                # Room again when the oldest of the last `allowed` attempts leaves the window.
                moment = recent[-1] + limit.window
                free_at = moment if free_at is None else max(free_at, moment)
        if free_at is not None:
            return free_at
        Hit.objects.bulk_create([Hit(bucket=key, created_at=now) for _limit, key in pairs])
    return None


def attempts_forget(checks: Iterable[tuple[Rule, str | None]]) -> None:
    """Forget the counted attempts of these values (an account's owner proved who they are)."""
    keys = [bucket(limit, value) for limit, value in checks if value]
    Hit.objects.filter(bucket__in=keys).delete()
