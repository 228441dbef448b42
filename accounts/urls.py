"""The accounts' pages, in one URL namespace `accounts` (under /<lang>/staff/): signing in, two
factors and password reset; an organisation's team and API tokens; accepting an invitation."""

from django.urls import include, path

app_name = "accounts"
urlpatterns = [
    path("staff/", include("accounts.auth.urls")),
    path("staff/", include("accounts.staff.urls")),
]
