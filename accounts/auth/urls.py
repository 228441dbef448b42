"""Signing in and out, two factors, password reset (under /<lang>/staff/)."""

from django.urls import path

from accounts.auth import views

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/code/", views.two_factor_verify, name="two-factor-verify"),
    path("login/recovery/", views.recovery_verify, name="recovery-verify"),
    path("two-factor/setup/", views.two_factor_setup, name="two-factor-setup"),
    path("two-factor/recovery-codes/", views.recovery_codes, name="recovery-codes"),
    path("logout/", views.logout_view, name="logout"),
    path("logout-everywhere/", views.logout_everywhere, name="logout-everywhere"),
    path("password/reset/", views.password_reset, name="password-reset"),
    path("password/reset/done/", views.password_reset_done, name="password-reset-done"),
    path(
        "password/reset/<uidb64>/<token>/",
        views.password_reset_confirm,
        name="password-reset-confirm",
    ),
    path(
        "password/reset/complete/",
        views.password_reset_complete,
        name="password-reset-complete",
    ),
]
