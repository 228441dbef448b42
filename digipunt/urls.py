"""URL map: public pages under a language prefix (/nl/, /fr/, /en/); open data without one."""

from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path

urlpatterns = [
    path("api/", include("network.api.urls")),
]

urlpatterns += i18n_patterns(
    path("", include("network.public.urls")),
    prefix_default_language=True,
)
