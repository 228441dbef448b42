"""Lending's part of a site's "today" (see `core.panels`): the devices due back today or overdue,
those waiting for their wipe, and the way to the lending desk; and under an organisation on the
staff home, the way to its lending rules."""

from __future__ import annotations

from collections.abc import Iterator

from core.capabilities import Can
from core.panels import Desk, OrganisationDesk, Piece, Place
from lending import selectors


def today(desk: Desk) -> Iterator[Piece]:
    if Can.LEND_DEVICES not in desk.can:
        return
    loans = list(selectors.loans_due_by(desk.site, desk.today))
    yield Piece(
        Place.SECTION,
        40,
        "lending/staff/panels/today.html",
        {
            "loans": loans,
            "to_wipe": list(selectors.devices_to_wipe_at(desk.site)),
            "today": desk.today,
            "overdue": sum(1 for loan in loans if loan.due_on < desk.today),
        },
    )


def organisation(desk: OrganisationDesk) -> Iterator[Piece]:
    if Can.SET_LENDING_RULES in desk.can:
        yield Piece(Place.ORGANISATION_LINK, 40, "lending/staff/panels/rules_link.html")
