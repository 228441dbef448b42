"""The questions pillar's staff pages, in one URL namespace `questions` (under /<lang>/staff/):
registering contacts, visitor codes and a site's figures."""

from django.urls import include, path

app_name = "questions"
urlpatterns = [
    path("staff/", include("questions.staff.urls")),
    path("staff/", include("questions.staff.figures_urls")),
]
