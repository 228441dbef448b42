"""Learning's part of a site's "today" (see `core.panels`): the course sessions that meet today,
with how many have a place, and the way to the roster."""

from __future__ import annotations

from collections.abc import Iterator

from core.capabilities import Can
from core.panels import Desk, Piece, Place
from learning import selectors


def today(desk: Desk) -> Iterator[Piece]:
    if Can.RUN_SESSIONS not in desk.can:
        return
    yield Piece(
        Place.SECTION,
        50,
        "learning/staff/panels/today.html",
        {"sessions": selectors.sessions_today_at(desk.site, desk.today)},
    )
