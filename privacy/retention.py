"""The retention rules: residents' personal data is erased once it is no longer needed.

Each domain says which of its data is personal, how long it is kept and when a row is due
(`privacy.registry`, filled by the apps: appointments, referrals, borrowers and course
registrations, see their `personal_data.py`). For example, by default:

- An appointment's name, phone and email: `RETENTION_APPOINTMENT_DAYS` days after it started
  (whatever its status: booked, helped, cancelled, did not come).
- A referral's name, phone, email and question: `RETENTION_REFERRAL_DAYS` days after it was
  closed (helped or not reachable), and, for a referral nobody closed, twice that many days
  after it was sent. A forgotten referral must not keep someone's data forever.

The rows stay, with their site, theme, status and dates, so every count and figure stays the
same; `erased_at` says when the data went (`PersonalData.erase`, the same erasure as a person's
request in `privacy.erasure`). The run is one transaction of bulk updates (no row is
loaded into Python), writes one audit entry per kind with the number erased (by "system"; none
when nothing was erased), and is idempotent: a second run finds nothing left to erase.
`manage.py purge_personal_data` runs it daily (docs/operations.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from audit.services import log_action
from privacy.registry import PersonalData, personal_data


@dataclass(frozen=True)
class PurgeResult:
    # Per kind of personal data (`PersonalData.name`): rows erased (or, dry, due) and the period.
    erased: dict[str, int]
    days: dict[str, int]
    dry_run: bool

    def lines(self) -> list[str]:
        """What the run did, one line per kind, for the operator."""
        verb = "Would erase" if self.dry_run else "Erased"
        return [
            f"{verb} the personal data of {personal_data[name].describe(count, self.days[name])}."
            for name, count in self.erased.items()
        ]


class _Run:
    """What `log_action` needs of its target, for a run over many rows of one model."""

    pk = ""

    def __init__(self, model: type[models.Model]) -> None:
        self._meta = model._meta

    def __str__(self) -> str:
        return f"{self._meta.label_lower}: retention run"


def retention_days(entry: PersonalData, days: Mapping[str, int] | None = None) -> int:
    """The retention period of `entry` in days: from `days` (by name) or else its setting."""
    days = days or {}
    value = days[entry.name] if entry.name in days else getattr(settings, entry.setting)
    # Zero or less would erase the data of appointments still to come: a configuration mistake.
    if value < 1:
        raise ValueError(f"{entry.setting} must be at least 1 day, not {value}")
    return int(value)


def personal_data_purge(
    *,
    now: datetime | None = None,
    dry_run: bool = False,
    days: Mapping[str, int] | None = None,
) -> PurgeResult:
    """Erase the personal data that is due, or (`dry_run`) only count it.

    Each kind's period comes from `days` (by `PersonalData.name`, e.g. {"appointments": 30}) or
    else from its setting (`RETENTION_APPOINTMENT_DAYS`...). Returns how many rows of each kind
    were (or would be) erased.
    """
    now = now or timezone.now()
    periods = {entry.name: retention_days(entry, days) for entry in personal_data}
    erased: dict[str, int] = {}
    with transaction.atomic():
        for entry in personal_data:
            due = entry.due(now, periods[entry.name])
            if dry_run:
                erased[entry.name] = due.count()
                continue
            erased[entry.name] = count = entry.erase(due, now)
            if not count:
                continue  # nothing erased, nothing to record (the command still says so)
            log_action(
                actor=None,
                action="retention.erased",
                target=_Run(entry.model),  # type: ignore[arg-type]
                changes={"erased": count, "after_days": periods[entry.name]},
            )
    return PurgeResult(erased=erased, days=periods, dry_run=dry_run)
