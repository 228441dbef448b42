"""Reading the audit trail (under /<lang>/staff/)."""

from django.urls import path

from audit.staff import views

app_name = "audit"
urlpatterns = [
    path(
        "organisations/<int:organisation_id>/audit/",
        views.organisation_audit,
        name="organisation-audit",
    ),
]
