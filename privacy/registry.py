"""The one list of residents' personal data, kept by each domain app about itself.

`privacy` erases and finds personal data without knowing the domains: a domain app that stores a
resident's name, phone, email or free text describes it once in a `PersonalData` entry (in
`<app>/personal_data.py`) and registers it from its `AppConfig.ready()`. The retention run
(`privacy.retention`) erases what each entry says is due; `privacy.export` finds a person's rows
for a request to see their data, and `privacy.erasure` erases them at their request, with the same
`PersonalData.erase`. The entry's `Processing` says why the data is kept, on what legal basis and
who sees it: the register of processing, the retention page and the public privacy notice are
made from it (`privacy.register`). A new domain adds its entries; nothing in `privacy` changes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import models
from django.db.models import QuerySet
from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class Processing:
    """What the register of processing (GDPR art. 30) and the privacy notice say about one kind
    of personal data. Every text is translatable (`gettext_lazy`) and in plain language."""

    # What it is, for people: "Appointments".
    label: StrOrPromise
    # Whose data it is: "Residents who book an appointment".
    subjects: StrOrPromise
    # Why it is kept.
    purpose: StrOrPromise
    # The legal basis (GDPR art. 6), in words with its article.
    legal_basis: StrOrPromise
    # Who sees it.
    recipients: StrOrPromise
    # How long, in words, for a retention period of `days` days: "30 days after the appointment".
    retention: Callable[[int], str]


@dataclass(frozen=True)
class PersonalData:
    """Where one domain keeps residents' personal data, and when it must go."""

    # A short plural name: the key of the retention periods and counts ("appointments").
    name: str
    model: type[models.Model]
    # The fields holding personal data: blanked by the retention run, shown by an export.
    fields: tuple[str, ...]
    # The setting with the retention period in days (at least 1).
    setting: str
    # The rows whose personal data is due for erasure at `now` with a period of `days` days (rows
    # erased already excluded). The model has an `erased_at` field that the run sets.
    due: Callable[[datetime, int], QuerySet[Any]]
    # For the operator: how many rows, and the rule, e.g.
    # "1 appointment(s) (started more than 30 days ago)".
    describe: Callable[[int, int], str]
    # The fields a person can be found by (a request to see or erase one's data).
    contact_fields: tuple[str, ...] = ("phone", "email")
    # The field with the person's name, by which they can be found too ("": not by name).
    name_field: str = "name"
    # The organisations that hold the rows, as lookups from the model to `network.Organisation`:
    # their admins answer a person's request. None: the rows are found by no one's request
    # (every registered kind names them; a test checks it).
    held_by: tuple[str, ...] = ()
    # Things a person recognises a row by, shown with it: (lookup, label), e.g. the Digipunt.
    context: tuple[tuple[str, StrOrPromise], ...] = ()
    # Rows of other models that belong to a row (reverse relations, e.g. a borrower's loans):
    # part of what a person gets when they ask for their data.
    related: tuple[str, ...] = ()
    # Stored fields left out of an export: secrets that say nothing about the person (the hash of
    # their private link's secret, the one-time key of a form).
    hidden: tuple[str, ...] = ("token_hash",)
    # For each of `rows`, the instant the retention run erases its data with a period of `days`
    # days (None while it is still needed): the retention date an export shows.
    kept_until: Callable[[QuerySet[Any], int], dict[Any, datetime | None]] | None = None
    # Of `rows`, those whose data is still needed and is not erased at a person's request (a
    # device still on loan must come back), and why, for the staff who answer the request.
    still_needed: Callable[[QuerySet[Any]], QuerySet[Any]] | None = None
    still_needed_reason: StrOrPromise = ""
    processing: Processing | None = None

    def erase(self, rows: QuerySet[Any], now: datetime) -> int:
        """Blank the personal fields of `rows` (those not erased yet) and note when, in one bulk
        update; the rows stay with everything else, so every count and figure stays the same.
        The one way personal data is erased: by the retention run and at a person's request.
        Returns how many rows were erased."""
        blank: dict[str, Any] = {"erased_at": now, **dict.fromkeys(self.fields, "")}
        return rows.filter(erased_at__isnull=True).update(**blank)

    def field_label(self, name: str) -> str:
        """A stored field's name as people read it (its verbose name)."""
        return str(self.model._meta.get_field(name).verbose_name)  # type: ignore[union-attr]

    @property
    def label(self) -> str:
        return str(
            self.processing.label if self.processing else self.model._meta.verbose_name_plural
        )


class Registry:
    def __init__(self) -> None:
        self._entries: dict[str, PersonalData] = {}

    def register(self, entry: PersonalData) -> None:
        """Add a domain's entry (from its `AppConfig.ready()`); a name is registered once."""
        if entry.name in self._entries and self._entries[entry.name] != entry:
            raise ValueError(f"Personal data {entry.name!r} is registered twice")
        self._entries[entry.name] = entry

    def __iter__(self) -> Iterator[PersonalData]:
        return iter(self._entries.values())

    def __getitem__(self, name: str) -> PersonalData:
        return self._entries[name]

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def names(self) -> list[str]:
        return list(self._entries)


personal_data = Registry()
