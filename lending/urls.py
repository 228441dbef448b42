"""Lending's pages, in one URL namespace `lending` (under /<lang>/): the staff desk, inventory and
loans, and the borrower's private page (`private`)."""

from django.urls import include, path

app_name = "lending"
urlpatterns = [
    path("staff/", include("lending.staff.urls")),
    path("", include("lending.public.urls")),
]
