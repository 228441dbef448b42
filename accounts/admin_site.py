"""The Django admin site, for platform admins only (and only past the second factor).

It lives in `accounts` because it is guarded by accounts' sign-in and second factor; each app's
`admin.py` registers its models on `site`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext_lazy as _

from accounts.sessions import TWO_FACTOR_VERIFIED


class PlatformAdminSite(admin.AdminSite):
    site_header = _("Digipunt platform admin")
    site_title = _("Digipunt platform admin")

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(
            user.is_active and user.is_superuser and request.session.get(TWO_FACTOR_VERIFIED)
        )

    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        """No second way in: the admin's own login form would skip the second factor and the
        throttling, so everyone signs in through ours and comes back here."""
        next_url = request.GET.get("next", "")
        if not url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            next_url = reverse("admin:index", current_app=self.name)
        return redirect(f"{reverse('accounts:login')}?{urlencode({'next': next_url})}")


site = PlatformAdminSite(name="admin")
