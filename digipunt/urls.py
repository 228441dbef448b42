"""URL map: public and staff pages under a language prefix (/nl/, /fr/, /en/); open data, the
contacts API and the platform admin without one.

One URL namespace per app (`network:site`, `appointments:agenda`...); an app's API, which has no
language prefix, has a second one named `<app>_api`. Staff pages are under /<lang>/staff/.
"""

from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path

from accounts.admin_site import site as admin_site
from core.health import health
from workspace.openapi import openapi_document

urlpatterns = [
    path("api/v1/", include("questions.api.urls")),
    # The one OpenAPI document of every API (each API describes its own part).
    path("api/openapi.json", openapi_document, name="openapi"),
    path("api/", include("network.api.urls")),
    path("admin/", admin_site.urls),
    path("health/", health, name="health"),
]

urlpatterns += i18n_patterns(
    path("staff/", include("workspace.urls")),
    path("", include("accounts.urls")),
    path("staff/", include("audit.staff.urls")),
    path("", include("questions.urls")),
    path("", include("appointments.urls")),
    path("", include("lending.urls")),
    path("", include("learning.urls")),
    path("", include("funding.urls")),
    path("", include("insights.urls")),
    path("staff/", include("referrals.staff.urls")),
    path("", include("privacy.urls")),
    path("", include("network.urls")),
    prefix_default_language=True,
)
