"""Query parameters of the open-data API, parsed strictly.

Every parser raises `ParamError` with a message meant for the API client; the views turn it into
a 400 response. Bad input must never reach the database or end in a 500, so each value is bounded
in length and range before it is used.
"""

from __future__ import annotations

import math
import re
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.http import QueryDict

# Longest value any parameter may have; more is a mistake or an attack, never a real query.
MAX_VALUE_LENGTH = 200
MAX_SEARCH_LENGTH = 100
DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 100
DEFAULT_RADIUS_KM = 10.0
MAX_RADIUS_KM = 100.0

_DIGITS = re.compile(r"[0-9]{1,9}")
_POSTCODE = re.compile(r"[0-9]{4}")


class ParamError(ValueError):
    """A query parameter the API cannot use; the message is shown to the client as is."""


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


def raw(params: QueryDict, name: str) -> str | None:
    """The parameter's value, or None when absent or empty; too long a value is an error."""
    value = params.get(name)
    if value is None or value == "":
        return None
    if len(value) > MAX_VALUE_LENGTH:
        raise ParamError(f"{name} is too long (at most {MAX_VALUE_LENGTH} characters)")
    # PostgreSQL rejects NUL in text outright (a 500); no real value has control characters.
    if any(ord(char) < 32 for char in value):
        raise ParamError(f"{name} contains control characters")
    return value


def _positive_int(params: QueryDict, name: str, default: int, maximum: int | None = None) -> int:
    value = raw(params, name)
    if value is None:
        return default
    if not _DIGITS.fullmatch(value) or int(value) < 1:
        raise ParamError(f"{name} must be a whole number of at least 1, not {value!r}")
    number = int(value)
    if maximum is not None and number > maximum:
        raise ParamError(f"{name} must be at most {maximum}, not {number}")
    return number


def page_request(params: QueryDict) -> PageRequest:
    """`page` (default 1) and `per_page` (default 50, at most 100)."""
    return PageRequest(
        number=_positive_int(params, "page", 1),
        per_page=_positive_int(params, "per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE),
    )


def search(params: QueryDict) -> str | None:
    """A free-text search term, stripped; None when absent or blank."""
    value = raw(params, "search")
    if value is None:
        return None
    value = value.strip()
    if len(value) > MAX_SEARCH_LENGTH:
        raise ParamError(f"search is too long (at most {MAX_SEARCH_LENGTH} characters)")
    return value or None


def uuid_value(params: QueryDict, name: str) -> uuid.UUID | None:
    """An identifier parameter; HSDS identifiers are UUIDs, so anything else is an error."""
    value = raw(params, name)
    if value is None:
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        raise ParamError(f"{name} must be a UUID, not {value!r}") from None


def postcode(params: QueryDict) -> str | None:
    """A Belgian postal code: exactly four digits."""
    value = raw(params, "postcode")
    if value is None:
        return None
    value = value.strip()
    if not _POSTCODE.fullmatch(value):
        raise ParamError(f"postcode must be a Belgian postal code of four digits, not {value!r}")
    return value


def _finite_float(text: str, name: str) -> float:
    try:
        number = float(text)
    except ValueError:
        raise ParamError(f"{name} must be a number, not {text!r}") from None
    # float() accepts "nan" and "inf", which would silently match nothing or everything.
    if not math.isfinite(number):
        raise ParamError(f"{name} must be a finite number, not {text!r}")
    return number


def proximity(params: QueryDict) -> Proximity | None:
    """`proximity=lat,lon` (WGS84 degrees) with `proximity_radius` in km (default 10, max 100)."""
    point = raw(params, "proximity")
    radius_text = raw(params, "proximity_radius")
    if point is None:
        if radius_text is not None:
            raise ParamError("proximity_radius needs proximity=latitude,longitude")
        return None
    parts = point.split(",")
    if len(parts) != 2:
        raise ParamError(f"proximity must be latitude,longitude (like 51.05,3.72), not {point!r}")
    latitude = _finite_float(parts[0].strip(), "proximity latitude")
    longitude = _finite_float(parts[1].strip(), "proximity longitude")
    if not -90 <= latitude <= 90 or not -180 <= longitude <= 180:
        raise ParamError("proximity must be a latitude (-90..90) and a longitude (-180..180)")
    radius = DEFAULT_RADIUS_KM
    if radius_text is not None:
        radius = _finite_float(radius_text.strip(), "proximity_radius")
        if not 0 < radius <= MAX_RADIUS_KM:
            raise ParamError(
                f"proximity_radius must be more than 0 and at most {MAX_RADIUS_KM:g} km"
            )
    return Proximity(latitude, longitude, radius)


def language(params: QueryDict) -> str:
    """`lang`: the language of names and texts (one of the site languages, default Dutch).

    Open data must not depend on the client's Accept-Language header (responses are cached
    publicly), so the language is an explicit parameter.
    """
    value = raw(params, "lang")
    codes = [code for code, _name in settings.LANGUAGES]
    if value is None:
        return settings.LANGUAGE_CODE
    if value not in codes:
        raise ParamError(f"lang must be one of {', '.join(codes)}, not {value!r}")
    return value


def check_format(params: QueryDict) -> None:
    """HSDS defines `format`; only its default, json, is offered (no ndjson streaming)."""
    value = raw(params, "format")
    if value is not None and value != "json":
        raise ParamError(f"format must be json (the only format offered), not {value!r}")
