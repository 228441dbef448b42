"""Reading the audit trail, always within a scope."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from audit.models import AuditEntry

if TYPE_CHECKING:  # audit sits below network: it names an organisation only in its types
    from network.models import Organisation


def entries_for_organisation(organisation: Organisation) -> QuerySet[AuditEntry]:
    """The entries an organisation's admins may read, newest first.

    That is everything logged for the organisation itself and everything about its sites (also
    entries written before `organisation` was filled in for a site's change).
    """
    return AuditEntry.objects.filter(
        Q(organisation=organisation) | Q(site__organisation=organisation)
    ).order_by("-created_at", "-pk")
