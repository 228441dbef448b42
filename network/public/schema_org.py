"""schema.org JSON-LD for a site page, so search engines and assistants read the same facts."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.urls import reverse

from network.hours_formats import to_schema_org
from network.models import Site


def site_json_ld(site: Site, today: date) -> dict[str, Any]:
    hours = to_schema_org(site.schedule(), today)
    document: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "CivicStructure",
        "@id": settings.SITE_URL + reverse("network:site", kwargs={"slug": site.slug}),
        "name": site.name,
        "address": {
            "@type": "PostalAddress",
            "streetAddress": site.street,
            "postalCode": site.postal_code,
            "addressLocality": site.locality,
            "addressCountry": "BE",
        },
        "geo": {"@type": "GeoCoordinates", "latitude": site.latitude, "longitude": site.longitude},
        "isAccessibleForFree": True,
        **hours,
    }
    if site.phone:
        document["telephone"] = site.phone
    if site.email:
        document["email"] = site.email
    if site.website:
        document["url"] = site.website
    if site.description:
        document["description"] = site.description
    return document
