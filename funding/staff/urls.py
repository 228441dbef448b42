"""Staff pages of funding (under /<lang>/staff/funding/)."""

from django.urls import path

from funding.staff import views

urlpatterns = [
    path("", views.grants, name="grants"),
    path("organisations/<int:organisation_id>/new/", views.grant_add, name="grant-add"),
    path("grants/<int:grant_id>/edit/", views.grant_edit, name="grant-edit"),
    path("grants/<int:grant_id>/delete/", views.grant_delete, name="grant-delete"),
]
