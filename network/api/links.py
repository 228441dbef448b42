"""Links from open data to the platform's own pages."""

from __future__ import annotations

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import translation


def public_site_path(slug: str, lang: str | None = None) -> str:
    """The path of a Digipunt's public page in `lang` (default: the site's default language).

    The public pages are built in parallel with the API: until the `network:site` URL exists, the
    path follows the agreed pattern /<lang>/digipunt/<slug>/, so open data links work from day one
    and switch to the real URL map by themselves once it is there.
    """
    lang = lang or settings.LANGUAGE_CODE
    try:
        with translation.override(lang):
            return reverse("network:site", kwargs={"slug": slug})
    except NoReverseMatch:
        return f"/{lang}/digipunt/{slug}/"


def absolute(path: str) -> str:
    """`path` on the canonical public address of the platform (SITE_URL).

    SITE_URL rather than the request's host: published identifiers and links must not change
    with the host name a client happened to use (or an internal proxy address).
    """
    return f"{settings.SITE_URL}{path}"


def public_site_url(slug: str, lang: str | None = None) -> str:
    """The absolute URL of a Digipunt's public page."""
    return absolute(public_site_path(slug, lang))
