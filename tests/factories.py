"""Small factories for the fixed cast of test data; they need the `territory` fixture."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from network.hours_document import period
from network.models import Organisation, Site, Theme
from territory.models import Municipality

_counter = itertools.count(1)


def theme(code: str = "eid-itsme") -> Theme:
    """A theme of the seeded taxonomy (network/themes.py), or a new one for an unknown code."""
    return Theme.objects.get_or_create(
        code=code, defaults={"name_nl": code, "name_fr": code, "name_en": code}
    )[0]


def organisation(**fields: Any) -> Organisation:
    n = next(_counter)
    defaults: dict[str, Any] = {"name": f"Organisation {n}", "kind": Organisation.Kind.MUNICIPALITY}
    defaults.update(fields)
    return Organisation.objects.create(**defaults)


def site(
    *,
    municipality: str = "44021",
    latitude: float = 51.0543,
    longitude: float = 3.7174,
    themes: tuple[str, ...] = ("eid-itsme",),
    opening_hours: dict[str, Any] | None = None,
    **fields: Any,
) -> Site:
    """A published site in Gent (by default), open on weekdays 09:00-12:00 and 13:00-17:00."""
    n = next(_counter)
    muni = Municipality.objects.get(refnis=municipality)
    defaults: dict[str, Any] = {
        "name": f"Digipunt {n}",
        "slug": f"digipunt-{n}",
        "organisation": fields.pop("organisation", None) or organisation(municipality=muni),
        "street": "Kouter 1",
        "postal_code": "9000",
        "locality": muni.name_nl,
        "municipality": muni,
        "latitude": latitude,
        "longitude": longitude,
        "languages": ",nl,",
        "last_verified": date(2026, 11, 1),
        "opening_hours": opening_hours
        if opening_hours is not None
        else {
            "periods": [period(d, "09:00", "12:00") for d in range(5)]
            + [period(d, "13:00", "17:00") for d in range(5)],
            "exceptions": [],
        },
    }
    defaults.update(fields)
    created = Site.objects.create(**defaults)
    created.themes.set([theme(code) for code in themes])
    return created
