"""The one list of what each domain app adds to the workspace pages, and the pages' assembly.

A domain app that has something to show on a site's "today" or under an organisation on the staff
home writes `<app>/staff/panels.py` (with `today(desk)` and/or `organisation(desk)`, see
`core.panels`) and adds that function to a list below: one line. The order of the pieces on a
page comes from each piece's `order`, not from these lists.
"""

from __future__ import annotations

from collections.abc import Iterable

from accounts.staff import panels as accounts_panels
from appointments.staff import panels as appointments_panels
from audit.staff import panels as audit_panels
from core.panels import Desk, OrganisationDesk, OrganisationPanel, Piece, Place, SitePanel
from insights.staff import panels as insights_panels
from learning.staff import panels as learning_panels
from lending.staff import panels as lending_panels
from network.staff import panels as network_panels
from privacy.staff import panels as privacy_panels
from questions.staff import panels as questions_panels
from referrals.staff import panels as referrals_panels

# What a site's "today" is made of (one line per domain app).
SITE_PANELS: tuple[SitePanel, ...] = (
    network_panels.today,
    questions_panels.today,
    appointments_panels.today,
    referrals_panels.today,
    lending_panels.today,
    learning_panels.today,
)

# What the staff home shows under each organisation one manages (one line per domain app).
ORGANISATION_PANELS: tuple[OrganisationPanel, ...] = (
    network_panels.organisation,
    accounts_panels.organisation,
    audit_panels.organisation,
    lending_panels.organisation,
    privacy_panels.organisation,
    insights_panels.organisation,
)


def _sorted(pieces: Iterable[Piece]) -> dict[Place, list[Piece]]:
    by_place: dict[Place, list[Piece]] = {place: [] for place in Place}
    for piece in sorted(pieces, key=lambda piece: piece.order):
        by_place[piece.place].append(piece)
    return by_place


def site_pieces(desk: Desk) -> dict[Place, list[Piece]]:
    """Every piece of a site's "today" for this reader, by place, in order."""
    return _sorted(piece for panel in SITE_PANELS for piece in panel(desk))


def organisation_pieces(desk: OrganisationDesk) -> list[Piece]:
    """The links under one organisation on the staff home, in order."""
    pieces = (piece for panel in ORGANISATION_PANELS for piece in panel(desk))
    return _sorted(pieces)[Place.ORGANISATION_LINK]
