"""The network's pages, in one URL namespace `network` (under /<lang>/): the public finder and
site pages, and the staff pages of a site's information and an organisation's sites."""

from django.urls import include, path

app_name = "network"
urlpatterns = [
    path("staff/", include("network.staff.urls")),
    path("", include("network.public.urls")),
]
