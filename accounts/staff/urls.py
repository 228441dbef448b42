"""An organisation's team: invitations, roles, deactivation (under /<lang>/staff/)."""

from django.urls import path

from accounts.staff import views

app_name = "team"
urlpatterns = [
    path("organisations/<int:organisation_id>/team/", views.team, name="team"),
    path("organisations/<int:organisation_id>/team/invite/", views.invite, name="invite"),
    path(
        "organisations/<int:organisation_id>/team/<int:membership_id>/",
        views.member,
        name="member",
    ),
    # Public: the person opening it has no account yet.
    path("invitation/<str:token>/", views.accept, name="accept"),
]
