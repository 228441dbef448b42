"""Writing the audit trail."""

from __future__ import annotations

from typing import Any

from django.db import models

from audit.models import AuditEntry


def _plain(value: Any) -> Any:
    """A JSON-safe form of a field value for the trail."""
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, (str, int, float, bool, type(None), list, dict)):
        return value
    return str(value)


def field_changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for every field whose value differs."""
    return {
        name: [_plain(before.get(name)), _plain(value)]
        for name, value in after.items()
        if before.get(name) != value
    }


def log_action(
    *,
    actor: Any,
    action: str,
    target: models.Model,
    changes: dict[str, Any] | None = None,
    site: Any = None,
    organisation: Any = None,
    label: str | None = None,
) -> AuditEntry:
    """Append one entry. Call inside the transaction of the change it records. `label` names
    the target instead of `str(target)` where that is personal data (a borrower's name)."""
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=str(actor) if actor is not None else "system",
        action=action,
        object_type=target._meta.label_lower,
        object_id=str(target.pk),
        object_label=(str(target) if label is None else label)[:200],
        site=site,
        organisation=organisation or (site.organisation if site is not None else None),
        changes=changes or {},
    )
