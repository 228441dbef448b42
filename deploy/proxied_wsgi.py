"""The application as gunicorn serves it behind nginx (deploy/gunicorn.conf.py's `wsgi_app`).

Behind a proxy every request reaches gunicorn from the proxy's address, so `REMOTE_ADDR` would be
nginx's for everyone, and whatever counts per address (failed sign-ins, the public forms' rate
limits) would count all residents together. nginx sends the client's address in `X-Real-IP`
(deploy/nginx/digipunt.conf); it becomes `REMOTE_ADDR` only when the request comes from an
address in FORWARDED_ALLOW_IPS (gunicorn's own list of trusted proxies: 127.0.0.1 and ::1 by
default), so that nobody can claim another address by sending the header themselves.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
from collections.abc import Callable, Iterable
from typing import Any

from digipunt.wsgi import application as django_application

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def trusted_proxies(setting: str) -> list[Network] | None:
    """FORWARDED_ALLOW_IPS as networks; None for `*` (every address is a trusted proxy)."""
    if setting.strip() == "*":
        return None
    return [ipaddress.ip_network(part.strip()) for part in setting.split(",") if part.strip()]


TRUSTED = trusted_proxies(os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1"))


def _is_trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return TRUSTED is None or any(ip in network for network in TRUSTED)


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    real = environ.get("HTTP_X_REAL_IP", "").strip()
    if real and _is_trusted(environ.get("REMOTE_ADDR", "")):
        with contextlib.suppress(ValueError):  # not an address: the proxy's stays
            environ["REMOTE_ADDR"] = str(ipaddress.ip_address(real))
    return django_application(environ, start_response)
