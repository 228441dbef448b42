"""Privacy's pages, in one URL namespace `privacy` (under /<lang>/): the public privacy notice,
and the staff's pages for residents' requests, retention and the register of processing."""

from django.urls import include, path

from privacy.public import views

app_name = "privacy"
urlpatterns = [
    path("staff/privacy/", include("privacy.staff.urls")),
    path("privacy/", views.notice, name="notice"),
]
