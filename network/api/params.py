"""Query parameters of the open-data API, declared once (`core.openapi`): each declaration below
is both the parameter's description in the OpenAPI document and how the views read it, so every
limit the views keep is one the document states.

Every reader raises `ParamError` with a message meant for the API client; the views turn it into
a 400 response. Bad input must never reach the database or end in a 500, so each value is bounded
in length and range before it is used. An empty value is a value (`?page=` is a 400); a
parameter the endpoint does not declare is ignored.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from core.openapi import Choice, Integer, Number, Param, ParamError, Pattern, Query, Text, Uuid

__all__ = ["ParamError"]

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 100
# Far past the end of any list (a page past the end is an empty page, not an error), and small
# enough that an offset never strains the database.
MAX_PAGE = 10_000
MAX_SEARCH_LENGTH = 100
DEFAULT_RADIUS_KM = 10.0
MAX_RADIUS_KM = 100.0

# Decimal degrees as a client writes them: latitude -90..90, longitude -180..180.
_LATITUDE = r"-?(?:90(?:\.0+)?|[1-8]?[0-9](?:\.[0-9]+)?)"
_LONGITUDE = r"-?(?:180(?:\.0+)?|(?:1[0-7][0-9]|[1-9]?[0-9])(?:\.[0-9]+)?)"


@dataclass(frozen=True)
class PageRequest:
    """Which page of a list the client asked for (1-based)."""

    number: int
    per_page: int

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.per_page


@dataclass(frozen=True)
class Proximity:
    """A point to search around and the radius in kilometres."""

    latitude: float
    longitude: float
    radius_km: float


@dataclass(frozen=True, kw_only=True)
class Point(Pattern):
    """`latitude,longitude` in decimal degrees; the messages say which half is wrong."""

    def convert(self, value: str) -> str:
        parts = value.split(",")
        if len(parts) != 2:
            raise self.fail("latitude,longitude (like 51.05,3.72)", value)
        latitude = _degrees(parts[0], f"{self.name} latitude")
        longitude = _degrees(parts[1], f"{self.name} longitude")
        if not -90 <= latitude <= 90 or not -180 <= longitude <= 180:
            raise ParamError(
                f"{self.name} must be a latitude (-90..90) and a longitude (-180..180)"
            )
        return super().convert(value)  # and written as the pattern says (no "+", "1e1", " ")


def _degrees(text: str, name: str) -> float:
    try:
        number = float(text)
    except ValueError:
        raise ParamError(f"{name} must be a number, not {text[:50]!r}") from None
    if not math.isfinite(number):
        raise ParamError(f"{name} must be a finite number, not {text[:50]!r}")
    return number


# --- the declarations --------------------------------------------------------------------------

PAGE = Integer(
    name="page",
    description=f"Page number (from 1; a page past the end is empty; at most {MAX_PAGE}).",
    minimum=1,
    maximum=MAX_PAGE,
    default=1,
)
PER_PAGE = Integer(
    name="per_page",
    description="Results per page.",
    minimum=1,
    maximum=MAX_PER_PAGE,
    default=DEFAULT_PER_PAGE,
)
SEARCH = Text(
    name="search",
    description="Text to look for in names, local names, localities and descriptions "
    "(leading and trailing spaces do not count; blank means no search).",
    max_length=MAX_SEARCH_LENGTH,
)
FORMAT = Choice(
    name="format",
    description="Only `json` is offered (no ndjson streaming).",
    choices=("json",),
    default="json",
)
# Open data must not depend on the client's Accept-Language header (responses are cached
# publicly), so the language is an explicit parameter.
LANG = Choice(
    name="lang",
    description="Language of names and texts.",
    choices=tuple(code for code, _name in settings.LANGUAGES),
    default=settings.LANGUAGE_CODE,
)
TAXONOMY_TERM_ID = Uuid(
    name="taxonomy_term_id",
    description="Only services of sites that help with this theme (a term of digipunt-themes).",
)
TAXONOMY_ID = Uuid(name="taxonomy_id", description="Only terms of this taxonomy.")
ORGANIZATION_ID = Uuid(name="organization_id", description="Only services of this organization.")
POSTCODE = Pattern(
    name="postcode",
    description="Only services at a location with this Belgian postal code.",
    regex="[0-9]{4}",
    what="a Belgian postal code of four digits",
)
PROXIMITY = Point(
    name="proximity",
    description="Only services within `proximity_radius` km of this point, nearest first: "
    "`latitude,longitude` in WGS84 decimal degrees (e.g. `51.0543,3.7174`). Unlike the "
    "HSDS reference (metres around a postcode centroid), the point is given directly.",
    regex=f"{_LATITUDE},{_LONGITUDE}",
    what="latitude,longitude in decimal degrees (like 51.05,3.72)",
)
PROXIMITY_RADIUS = Number(
    name="proximity_radius",
    description="Radius in kilometres around `proximity`; only with `proximity` (alone it is "
    "a 400).",
    above=0,
    maximum=MAX_RADIUS_KM,
    unit="km",
    default=DEFAULT_RADIUS_KM,
)

# What every open-data endpoint reads (`views.api_view`), what every list reads, and the filters.
COMMON: tuple[Param[Any], ...] = (LANG, FORMAT)
LIST: tuple[Param[Any], ...] = (PAGE, PER_PAGE, SEARCH)
SERVICE_FILTERS: tuple[Param[Any], ...] = (TAXONOMY_TERM_ID, ORGANIZATION_ID)
PLACE_FILTERS: tuple[Param[Any], ...] = (POSTCODE, PROXIMITY, PROXIMITY_RADIUS)
ALL: tuple[Param[Any], ...] = (*LIST, *COMMON, *SERVICE_FILTERS, TAXONOMY_ID, *PLACE_FILTERS)


# --- readers -----------------------------------------------------------------------------------


def page_request(params: Query) -> PageRequest:
    """`page` (default 1) and `per_page` (default 50, at most 100)."""
    return PageRequest(number=PAGE.get(params), per_page=PER_PAGE.get(params))


def search(params: Query) -> str | None:
    """A free-text search term, stripped; None when absent or blank."""
    value = SEARCH.read(params)
    return (value or "").strip() or None


def uuid_value(params: Query, name: str) -> uuid.UUID | None:
    """An identifier parameter (one of the `Uuid` declarations above)."""
    declared = {p.name: p for p in (TAXONOMY_TERM_ID, TAXONOMY_ID, ORGANIZATION_ID)}
    return declared[name].read(params)


def postcode(params: Query) -> str | None:
    """A Belgian postal code: exactly four digits."""
    return POSTCODE.read(params)


def proximity(params: Query) -> Proximity | None:
    """`proximity=lat,lon` (WGS84 degrees) with `proximity_radius` in km (default 10, max 100).

    The one rule between parameters that OpenAPI cannot state: a radius needs a point."""
    point = PROXIMITY.read(params)
    if point is None:
        if params.getlist(PROXIMITY_RADIUS.name):
            raise ParamError("proximity_radius needs proximity=latitude,longitude")
        return None
    latitude, longitude = (float(part) for part in point.split(","))
    return Proximity(latitude, longitude, PROXIMITY_RADIUS.get(params))


def language(params: Query) -> str:
    """`lang`: the language of names and texts (one of the site languages, default Dutch)."""
    return LANG.get(params)


def check_format(params: Query) -> None:
    """HSDS defines `format`; only its default, json, is offered (no ndjson streaming)."""
    FORMAT.read(params)
