"""The one list of residents' personal data, kept by each domain app about itself.

`privacy` erases and finds personal data without knowing the domains: a domain app that stores a
resident's name, phone, email or free text describes it once in a `PersonalData` entry (in
`<app>/personal_data.py`) and registers it from its `AppConfig.ready()`. The retention run
(`privacy.retention`) erases what each entry says is due; `privacy.export` finds a person's rows
for a request to see their data. A new domain adds its entries; nothing in `privacy` changes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import models
from django.db.models import QuerySet


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

    def names(self) -> list[str]:
        return list(self._entries)


personal_data = Registry()
