"""The pages that span every domain (under /<lang>/staff/)."""

from django.urls import path

from workspace import views

app_name = "workspace"
urlpatterns = [
    path("", views.home, name="home"),
    path("switch/", views.switch, name="switch"),
    path("sites/<int:site_id>/", views.today, name="today"),
]
