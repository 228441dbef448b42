"""Privacy's part of the staff home (see `core.panels`): an organisation admin's link to
residents' requests to see or erase their data, the retention periods and the register."""

from __future__ import annotations

from collections.abc import Iterator

from core.capabilities import Can
from core.panels import OrganisationDesk, Piece, Place


def organisation(desk: OrganisationDesk) -> Iterator[Piece]:
    if Can.MANAGE_PRIVACY in desk.can:
        yield Piece(Place.ORGANISATION_LINK, 50, "privacy/staff/panels/privacy_link.html")
