"""The questions pillar's part of a site's "today" (see `core.panels`): registering a visit, the
figures and the visitor cards."""

from __future__ import annotations

from collections.abc import Iterator

from core.capabilities import Can
from core.panels import Desk, Piece, Place


def today(desk: Desk) -> Iterator[Piece]:
    if Can.REGISTER_CONTACTS in desk.can:
        yield Piece(Place.ACTION, 10, "questions/staff/panels/register_action.html")
    if Can.VIEW_FIGURES in desk.can:
        yield Piece(Place.LINK, 20, "questions/staff/panels/figures_link.html")
    if Can.ISSUE_VISITOR_CODES in desk.can:
        yield Piece(Place.LINK, 30, "questions/staff/panels/visitor_cards_link.html")
