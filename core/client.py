"""Who sent a request, as far as the application can tell."""

from __future__ import annotations

import ipaddress

from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The address the request came from, as the web server saw it.

    Behind a reverse proxy this is the proxy, unless the proxy setup rewrites REMOTE_ADDR
    (see docs/operations.md); we never trust X-Forwarded-For here, as anyone can send it.
    Sign-in throttling and the rate limits of public forms count per this address.
    """
    value = request.META.get("REMOTE_ADDR", "")
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None
