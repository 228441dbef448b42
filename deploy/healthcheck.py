"""The container's health check (the Dockerfile's HEALTHCHECK): does `/health/` of the gunicorn in
this container answer 200? Exit status 0 when it does, 1 otherwise.

The request names a host the application serves (the first of ALLOWED_HOSTS) and says it came
over HTTPS, as nginx would, so that neither the host check nor SECURE_SSL_REDIRECT answers it
instead of the view. Standard library only: the image has no curl.
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request


def main() -> int:
    hosts = [host.strip().lstrip(".") for host in os.environ.get("ALLOWED_HOSTS", "").split(",")]
    host = next((host for host in hosts if host and host != "*"), "localhost")
    port = os.environ.get("HEALTHCHECK_PORT", "8000")
    # Always http://127.0.0.1: the gunicorn of this container.
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/health/",
        headers={"Host": host, "X-Forwarded-Proto": "https"},
    )
    try:
        with urllib.request.urlopen(request, timeout=4) as response:  # noqa: S310
            return 0 if response.status == 200 else 1
    except (OSError, urllib.error.URLError) as error:
        print(f"/health/: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
