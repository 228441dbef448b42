"""The authenticated API for posting contacts from other tools (under /api/v1/).

Like the open-data paths, this one has no trailing slash, and it is described in the OpenAPI
document (`questions.api.openapi`); a test checks that they stay in step.
"""

from django.urls import path

from questions.api import views

app_name = "questions_api"
urlpatterns = [
    path("contacts", views.contacts, name="contacts"),
]
