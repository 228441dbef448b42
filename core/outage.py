"""When the database does not answer: a plain page with status 503, and the next request tries
again by itself.

`DatabaseUnavailableMiddleware` sits above every middleware that may read the database (sessions,
users, the staff session check). A database error of the "operational" kind — the server cannot
be reached, went away mid-request, the file cannot be opened, a lock or statement timeout — is
turned into templates/503.html, which is rendered without the database: no context processors, no
session, no user, only the language the address or the browser asks for. Errors that are bugs
(a missing table or column, a broken constraint) are not this kind and stay a 500.

An error raised in a view or in a middleware below this one has already been made into a 500
page on its way up (Django wraps each middleware and the view), so the signal that Django sends
before it renders that page marks the request, and this middleware answers a marked request with
the 503 page instead. Django logs the error with its traceback all the same (`django.request`).

Recovery: Django closes a connection that had an error and no longer works at the end of the
request, and with `CONN_HEALTH_CHECKS` it checks a kept connection before reusing it, so the first
request after the database is back gets a new connection.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from django.conf import settings
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import translation

# How long a browser or a monitor should wait before asking again, in seconds.
RETRY_AFTER_SECONDS = 30
UNAVAILABLE = (OperationalError, InterfaceError)
_MARK = "_digipunt_database_unavailable"


def database_unavailable_response(request: HttpRequest) -> HttpResponse:
    """templates/503.html in the visitor's language, built from the request alone."""
    language = translation.get_language_from_request(request, check_path=True)
    context = {
        "LANGUAGE_CODE": language,
        # The same address again: a GET is safe to repeat; a form is better filled in anew.
        "retry_url": request.get_full_path() if request.method in ("GET", "HEAD") else "/",
        "helpline": {"phone": settings.HELPLINE_PHONE, "label": settings.HELPLINE_LABEL},
    }
    with translation.override(language):
        body = render_to_string("503.html", context)
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    response["Content-Language"] = language
    return response


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(request, _MARK, False):
            return database_unavailable_response(request)
        return response


@receiver(got_request_exception, dispatch_uid="core.outage.mark_unavailable")
def mark_unavailable(sender: object, request: HttpRequest | None = None, **kwargs: object) -> None:
    """Sent by Django while it handles an uncaught exception (`sys.exc_info()` is that one)."""
    if request is not None and isinstance(sys.exc_info()[1], UNAVAILABLE):
        setattr(request, _MARK, True)
