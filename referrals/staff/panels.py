"""The referrals' part of a site's "today" (see `core.panels`): the inbox, with how many are new."""

from __future__ import annotations

from collections.abc import Iterator

from core.capabilities import Can
from core.panels import Desk, Piece, Place
from referrals import selectors


def today(desk: Desk) -> Iterator[Piece]:
    if Can.HANDLE_REFERRALS not in desk.can:
        return
    yield Piece(
        Place.LINK,
        10,
        "referrals/staff/panels/inbox_link.html",
        {"new": selectors.new_count(desk.user, desk.site.pk)},
    )
