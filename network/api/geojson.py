"""Published sites as a GeoJSON FeatureCollection (RFC 7946), for maps and GIS tools.

Properties are kept flat where possible (strings, numbers, booleans, short lists of codes) so
that tools which turn properties into table columns (QGIS, uMap, ...) show them directly.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date
from typing import Any

from network import hours_document
from network.api.links import public_site_url
from network.hours_formats import to_osm
from network.models import Site

logger = logging.getLogger(__name__)


def osm_opening_hours(site: Site, today: date) -> str | None:
    """The site's hours as an OpenStreetMap `opening_hours` value, or None when its stored
    document does not parse (unknown hours, which is not the same as "off")."""
    if hours_document.readable(site.opening_hours) is None:
        return None
    return to_osm(site.schedule(), since=today)


def _address(site: Site) -> str:
    return f"{site.street}, {site.postal_code} {site.locality}"


def feature(site: Site, lang: str, today: date) -> dict[str, Any]:
    """One site as a GeoJSON Point feature; coordinates are [longitude, latitude] (RFC 7946)."""
    return {
        "type": "Feature",
        "id": str(site.uuid),
        "geometry": {"type": "Point", "coordinates": [site.longitude, site.latitude]},
        "properties": {
            "id": str(site.uuid),
            "name": site.name,
            "brand": site.brand,
            "url": public_site_url(site.slug, lang),
            "address": _address(site),
            "postal_code": site.postal_code,
            "municipality": site.municipality_id,  # REFNIS code
            "services": site.services,
            "device_kinds": site.device_kind_codes,
            "themes": [theme.code for theme in site.themes.all()],
            "languages": site.language_codes,
            "walk_in": site.walk_in,
            "step_free": site.step_free,
            "opening_hours": osm_opening_hours(site, today),
            "last_verified": site.last_verified.isoformat() if site.last_verified else None,
            "is_demo": site.is_demo,
        },
    }


def feature_collection(sites: Iterable[Site], lang: str, today: date) -> dict[str, Any]:
    """All given sites as one FeatureCollection."""
    return {
        "type": "FeatureCollection",
        "features": [feature(site, lang, today) for site in sites],
    }
