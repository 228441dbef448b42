"""Which rollups a change touches: every save or deletion of a fact marks its site (or
organisation) and day as pending, and the person whose first visit or loan may have moved.

Single saves and deletions arrive through Django's model signals (a deleted contact takes its
questions with it: each sends its own signal). Bulk writes arrive through `core.facts`. A change
of a row's site or day marks the old day too: `pre_save` reads what the row said before.
The marks are written in the transaction of the change, so they exist exactly when it does.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from django.db import models
from django.db.models.signals import post_delete, post_save, pre_save
from django.utils import timezone

from core.facts import facts_written
from insights.models import FirstSeen, Pending, PendingPerson
from learning.models import HelpCardCount, Registration, Session
from lending.models import Loan
from questions.models import Contact, Question

Mark = tuple[str, int, date]  # (Pending.Kind, owner id, day)
PersonMark = tuple[str, int]  # (FirstSeen.Kind, person id)

SITE = Pending.Kind.SITE
ORGANISATION = Pending.Kind.ORGANISATION


def _local_day(moment: Any) -> date:
    return timezone.localdate(moment)


def _contact(row: Contact) -> Iterator[Mark | PersonMark]:
    yield (SITE, row.site_id, row.day)
    if row.visitor_id:
        yield (FirstSeen.Kind.VISITOR, row.visitor_id)


def _question(row: Question) -> Iterator[Mark | PersonMark]:
    yield (SITE, row.site_id, row.day)


def _loan(row: Loan) -> Iterator[Mark | PersonMark]:
    yield (SITE, row.site_id, _local_day(row.checked_out_at))
    yield (FirstSeen.Kind.BORROWER, row.borrower_id)


def _session(row: Session) -> Iterator[Mark | PersonMark]:
    if row.site_id:
        yield (SITE, row.site_id, _local_day(row.starts_at))
    else:
        yield (ORGANISATION, row.course.organisation_id, _local_day(row.starts_at))


def _registration(row: Registration) -> Iterator[Mark | PersonMark]:
    yield from _session(row.session)


def _help_card_count(row: HelpCardCount) -> Iterator[Mark | PersonMark]:
    yield (ORGANISATION, row.card.organisation_id, row.day)


MARKS: dict[type[models.Model], Any] = {
    Contact: _contact,
    Question: _question,
    Loan: _loan,
    Session: _session,
    Registration: _registration,
    HelpCardCount: _help_card_count,
}


def mark(rows: Iterable[models.Model]) -> None:
    """Write the pending marks of `rows` (ignoring marks already waiting)."""
    days: set[Mark] = set()
    people: set[PersonMark] = set()
    for row in rows:
        for item in MARKS[type(row)](row):
            if len(item) == 3:
                days.add(item)
            else:
                people.add(item)
    # A mark already waiting is updated, not skipped: the update locks it until this change
    # commits, so a job that is about to take it waits for the change (skipping it would let
    # the job count the day before the change is there, and then forget it).
    if days:
        Pending.objects.bulk_create(
            [Pending(kind=kind, owner=owner, day=day) for kind, owner, day in days],
            update_conflicts=True,
            unique_fields=["kind", "owner", "day"],
            update_fields=["day"],
        )
    if people:
        PendingPerson.objects.bulk_create(
            [PendingPerson(kind=kind, person=person) for kind, person in people],
            update_conflicts=True,
            unique_fields=["kind", "person"],
            update_fields=["person"],
        )


def _before(
    sender: type[models.Model], instance: models.Model, raw: bool = False, **_: Any
) -> None:
    # A row that moves (another day, site, visitor or session) leaves its old place pending too.
    if raw or instance.pk is None or instance._state.adding:
        return
    old = sender._default_manager.filter(pk=instance.pk).first()
    if old is not None:
        mark([old])


def _after(sender: type[models.Model], instance: models.Model, raw: bool = False, **_: Any) -> None:
    if not raw:
        mark([instance])


def _written(sender: type[models.Model], rows: list[models.Model], **_: Any) -> None:
    mark(rows)


# The fields whose change moves a row to another site, day or person: a save that changes none of
# them (a contact's note, a registration's reminder) needs no look at the row before.
MOVING_FIELDS = {
    Contact: {"site", "day", "visitor"},
    Loan: {"site", "checked_out_at", "borrower"},
    Session: {"site", "starts_at", "course"},
    Registration: {"session"},
}


def _before_if_moving(
    sender: type[models.Model], instance: models.Model, update_fields: Any = None, **kwargs: Any
) -> None:
    if update_fields is not None and not (set(update_fields) & MOVING_FIELDS[sender]):
        return
    _before(sender, instance, **kwargs)


def connect() -> None:
    for model in MARKS:
        post_save.connect(_after, sender=model, dispatch_uid=f"insights-after-{model.__name__}")
        post_delete.connect(_after, sender=model, dispatch_uid=f"insights-gone-{model.__name__}")
        if model in MOVING_FIELDS:
            pre_save.connect(
                _before_if_moving, sender=model, dispatch_uid=f"insights-before-{model.__name__}"
            )
        facts_written.connect(
            _written, sender=model, dispatch_uid=f"insights-bulk-{model.__name__}"
        )
