"""gunicorn's settings for Digipunt: `gunicorn -c deploy/gunicorn.conf.py` (from any folder).

The Dockerfile and the systemd unit in docs/operations.md start the application this way; the
command line and GUNICORN_CMD_ARGS override what is set here (`--bind 0.0.0.0:8000` in the
container). The environment is the application's (deploy/production.env.example).

Logging is the application's own (`settings.LOGGING`, core/logging.py): one line a record on
standard error, JSON with LOG_FORMAT=json, secret links, email addresses and phone numbers
redacted. That includes the access log, written by `AccessLogger` as a record with the request's
fields (`GET /nl/appointments/[secret]/booked/ 200`), never the raw request line.
"""

from __future__ import annotations

import os
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

from gunicorn import glogging

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "digipunt.settings")

from django.conf import settings  # noqa: E402  (the path and settings module come first)

from core.logging import REQUEST_ID_HEADER, anonymised_address  # noqa: E402

# digipunt.wsgi's application, taking the client's address from nginx (deploy/proxied_wsgi.py).
wsgi_app = "deploy.proxied_wsgi:application"
chdir = str(ROOT)
# nginx on the same host proxies to this address (docs/operations.md).
bind = ["127.0.0.1:8001"]
# Sync workers, one per core the process may use (`--workers N` overrides it).
workers = len(os.sched_getaffinity(0))
worker_class = "sync"
timeout = 30
graceful_timeout = 30
# Successful health checks (Docker's HEALTHCHECK, a load balancer) are left out of the access log.
HEALTH_PATH = "/health/"
# No control socket (gunicornc): nothing here uses it, and its default path in the home folder
# would be shared by every gunicorn of the same user.
control_socket_disable = True


class AccessLogger(glogging.Logger):  # type: ignore[misc]
    """gunicorn's logger, with the access log as a record of fields, not a formatted line, so
    that the JSON formatter writes them as fields and the redaction filter sees the path."""

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: timedelta) -> None:
        if not self.access_log_enabled:
            return
        status = resp.status.split(None, 1)[0] if isinstance(resp.status, str) else resp.status
        response_headers = {name.lower(): value for name, value in resp.headers}
        request_id = response_headers.get(REQUEST_ID_HEADER.lower()) or environ.get(
            "HTTP_X_REQUEST_ID"
        )
        method, path = environ["REQUEST_METHOD"], environ.get("RAW_URI", "")
        if path == HEALTH_PATH and str(status) == "200":
            return  # the container's check, twice a minute: only a failing one is news
        self.access_log.info(
            "%s %s %s",
            method,
            path,
            status,
            extra={
                "request_id": request_id,
                "method": method,
                "path": path,
                "status": int(status),
                "duration_ms": round(request_time.total_seconds() * 1000, 1),
                "bytes": getattr(resp, "sent", None),
                "referer": environ.get("HTTP_REFERER"),
                "user_agent": environ.get("HTTP_USER_AGENT"),
                "client": anonymised_address(environ.get("REMOTE_ADDR", "")),
            },
        )


logger_class = AccessLogger
# The application's logging configuration, gunicorn's own loggers included (core.logging).
logconfig_dict = settings.LOGGING
