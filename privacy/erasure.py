"""Erasing one person's personal data at their request (GDPR art. 17).

The staff find the person's records (`privacy.export.personal_data_of`, within the organisations
they answer for), check them with the person and erase the ones chosen. The erasure is the
retention run's (`PersonalData.erase`): the personal fields are blanked and `erased_at` set, the
rows stay with their site, dates and status, so appointments, referrals, loans and course
registrations are still counted and every figure stays the same.

A row whose data is still needed is kept (`PersonalData.still_needed`: a device on loan, an
appointment still to come): the page says why, and what to do first. One transaction; the rows
are locked and read again, so a loan started a moment ago keeps its borrower. One audit entry per
record erased, naming it by kind and number, never by name.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from audit.services import log_action
from network.models import Organisation
from privacy.export import Record, holder
from privacy.registry import personal_data


@dataclass(frozen=True)
class Erasure:
    erased: list[Record]  # erased now
    kept: list[Record]  # still needed: not erased
    already: list[Record]  # erased before (by the retention run or an earlier request)


def personal_data_erase(
    *,
    actor: Any,
    records: Sequence[Record],
    within: QuerySet[Organisation],
    now: datetime | None = None,
) -> Erasure:
    """Erase the personal data of `records` (found within `within` and chosen by the staff),
    except where it is still needed. Returns what was erased, kept and erased before."""
    now = now or timezone.now()
    mine = set(within.values_list("pk", flat=True))
    erased: list[Record] = []
    kept: list[Record] = []
    already: list[Record] = []
    with transaction.atomic():
        for entry in personal_data:
            mine_of_kind = {record.pk: record for record in records if record.kind == entry.name}
            if not mine_of_kind:
                continue
            manager = entry.model._default_manager
            # Locked and read again: what the page showed may have changed since.
            pending = set(
                manager.select_for_update()
                .filter(pk__in=mine_of_kind, erased_at__isnull=True)
                .values_list("pk", flat=True)
            )
            rows = manager.filter(pk__in=pending)
            needed = (
                set(entry.still_needed(rows).values_list("pk", flat=True))
                if entry.still_needed
                else set()
            )
            entry.erase(manager.filter(pk__in=pending - needed), now)
            for pk, record in sorted(mine_of_kind.items()):
                if pk not in pending:
                    already.append(record)
                elif pk in needed:
                    kept.append(record)
                else:
                    erased.append(record)
                    log_action(
                        actor=actor,
                        action="privacy.erased",
                        target=entry.model(pk=pk),
                        changes={"erased": list(entry.fields)},
                        organisation=holder(record, mine),
                        label=record.label,
                    )
    return Erasure(erased=erased, kept=kept, already=already)
