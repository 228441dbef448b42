"""`/health/`: is the application up, and does its database answer? For a load balancer, an
uptime monitor or a container's health check.

One `SELECT 1`, no template, no session and no cookie; never cached. 200
`{"status": "ok", "database": "ok"}` or 503 `{"status": "error", "database": "unavailable"}`
(with `Retry-After`). A broken connection is closed by Django at the end of the request, so the
check after the database is back finds it again.
"""

from __future__ import annotations

import logging

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_safe

from core.outage import RETRY_AFTER_SECONDS, UNAVAILABLE

logger = logging.getLogger(__name__)


@require_safe
def health(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except UNAVAILABLE as error:
        logger.warning("Health check: the database does not answer (%s)", type(error).__name__)
        response = JsonResponse({"status": "error", "database": "unavailable"}, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    else:
        response = JsonResponse({"status": "ok", "database": "ok"})
    response["Cache-Control"] = "no-store"
    return response
