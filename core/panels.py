"""What a domain app adds to the pages that span every domain (the staff home, a site's "today").

Those pages live in the top layer (`workspace`); each domain app describes its own part of them in
`<app>/staff/panels.py` with the types below, and `workspace.panels` lists those modules. So the
workspace knows no domain's data, a domain knows nothing of the page around its part, and a new
domain is one more line in that list. pretix builds its dashboard from per-area widgets the same
way.

A panel function receives a `Desk` (who is looking, at which site, what they may do there, and the
instant of the page) and returns the `Piece`s it adds, or none when the reader may not see them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from core.capabilities import Can

if TYPE_CHECKING:
    from accounts.models import User
    from network.models import Organisation, Site


class Place(StrEnum):
    """Where on the page a piece goes."""

    ACTION = "action"  # a main button under the site's name ("Register a visit")
    LINK = "link"  # a link in the site's menu of work ("Figures")
    SECTION = "section"  # a section of its own ("Appointments today")
    ORGANISATION_LINK = "organisation_link"  # a link under an organisation on the staff home


@dataclass(frozen=True)
class Piece:
    """One piece of a workspace page: a template, what it shows, and where it goes.

    `order` sorts the pieces of one place across apps (lower first); leave gaps of ten so that a
    new domain can slot in between.
    """

    place: Place
    order: int
    template: str
    context: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Desk:
    """A site's "today" as one person sees it: the panels' only input."""

    user: User
    site: Site
    can: frozenset[Can]  # what the user may do at the site
    now: datetime
    today: date


@dataclass(frozen=True)
class OrganisationDesk:
    """An organisation on the staff home of someone who manages it."""

    user: User
    organisation: Organisation
    can: frozenset[Can]  # what the user may do for the organisation as a whole


SitePanel = Callable[[Desk], Iterable[Piece]]
OrganisationPanel = Callable[[OrganisationDesk], Iterable[Piece]]
