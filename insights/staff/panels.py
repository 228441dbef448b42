"""What the evidence adds to the staff home: under each organisation whose figures the reader may
see, a link to its dashboard, and to its grants for those who keep them."""

from __future__ import annotations

from collections.abc import Iterator

from core.capabilities import Can
from core.panels import OrganisationDesk, Piece, Place


def organisation(desk: OrganisationDesk) -> Iterator[Piece]:
    if Can.VIEW_FIGURES in desk.can:
        yield Piece(Place.ORGANISATION_LINK, 60, "insights/staff/panels/dashboard_link.html")
    if Can.MANAGE_FUNDING in desk.can:
        yield Piece(Place.ORGANISATION_LINK, 61, "insights/staff/panels/funding_link.html")
