"""The network's part of the workspace pages (see `core.panels`): on a site's "today" the day's
hours, the next closures and the site's information; on the staff home an organisation's sites."""

from __future__ import annotations

from collections.abc import Iterator

from core.capabilities import Can
from core.panels import Desk, OrganisationDesk, Piece, Place

# How far ahead the site's page lists closures (the public page looks as far).
CLOSURE_DAYS = 60


def today(desk: Desk) -> Iterator[Piece]:
    schedule = desk.site.schedule()
    interval = schedule.current_interval(desk.now)
    yield Piece(
        Place.SECTION,
        10,
        "network/staff/panels/hours_today.html",
        {
            "today_hours": schedule.day(desk.today),
            "open_now": interval is not None,
            "closes_at": interval[1] if interval else None,
            "next_opening": None if interval else schedule.next_opening(desk.now),
        },
    )
    yield Piece(
        Place.SECTION,
        20,
        "network/staff/panels/closures.html",
        {
            "closures": schedule.upcoming_closures(desk.today, days=CLOSURE_DAYS),
            "closure_days": CLOSURE_DAYS,
        },
    )
    # Everyone who sees the site sees its information; only editors get the links to change it.
    yield Piece(
        Place.SECTION,
        90,
        "network/staff/panels/information.html",
        {"can_edit": Can.EDIT_SITE in desk.can},
    )


def organisation(desk: OrganisationDesk) -> Iterator[Piece]:
    if Can.MANAGE_SITES in desk.can:
        yield Piece(Place.ORGANISATION_LINK, 10, "network/staff/panels/sites_link.html")
