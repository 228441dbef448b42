"""Every form is sent once: a second submission of the same form gets the first one's answer.

A double click, the back button or a slow connection can send a form twice. Each POST form
carries a random token (`{% once %}`, next to `{% csrf_token %}`); this middleware remembers,
for a while, what became of each token in the shared cache (`default`: the database or Redis
in production, so every process knows it):

- the first POST with a token claims it (`cache.add`, atomic) and runs the view;
- when the view answered with a redirect (the form was accepted: post/redirect/get), the
  redirect is remembered, and a second POST with the same token gets that same redirect without
  running the view again (nothing is booked, lent or saved twice);
- when the view answered otherwise (the form came back with a message), the token is released,
  so the corrected form can be sent;
- a second POST while the first is still running waits for it (a few seconds), then answers
  as above, or with a page that says the form is on its way.

Tokens are scoped to the session or, without one, the address, so nobody can replay another
person's answer. Forms that answer a POST with a page instead of a redirect (a booking's
confirmation, a course registration) recognise a second submission themselves (their services
refuse a duplicate).
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.html import format_html

FIELD = "_once"
REMEMBER_SECONDS = 10 * 60
WAIT_SECONDS = 5.0
PENDING = "pending"


def once_field() -> str:
    """The hidden input with a new token, for `{% once %}`."""
    return format_html(
        '<input type="hidden" name="{}" value="{}">', FIELD, secrets.token_urlsafe(16)
    )


def _key(request: HttpRequest, token: str) -> str:
    session = getattr(request, "session", None)
    owner = (session.session_key if session is not None else None) or request.META.get(
        "REMOTE_ADDR", ""
    )
    digest = hashlib.sha256(f"{owner}\0{token}".encode()).hexdigest()
    return f"once:{digest}"


class SubmitOnceMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = request.POST.get(FIELD, "")[:64] if request.method == "POST" else ""
        if not token:
            return self.get_response(request)
        key = _key(request, token)
        if not cache.add(key, PENDING, REMEMBER_SECONDS):
            return self._answer_again(request, key)
        try:
            response = self.get_response(request)
        except BaseException:
            cache.delete(key)
            raise
        if response.status_code in (301, 302, 303):
            cache.set(key, response["Location"], REMEMBER_SECONDS)
        else:
            cache.delete(key)
        return response

    def _answer_again(self, request: HttpRequest, key: str) -> HttpResponse:
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            found = cache.get(key)
            if found is None:
                # The first one came back with a message: this one may go ahead.
                return self.get_response(request)
            if found != PENDING:
                return HttpResponseRedirect(found)
            if time.monotonic() > deadline:
                response = render(request, "core/sending.html", status=409)
                response["Cache-Control"] = "no-store"
                return response
            time.sleep(0.1)
