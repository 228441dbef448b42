"""The appointments' part of a site's "today" (see `core.panels`): today's appointments and the way
to the agenda."""

from __future__ import annotations

from collections.abc import Iterator

from appointments import selectors
from core.capabilities import Can
from core.panels import Desk, Piece, Place


def today(desk: Desk) -> Iterator[Piece]:
    # Every role that sees a site works its agenda; the check keeps it so if roles change.
    if Can.MANAGE_APPOINTMENTS not in desk.can:
        return
    yield Piece(
        Place.SECTION,
        30,
        "appointments/staff/panels/today.html",
        {"appointments": selectors.active_appointments_on(desk.site, desk.today)},
    )
