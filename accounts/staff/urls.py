"""An organisation's team (invitations, roles, deactivation) and its API tokens, beside their
models (under /<lang>/staff/)."""

from django.urls import path

from accounts.staff import api_tokens, views

urlpatterns = [
    path("organisations/<int:organisation_id>/team/", views.team, name="team"),
    path("organisations/<int:organisation_id>/team/invite/", views.invite, name="team-invite"),
    path(
        "organisations/<int:organisation_id>/team/<int:membership_id>/",
        views.member,
        name="team-member",
    ),
    path(
        "organisations/<int:organisation_id>/api-tokens/",
        api_tokens.token_list,
        name="api-tokens",
    ),
    path(
        "organisations/<int:organisation_id>/api-tokens/<int:token_id>/revoke/",
        api_tokens.token_revoke,
        name="api-token-revoke",
    ),
    # Public: the person opening it has no account yet.
    path("invitation/<str:token>/", views.accept, name="invitation"),
]
