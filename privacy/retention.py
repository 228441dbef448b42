"""The retention rules: residents' personal data is erased once it is no longer needed.

- An appointment's name, phone and email: `RETENTION_APPOINTMENT_DAYS` days after it started
  (whatever its status: booked, helped, cancelled, did not come).
- A referral's name, phone, email and question: `RETENTION_REFERRAL_DAYS` days after it was
  closed (helped or not reachable), and, for a referral nobody closed, twice that many days
  after it was sent. A forgotten referral must not keep someone's data forever.

The rows stay, with their site, theme, status and dates, so every count and figure stays the
same; `erased_at` says when the data went. The run is one transaction of bulk updates (no row is
loaded into Python), writes one audit entry per kind with the number erased (by "system"; none
when nothing was erased), and is idempotent: a second run finds nothing left to erase.
`manage.py purge_personal_data` runs it daily (docs/operations.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from appointments.models import Appointment
from audit.services import log_action
from referrals.models import Referral

APPOINTMENT_FIELDS = ("name", "phone", "email")
REFERRAL_FIELDS = ("name", "phone", "email", "question")
# An open referral keeps its data this many times the referral retention period.
OPEN_REFERRAL_FACTOR = 2


@dataclass(frozen=True)
class PurgeResult:
    appointments: int
    referrals: int
    appointment_days: int
    referral_days: int
    dry_run: bool


def appointments_due(now: datetime, days: int) -> QuerySet[Appointment]:
    """Appointments whose personal data is due for erasure at `now` (not erased yet)."""
    return Appointment.objects.filter(
        erased_at__isnull=True, starts_at__lt=now - timedelta(days=days)
    )


def referrals_due(now: datetime, days: int) -> QuerySet[Referral]:
    """Referrals closed more than `days` ago, or open and sent more than twice that long ago."""
    closed_before = now - timedelta(days=days)
    sent_before = now - timedelta(days=days * OPEN_REFERRAL_FACTOR)
    return Referral.objects.filter(erased_at__isnull=True).filter(
        Q(closed_at__lt=closed_before) | Q(closed_at__isnull=True, created_at__lt=sent_before)
    )


class _Run:
    """What `log_action` needs of its target, for a run over many rows of one model."""

    pk = ""

    def __init__(self, model: type[models.Model]) -> None:
        self._meta = model._meta

    def __str__(self) -> str:
        return f"{self._meta.label_lower}: retention run"


def _check_days(name: str, days: int) -> None:
    # Zero or less would erase the data of appointments still to come: a configuration mistake.
    if days < 1:
        raise ValueError(f"{name} must be at least 1 day, not {days}")


def personal_data_purge(
    *,
    now: datetime | None = None,
    dry_run: bool = False,
    appointment_days: int | None = None,
    referral_days: int | None = None,
) -> PurgeResult:
    """Erase the personal data that is due, or (`dry_run`) only count it.

    The periods default to the settings `RETENTION_APPOINTMENT_DAYS` and
    `RETENTION_REFERRAL_DAYS`. Returns how many appointments and referrals were (or would be)
    erased.
    """
    now = now or timezone.now()
    if appointment_days is None:
        appointment_days = settings.RETENTION_APPOINTMENT_DAYS
    if referral_days is None:
        referral_days = settings.RETENTION_REFERRAL_DAYS
    _check_days("RETENTION_APPOINTMENT_DAYS", appointment_days)
    _check_days("RETENTION_REFERRAL_DAYS", referral_days)
    with transaction.atomic():
        appointments = appointments_due(now, appointment_days)
        referrals = referrals_due(now, referral_days)
        if dry_run:
            counts = appointments.count(), referrals.count()
        else:
            blank: dict[str, Any] = {"erased_at": now}
            counts = (
                appointments.update(**blank, **dict.fromkeys(APPOINTMENT_FIELDS, "")),
                referrals.update(**blank, **dict.fromkeys(REFERRAL_FIELDS, "")),
            )
            for model, count, days in (
                (Appointment, counts[0], appointment_days),
                (Referral, counts[1], referral_days),
            ):
                if not count:
                    continue  # nothing erased, nothing to record (the command still says so)
                log_action(
                    actor=None,
                    action="retention.erased",
                    target=_Run(model),  # type: ignore[arg-type]
                    changes={"erased": count, "after_days": days},
                )
    return PurgeResult(
        appointments=counts[0],
        referrals=counts[1],
        appointment_days=appointment_days,
        referral_days=referral_days,
        dry_run=dry_run,
    )
