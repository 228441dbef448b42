"""Staff sessions on shared computers: they end after 30 idle minutes and after 12 hours in any
case, and "log out everywhere" ends all of a person's sessions at once."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

SESSION_STARTED = "digipunt_started"
SESSION_LAST_SEEN = "digipunt_last_seen"
TWO_FACTOR_VERIFIED = "digipunt_2fa"


def start_session(request: HttpRequest) -> None:
    """Call right after a successful sign-in (password, and second factor where needed)."""
    # A float: a sign-in in the same second as "log out everywhere" must still count as after it.
    now = time.time()
    request.session[SESSION_STARTED] = now
    request.session[SESSION_LAST_SEEN] = now


def session_expired(request: HttpRequest, now: float) -> bool:
    started = request.session.get(SESSION_STARTED)
    last_seen = request.session.get(SESSION_LAST_SEEN)
    if started is None or last_seen is None:
        return True
    if now - last_seen > settings.STAFF_SESSION_IDLE_SECONDS:
        return True
    if now - started > settings.STAFF_SESSION_MAX_SECONDS:
        return True
    valid_after = request.user.sessions_valid_after
    return valid_after is not None and started < valid_after.timestamp()


class StaffSessionMiddleware:
    """Ends an expired staff session before the view runs; otherwise notes the activity."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            if session_expired(request, now):
                logout(request)
                request.session_expired = True  # type: ignore[attr-defined]
            else:
                # Only write the session when the minute changes, not on every request.
                if now - request.session[SESSION_LAST_SEEN] >= 60:
                    request.session[SESSION_LAST_SEEN] = int(now)
        return self.get_response(request)
