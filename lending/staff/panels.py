"""Lending's part of a site's "today" (see `core.panels`): the devices due back today or overdue,
those waiting for their wipe, and the way to the lending desk."""

from __future__ import annotations

from collections.abc import Iterator

from core.capabilities import Can
from core.panels import Desk, Piece, Place
from lending import selectors


def today(desk: Desk) -> Iterator[Piece]:
    if Can.LEND_DEVICES not in desk.can:
        return
    yield Piece(
        Place.SECTION,
        40,
        "lending/staff/panels/today.html",
        {
            "loans": list(selectors.loans_due_by(desk.site, desk.today)),
            "to_wipe": list(selectors.devices_to_wipe_at(desk.site)),
            "today": desk.today,
        },
    )
