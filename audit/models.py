"""The append-only audit trail: who changed what, when, and which fields.

Entries are written by services through `audit.services.log_action` in the same transaction as
the change. They are never updated or deleted by the application.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    """Bulk changes would bypass the model's guards: refuse them too."""

    def update(self, **kwargs: Any) -> int:
        raise ValueError("Audit entries are append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ValueError("Audit entries are append-only")


class AuditEntry(models.Model):
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("who"),
    )
    # Kept as text so the trail still reads after the account is gone.
    actor_label = models.CharField(_("who"), max_length=254)
    action = models.CharField(_("what"), max_length=60)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=64)
    object_label = models.CharField(_("about"), max_length=200)
    # The scope an organisation admin may read it in.
    organisation = models.ForeignKey(
        "network.Organisation", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    site = models.ForeignKey("network.Site", on_delete=models.SET_NULL, null=True, related_name="+")
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")

    def __str__(self) -> str:
        return (
            f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_label}"
        )

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("Audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValueError("Audit entries are append-only")
