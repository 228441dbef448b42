"""Content-Security-Policy and Permissions-Policy on every response (Django 5.2 has no CSP).

The policy is strict: scripts, styles, fonts and requests only from this site, never inline code
or inline styles ('unsafe-inline' and 'unsafe-eval' are refused even from the settings), no
plugins, and no framing. The pages are made for it: every script is a file in static/js, every
style a file in static/css (tests/core/test_security_headers.py scans the templates). Images
may also come from the tile server of the results map (settings.MAP_TILE_URL) and be `data:`
URLs. The Permissions-Policy turns off what the site never uses and keeps geolocation for
itself ("use my location" on the search form, static/js/locate.js).

Settings (docs/operations.md, "Content-Security-Policy and Permissions-Policy"):
`CSP_EXTRA_SOURCES` adds sources to directives (`img-src=https://tiles.example.be`),
`CSP_REPORT_ONLY` sends the policy as Content-Security-Policy-Report-Only, `CSP_REPORT_URI`
asks browsers to report violations there, and `PERMISSIONS_POLICY` (a dict, in settings.py)
replaces the features below. HSTS comes from Django's SecurityMiddleware (SECURE_HSTS_SECONDS).

The headers are worked out once, when the middleware is loaded, so a bad setting stops the
process at start-up. A response that already carries one of the headers keeps it: a view may
choose a policy of its own on purpose.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponseBase

SELF = "'self'"
NONE = "'none'"

# The policy of every page; the map's tile host and CSP_EXTRA_SOURCES are added to it.
BASE_POLICY: dict[str, tuple[str, ...]] = {
    "default-src": (SELF,),
    "script-src": (SELF,),
    "style-src": (SELF,),
    "img-src": (SELF, "data:"),
    "connect-src": (SELF,),
    "font-src": (SELF,),
    "object-src": (NONE,),
    "base-uri": (SELF,),
    "form-action": (SELF,),
    "frame-ancestors": (NONE,),
}

# Features no page uses are off for the page and anything it might embed; geolocation only for
# the site itself. Only features Chromium knows (it logs an error for any other name).
PERMISSIONS_POLICY: dict[str, tuple[str, ...]] = {
    "accelerometer": (),
    "autoplay": (),
    "browsing-topics": (),
    "camera": (),
    "display-capture": (),
    "encrypted-media": (),
    "fullscreen": (),
    "geolocation": ("self",),
    "gyroscope": (),
    "hid": (),
    "idle-detection": (),
    "magnetometer": (),
    "microphone": (),
    "midi": (),
    "payment": (),
    "picture-in-picture": (),
    "publickey-credentials-get": (),
    "screen-wake-lock": (),
    "serial": (),
    "usb": (),
    "xr-spatial-tracking": (),
}

# Sources that would let inline or generated code run again: never, whatever the settings say.
_UNSAFE = re.compile(r"^'(unsafe-[a-z-]+|wasm-unsafe-eval)'$", re.IGNORECASE)
_DIRECTIVE = re.compile(r"^[a-z]+(-[a-z]+)*$")
_TEMPLATE_LABEL = re.compile(r"^\{[^{}]*\}\.")


def map_tile_source(tile_url: str) -> str | None:
    """The origin the results map loads its tiles from, as a CSP source; None for no map or
    tiles from this site. A placeholder as the first label of the host (`{s}.tile.example`)
    becomes a wildcard, the only place CSP allows one."""
    parts = urlsplit(tile_url.strip())
    if not parts.scheme or not parts.netloc:
        return None
    host = parts.netloc.rpartition("@")[2]
    host = _TEMPLATE_LABEL.sub("*.", host)
    if "{" in host or "}" in host:
        raise ImproperlyConfigured(
            f"MAP_TILE_URL {tile_url!r}: a placeholder may only be the first part of the host "
            "(the Content-Security-Policy allows a wildcard only there)."
        )
    return f"{parts.scheme}://{host}"


def _checked_source(source: str, name: str) -> str:
    if not source or re.search(r"[\s;,]", source):
        raise ImproperlyConfigured(f"{name}: {source!r} is not one CSP source.")
    if _UNSAFE.match(source):
        raise ImproperlyConfigured(
            f"{name}: {source} is refused; move the code or style into a static file instead."
        )
    return source


def parse_extra_sources(items: Iterable[str]) -> list[tuple[str, str]]:
    """CSP_EXTRA_SOURCES, items like `img-src=https://tiles.example.be`, as (directive, source)."""
    pairs = []
    for item in items:
        directive, equals, source = item.strip().partition("=")
        directive = directive.strip().lower()
        if not equals or not _DIRECTIVE.match(directive):
            raise ImproperlyConfigured(
                f"CSP_EXTRA_SOURCES: {item!r} is not directive=source "
                "(for example img-src=https://tiles.example.be)."
            )
        pairs.append((directive, _checked_source(source.strip(), "CSP_EXTRA_SOURCES")))
    return pairs


def build_policy(
    *,
    tile_url: str = "",
    extra: Iterable[tuple[str, str]] = (),
    report_uri: str = "",
) -> str:
    """The Content-Security-Policy header: the base policy, the map's tile host in img-src,
    then each extra source in its directive. A source added where the policy says 'none'
    replaces it; a directive the policy does not name yet starts from default-src's sources
    (what the browser would have used for it), so an extra source widens and never narrows."""
    policy = {name: list(sources) for name, sources in BASE_POLICY.items()}
    additions = list(extra)
    tiles = map_tile_source(tile_url)
    if tiles is not None:
        additions.insert(0, ("img-src", tiles))
    for directive, source in additions:
        sources = policy.setdefault(directive, list(policy["default-src"]))
        if sources == [NONE]:
            sources.clear()
        if source not in sources:
            sources.append(source)
    parts = [" ".join([name, *sources]) for name, sources in policy.items()]
    if report_uri:
        parts.append(f"report-uri {_checked_source(report_uri, 'CSP_REPORT_URI')}")
    return "; ".join(parts)


def build_permissions_policy(features: Mapping[str, Sequence[str]]) -> str:
    """The Permissions-Policy header (structured fields): `camera=(), geolocation=(self)`."""
    items = []
    for feature, allowed in features.items():
        if not _DIRECTIVE.match(feature):
            raise ImproperlyConfigured(f"PERMISSIONS_POLICY: {feature!r} is not a feature name.")
        origins = " ".join(o if o in {"self", "*"} else f'"{o}"' for o in allowed)
        items.append(f"{feature}=({origins})")
    return ", ".join(items)


class SecurityHeadersMiddleware:
    """Adds the Content-Security-Policy (or its Report-Only form) and the Permissions-Policy
    to every response, worked out once from the settings."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        csp = build_policy(
            tile_url=getattr(settings, "MAP_TILE_URL", ""),
            extra=parse_extra_sources(getattr(settings, "CSP_EXTRA_SOURCES", [])),
            report_uri=getattr(settings, "CSP_REPORT_URI", ""),
        )
        report_only = getattr(settings, "CSP_REPORT_ONLY", False)
        features = getattr(settings, "PERMISSIONS_POLICY", None) or PERMISSIONS_POLICY
        self.headers = (
            (
                "Content-Security-Policy-Report-Only" if report_only else "Content-Security-Policy",
                csp,
            ),
            ("Permissions-Policy", build_permissions_policy(features)),
        )

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        for name, value in self.headers:
            response.headers.setdefault(name, value)
        return response
