"""The one gate in front of every staff view."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from accounts.permissions import needs_two_factor
from accounts.sessions import TWO_FACTOR_VERIFIED

View = Callable[..., HttpResponse]


def staff_view(view: View) -> View:
    """Signed in, and past the second factor wherever the person's roles require one.

    Someone who must use two factors but has not set them up yet is sent to the set-up page.
    Staff pages are never cached (shared computers).
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            login_url = reverse("accounts:login")
            if getattr(request, "session_expired", False):
                login_url += "?expired=1"  # the login page then says why
            return redirect_to_login(request.get_full_path(), login_url)
        # The session flag first: once verified, no query is needed to know it is not required.
        if not request.session.get(TWO_FACTOR_VERIFIED) and needs_two_factor(user):
            has_device = hasattr(user, "totp_device") and user.totp_device.confirmed_at
            target = "accounts:two-factor-verify" if has_device else "accounts:two-factor-setup"
            return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
        response = view(request, *args, **kwargs)
        response.headers["Cache-Control"] = "no-store"
        return response

    return wrapped
