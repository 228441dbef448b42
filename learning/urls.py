"""Learning's pages, in one URL namespace `learning` (under /<lang>/): the public course finder,
course pages, registration and the participant's private page; the staff's courses, sessions and
rosters."""

from django.urls import include, path

app_name = "learning"
urlpatterns = [
    path("staff/", include("learning.staff.urls")),
    path("", include("learning.public.urls")),
]
