"""The accounts' part of the staff home (see `core.panels`): an organisation's team and API
tokens."""

from __future__ import annotations

from collections.abc import Iterator

from core.capabilities import Can
from core.panels import OrganisationDesk, Piece, Place


def organisation(desk: OrganisationDesk) -> Iterator[Piece]:
    if Can.MANAGE_TEAM in desk.can:
        yield Piece(Place.ORGANISATION_LINK, 20, "accounts/staff/panels/team_link.html")
    if Can.MANAGE_TOKENS in desk.can:
        yield Piece(Place.ORGANISATION_LINK, 40, "accounts/staff/panels/tokens_link.html")
