"""The signal a domain sends when it writes facts in bulk.

Every fact that feeds a figure (a contact, a question, a loan, a registration, a help card count)
belongs to a site or an organisation and a day. The layer above the domains (`insights`) keeps
rollups of them and follows single saves and deletions through Django's model signals; writes that
bypass those signals (`bulk_create`, `QuerySet.update`) call `facts_changed` with the rows they
wrote, so that no change escapes the rollups. Domains import this module, never `insights`.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models
from django.dispatch import Signal

# sender: the model class; rows: the instances written (after the write).
facts_written = Signal()


def facts_changed(model: type[models.Model], rows: Iterable[models.Model]) -> None:
    facts_written.send(sender=model, rows=list(rows))
