"""The audit trail's part of the staff home (see `core.panels`): who changed what in an
organisation."""

from __future__ import annotations

from collections.abc import Iterator

from core.capabilities import Can
from core.panels import OrganisationDesk, Piece, Place


def organisation(desk: OrganisationDesk) -> Iterator[Piece]:
    if Can.VIEW_AUDIT in desk.can:
        yield Piece(Place.ORGANISATION_LINK, 30, "audit/staff/panels/audit_link.html")
