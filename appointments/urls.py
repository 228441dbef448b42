"""The appointments' pages, in one URL namespace `appointments` (under /<lang>/): the staff agenda
and booking settings, and the public pages where a resident books (`online-…`)."""

from django.urls import include, path

app_name = "appointments"
urlpatterns = [
    path("staff/", include("appointments.staff.urls")),
    path("", include("appointments.public.urls")),
]
