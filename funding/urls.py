"""Funding's pages, in one URL namespace `funding` (under /<lang>/): the staff's grants."""

from django.urls import include, path

app_name = "funding"
urlpatterns = [
    path("staff/funding/", include("funding.staff.urls")),
]
