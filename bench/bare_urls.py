"""The project's URLs plus one bare Django view, the baseline the benchmarks divide by.

The bare view goes through the same middleware as every page but renders nothing and asks the
database nothing, so "page time / bare time" is a figure that holds from one machine to another
far better than milliseconds do on a shared, noisy machine.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from digipunt.urls import urlpatterns as project_urlpatterns


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/bare/", bare), *project_urlpatterns]
