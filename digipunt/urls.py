"""URL map: public and staff pages under a language prefix (/nl/, /fr/, /en/); open data and the
platform admin without one."""

from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path

from digipunt.admin import site as admin_site

urlpatterns = [
    path("api/v1/", include("questions.api.urls")),
    path("api/", include("network.api.urls")),
    path("admin/", admin_site.urls),
]

urlpatterns += i18n_patterns(
    path("staff/", include("accounts.urls")),
    path("staff/", include("accounts.staff.urls")),
    path("staff/", include("audit.staff.urls")),
    path("staff/", include("network.staff.urls")),
    path("staff/", include("questions.staff.urls")),
    path("staff/", include("questions.staff.figures_urls")),
    path("staff/", include("questions.api.staff_urls")),
    path("staff/", include("appointments.staff.urls")),
    path("staff/", include("referrals.staff.urls")),
    path("", include("appointments.public.urls")),
    path("", include("network.public.urls")),
    prefix_default_language=True,
)
