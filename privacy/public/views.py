"""The public privacy notice: what a Digipunt keeps about a resident, why, for how long, and
their rights, in plain language. Made from the registry of personal data (`privacy.register`),
so the retention periods are the configured ones."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from core.public_cache import public_page
from privacy.register import kinds


@public_page()
@require_GET
def notice(request: HttpRequest) -> HttpResponse:
    return render(request, "privacy/public/notice.html", {"kinds": kinds()})
