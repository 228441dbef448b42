"""The staff back-office of sites (under /<lang>/staff/)."""

from django.urls import path

from network.staff import views

urlpatterns = [
    path("sites/<int:site_id>/edit/", views.site_edit, name="site-edit"),
    path("sites/<int:site_id>/hours/", views.site_hours, name="site-hours"),
    path("sites/<int:site_id>/verify/", views.site_verify, name="site-verify"),
    path(
        "organisations/<int:organisation_id>/sites/new/",
        views.site_create,
        name="site-create",
    ),
    path(
        "organisations/<int:organisation_id>/sites/",
        views.organisation_sites,
        name="organisation-sites",
    ),
]
