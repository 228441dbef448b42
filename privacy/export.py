"""Everything the platform keeps about one resident, for a request to see one's data (GDPR art. 15)
and to erase it (art. 17, `privacy.erasure`).

It looks through every domain's registered personal data (`privacy.registry`) by phone number,
email address or name, so that a new domain's data is in the answer as soon as it is registered;
and only at the rows held by the organisations the asking admin answers for (`within`): another
organisation's rows are not there. A row found by its name alone may be a namesake's: it says so
(`Record.matched_by`), and the staff check it with the person before it goes into an export.

Each `Record` carries every stored field of its row (the secrets of `PersonalData.hidden` left
out), the things the person recognises it by (the Digipunt, the course), the rows that belong to it
(a borrower's loans), and its retention date: when the retention run would erase it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from audit.services import log_action
from network.models import Organisation
from privacy.registry import PersonalData, personal_data
from privacy.retention import retention_days


@dataclass(frozen=True)
class Related:
    """Rows of another model that belong to a record (a borrower's loans)."""

    name: str  # the reverse relation ("loans")
    label: str  # as people read it ("loans")
    rows: list[dict[str, Any]]


@dataclass(frozen=True)
class Record:
    """One row of personal data of one person, with everything stored in it."""

    kind: str  # `PersonalData.name`: the domain's kind of data ("appointments")
    pk: int
    values: dict[str, Any]  # every stored field by its attribute name (`site_id`), hidden ones out
    context: dict[str, Any]  # what the person recognises it by, by lookup ("site__name")
    organisations: list[tuple[int, str]]  # (id, name) of the organisations that hold it
    matched_by: frozenset[str]  # "phone", "email", "name"
    kept_until: datetime | None  # when the retention run erases it; None while still needed
    still_needed: bool  # not erased at a request (a device still on loan)
    related: list[Related] = field(default_factory=list)

    @property
    def key(self) -> str:
        """How a form names it: "appointments:12"."""
        return f"{self.kind}:{self.pk}"

    @property
    def entry(self) -> PersonalData:
        return personal_data[self.kind]

    @property
    def erased_at(self) -> datetime | None:
        value = self.values.get("erased_at")
        return value if isinstance(value, datetime) else None

    @property
    def by_name_only(self) -> bool:
        return self.matched_by == {"name"}

    @property
    def label(self) -> str:
        """A record as the audit trail names it: its kind and number, never a name."""
        return f"{self.entry.model._meta.verbose_name} #{self.pk}"[:200]


def _stored_fields(
    model: type[models.Model], hidden: Iterable[str]
) -> list[models.Field[Any, Any]]:
    return [
        stored
        for stored in model._meta.concrete_fields
        if stored.name not in hidden and stored.attname not in hidden
    ]


def _scope(entry: PersonalData, within: QuerySet[Organisation]) -> Q:
    """Rows held by one of the organisations `within` (none if the entry names no holder)."""
    scope = Q(pk__in=[])
    for path in entry.held_by:
        scope |= Q(**{f"{path}__in": within})
    return scope


def _match(entry: PersonalData, phone: str, email: str, name: str) -> Q | None:
    match = Q()
    if phone and "phone" in entry.contact_fields:
        match |= Q(phone=phone)
    if email and "email" in entry.contact_fields:
        match |= Q(email__iexact=email)
    if name and entry.name_field:
        match |= Q(**{f"{entry.name_field}__iexact": name})
    return match or None


def _matched_by(
    entry: PersonalData, values: dict[str, Any], phone: str, email: str, name: str
) -> frozenset[str]:
    found = set()
    if phone and "phone" in entry.contact_fields and values.get("phone") == phone:
        found.add("phone")
    if (
        email
        and "email" in entry.contact_fields
        and values.get("email", "").lower() == email.lower()
    ):
        found.add("email")
    if name and entry.name_field and str(values.get(entry.name_field, "")).lower() == name.lower():
        found.add("name")
    return frozenset(found)


def _related(entry: PersonalData, pks: list[int]) -> dict[int, list[Related]]:
    """Per row, the rows of `entry.related` that belong to it: one query per relation."""
    found: dict[int, list[Related]] = {pk: [] for pk in pks}
    for name in entry.related:
        relation = entry.model._meta.get_field(name)
        model = relation.related_model
        assert isinstance(model, type)
        assert issubclass(model, models.Model)
        link = relation.field.attname  # type: ignore[union-attr]
        columns = [stored.attname for stored in _stored_fields(model, entry.hidden)]
        rows: dict[int, list[dict[str, Any]]] = {pk: [] for pk in pks}
        for row in (
            model._default_manager.filter(**{f"{link}__in": pks}).order_by("pk").values(*columns)
        ):
            rows[row[link]].append(row)
        label = str(model._meta.verbose_name_plural)
        for pk in pks:
            found[pk].append(Related(name=name, label=label, rows=rows[pk]))
    return found


def _records(
    entry: PersonalData, rows: QuerySet[Any], phone: str, email: str, name: str
) -> list[Record]:
    columns = [stored.attname for stored in _stored_fields(entry.model, entry.hidden)]
    lookups = [lookup for lookup, _label in entry.context]
    found = list(rows.order_by("pk").values(*columns, *lookups, *entry.held_by))
    if not found:
        return []
    pks = [row[entry.model._meta.pk.attname] for row in found]
    again = entry.model._default_manager.filter(pk__in=pks)
    days = retention_days(entry)
    until = entry.kept_until(again, days) if entry.kept_until else {}
    needed = (
        set(entry.still_needed(again).values_list("pk", flat=True)) if entry.still_needed else set()
    )
    related = _related(entry, pks)
    holders = dict(
        Organisation.objects.filter(
            pk__in=[row[path] for row in found for path in entry.held_by if row[path]]
        ).values_list("pk", "name")
    )
    records = []
    for pk, row in zip(pks, found, strict=True):
        values = {column: row[column] for column in columns}
        erased = values.get("erased_at") is not None
        records.append(
            Record(
                kind=entry.name,
                pk=pk,
                values=values,
                context={lookup: row[lookup] for lookup in lookups},
                organisations=sorted(
                    {(row[path], holders[row[path]]) for path in entry.held_by if row[path]},
                    key=lambda pair: pair[1],
                ),
                matched_by=_matched_by(entry, values, phone, email, name),
                kept_until=None if erased else until.get(pk),
                still_needed=not erased and pk in needed,
                related=related[pk],
            )
        )
    return records


def personal_data_of(
    *,
    within: QuerySet[Organisation],
    phone: str = "",
    email: str = "",
    name: str = "",
) -> list[Record]:
    """Every row of personal data held by the organisations `within` whose phone number (as
    stored: E.164), email address (any case) or name (any case) is the one given, kind by kind
    in the registry's order, oldest first. Empty values find nothing."""
    phone, email, name = phone.strip(), email.strip(), " ".join(name.split())
    records: list[Record] = []
    for entry in personal_data:
        match = _match(entry, phone, email, name)
        if match is None:
            continue
        rows = entry.model._default_manager.filter(match).filter(_scope(entry, within))
        records += _records(entry, rows, phone, email, name)
    return records


def chosen(records: Sequence[Record], keys: Iterable[str]) -> list[Record]:
    """The records whose keys were chosen on the form (a key that was not found is ignored)."""
    wanted = set(keys)
    return [record for record in records if record.key in wanted]


def export_document(records: Sequence[Record], *, now: datetime | None = None) -> dict[str, Any]:
    """The records as one JSON-ready document: per record its domain, every stored field, which
    of them are personal data, the organisations that hold it, its retention period and date."""
    now = now or timezone.now()
    items = []
    for record in records:
        entry = record.entry
        items.append(
            {
                "domain": record.kind,
                "label": entry.label,
                "id": record.pk,
                "held_by": [name for _pk, name in record.organisations],
                "fields": record.values,
                "personal_fields": list(entry.fields),
                "about": record.context,
                "related": {item.name: item.rows for item in record.related},
                "retention": {
                    "setting": entry.setting,
                    "days": retention_days(entry),
                    "erased_on": record.kept_until,
                    "still_needed": record.still_needed,
                },
                "erased_at": record.erased_at,
            }
        )
    return {"exported_at": now, "records": items}


def export_logged(
    *, actor: Any, records: Sequence[Record], within: QuerySet[Organisation], how: str
) -> None:
    """One audit entry per record handed over (`how`: "json" or "page"), in the trail of the
    organisation that holds it; the entry names the record by kind and number, never a name."""
    mine = set(within.values_list("pk", flat=True))
    with transaction.atomic():
        for record in records:
            log_action(
                actor=actor,
                action="privacy.exported",
                target=record.entry.model(pk=record.pk),
                changes={"format": how},
                organisation=holder(record, mine),
                label=record.label,
            )


def holder(record: Record, mine: set[int]) -> Organisation | None:
    """The organisation whose trail records the request: the first holder the admin answers for."""
    for pk, _name in record.organisations:
        if pk in mine:
            return Organisation(pk=pk)
    return None


@dataclass(frozen=True)
class Line:
    """One stored value as a person reads it: its field's name and the value in words."""

    label: str
    value: Any


def _shown(stored: models.Field[Any, Any], value: Any) -> Any:
    """A value as a person reads it: a choice in words, a list as a line, nothing as None."""
    if value is None or value == "" or value == []:
        return None
    if stored.choices:
        return dict(stored.flatchoices).get(value, value)
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return value


def readable(model: type[models.Model], values: dict[str, Any]) -> list[Line]:
    """The stored values of a row as lines for people: by the field's name, choices in words,
    links to other rows left out (a record shows what they point to in its context)."""
    lines = []
    for stored in model._meta.concrete_fields:
        if stored.attname not in values or stored.is_relation or stored.primary_key:
            continue
        lines.append(
            Line(
                label=str(stored.verbose_name),
                value=_shown(stored, values[stored.attname]),
            )
        )
    return lines


@dataclass(frozen=True)
class Printed:
    """One record on the readable page, in words."""

    record: Record
    label: str
    context: list[tuple[str, Any]]
    lines: list[Line]
    related: list[tuple[str, list[list[Line]]]]  # (what, rows), e.g. the loans
    retention: str  # how long it is kept, in words


def printable(records: Sequence[Record]) -> list[Printed]:
    """The records as the readable page shows them, in the active language."""
    printed = []
    for record in records:
        entry = record.entry
        related = []
        for item in record.related:
            model = entry.model._meta.get_field(item.name).related_model
            assert isinstance(model, type)
            assert issubclass(model, models.Model)
            related.append((item.label, [readable(model, row) for row in item.rows]))
        processing = entry.processing
        printed.append(
            Printed(
                record=record,
                label=entry.label,
                context=[(str(label), record.context[lookup]) for lookup, label in entry.context],
                lines=readable(entry.model, record.values),
                related=related,
                retention=processing.retention(retention_days(entry)) if processing else "",
            )
        )
    return printed
