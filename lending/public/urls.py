"""The borrower's own page, without an account (under /<lang>/)."""

from django.urls import path

from lending.public import views

urlpatterns = [
    path("loans/<str:token>/", views.private, name="private"),
]
