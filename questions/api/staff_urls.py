"""Staff pages where an organisation admin makes and revokes API tokens (under /<lang>/staff/)."""

from django.urls import path

from questions.api import staff_views

app_name = "api_tokens"
urlpatterns = [
    path(
        "organisations/<int:organisation_id>/api-tokens/",
        staff_views.token_list,
        name="list",
    ),
    path(
        "organisations/<int:organisation_id>/api-tokens/<int:token_id>/revoke/",
        staff_views.token_revoke,
        name="revoke",
    ),
]
