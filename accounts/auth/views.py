"""Pages for signing in and out, two factors and password reset (thin: the flow is in
`accounts.auth.services`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils import formats, timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from accounts.auth import known_browsers, services, throttle, two_factor
from accounts.auth.forms import CodeForm, LoginForm, RecoveryCodeForm
from accounts.auth.services import Step
from accounts.decorators import staff_view
from accounts.permissions import needs_two_factor
from accounts.sessions import TWO_FACTOR_VERIFIED
from core.client import client_ip
from throttling import services as throttling

GET_POST = ["GET", "POST"]


# -- helpers ------------------------------------------------------------------------------------


def _next_url(request: HttpRequest) -> str:
    """Where to go after signing in: only a path on this site, never another host."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


def _after_sign_in(next_url: str) -> HttpResponse:
    return redirect(next_url or resolve_url(settings.LOGIN_REDIRECT_URL))


def _with_next(name: str, next_url: str) -> str:
    url = reverse(name)
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def _paused_message(until: datetime) -> str:
    local = timezone.localtime(until)
    minutes = max(1, round((until - timezone.now()).total_seconds() / 60))
    return ngettext(
        "Too many attempts that did not succeed. For your safety, signing in is paused for "
        "this account or this connection. Try again in %(minutes)s minute, at %(time)s.",
        "Too many attempts that did not succeed. For your safety, signing in is paused for "
        "this account or this connection. Try again in %(minutes)s minutes, at %(time)s.",
        minutes,
    ) % {"minutes": minutes, "time": formats.time_format(local, "H:i")}


def _start_again(request: HttpRequest, next_url: str) -> HttpResponse:
    messages.info(
        request, _("That took too long, or the first step is missing. Please sign in again.")
    )
    return redirect(_with_next("accounts:login", next_url))


# -- signing in ---------------------------------------------------------------------------------


@sensitive_post_parameters("password")
@never_cache
@require_http_methods(GET_POST)
def login_view(request: HttpRequest) -> HttpResponse:
    next_url = _next_url(request)
    user = request.user
    if request.method == "GET" and _half_signed_in(request):
        # Signed in with the password only: the way on is the second factor, not a new login.
        target = (
            "accounts:two-factor-verify"
            if two_factor.confirmed_device(user)
            else "accounts:two-factor-setup"
        )
        return redirect(_with_next(target, next_url))
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = services.password_step(
            request, email=form.cleaned_data["email"], password=form.cleaned_data["password"]
        )
        if outcome.step == Step.NEEDS_CODE:
            return redirect(_with_next("accounts:two-factor-verify", next_url))
        if outcome.step == Step.NEEDS_SETUP:
            return known_browsers.remember(
                request,
                redirect(_with_next("accounts:two-factor-setup", next_url)),
                form.cleaned_data["email"],
            )
        if outcome.step == Step.SIGNED_IN:
            return known_browsers.remember(
                request, _after_sign_in(next_url), form.cleaned_data["email"]
            )
        if outcome.step == Step.PAUSED and outcome.paused_until is not None:
            form.add_error(None, _paused_message(outcome.paused_until))
        else:
            # The same words for an unknown address: they must not tell who has an account.
            form.add_error(
                None,
                _("The email address or the password is not right. Check both and try again."),
            )
    context = {
        "form": form,
        "next": next_url,
        # The staff gate sends people here with ?next= when they are not (or no longer)
        # signed in; ?expired=1 says for sure that a session just ran out.
        "expired": request.GET.get("expired") == "1",
        "asked_for_page": bool(next_url) and not user.is_authenticated,
        "signed_in_as": user if user.is_authenticated else None,
        "idle_minutes": settings.STAFF_SESSION_IDLE_SECONDS // 60,
        "max_hours": settings.STAFF_SESSION_MAX_SECONDS // 3600,
    }
    return render(request, "accounts/staff/login.html", context)


@sensitive_post_parameters("code")
@never_cache
@require_http_methods(GET_POST)
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    return _second_factor_page(
        request, CodeForm, services.code_step, "accounts/staff/two_factor_verify.html"
    )


@sensitive_post_parameters("code")
@never_cache
@require_http_methods(GET_POST)
def recovery_verify(request: HttpRequest) -> HttpResponse:
    return _second_factor_page(
        request, RecoveryCodeForm, services.recovery_step, "accounts/staff/recovery_verify.html"
    )


def _second_factor_page(
    request: HttpRequest,
    form_class: type[CodeForm] | type[RecoveryCodeForm],
    step: Callable[..., services.Outcome],
    template_name: str,
) -> HttpResponse:
    next_url = _next_url(request)
    person, _backend = services.second_factor_person(request)
    if person is None or two_factor.confirmed_device(person) is None:
        return _start_again(request, next_url)
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = step(request, code=form.cleaned_data["code"])
        if outcome.step == Step.SIGNED_IN:
            if outcome.recovery_codes_left is not None:
                # Probably a lost phone: first to the page where a new one is set up.
                messages.warning(request, _recovery_left_message(outcome.recovery_codes_left))
                response = redirect(_with_next("accounts:recovery-codes", next_url))
            else:
                response = _after_sign_in(next_url)
            return known_browsers.remember(request, response, person.email)
        if outcome.step == Step.START_AGAIN:
            return _start_again(request, next_url)
        if outcome.step == Step.PAUSED and outcome.paused_until is not None:
            form.add_error(None, _paused_message(outcome.paused_until))
        else:
            form.add_error("code", _code_wrong_message(form_class))
    return render(request, template_name, {"form": form, "next": next_url})


def _code_wrong_message(form_class: type) -> str:
    if form_class is RecoveryCodeForm:
        return _("This recovery code is not right, or it was used before.")
    return _("This code is not right. Wait for a new code in the app and type that one.")


def _recovery_left_message(left: int) -> str:
    return ngettext(
        "You signed in with a recovery code. You have %(count)s code left.",
        "You signed in with a recovery code. You have %(count)s codes left.",
        left,
    ) % {"count": left}


# -- setting up the app and recovery codes ------------------------------------------------------


@sensitive_post_parameters("code")
@never_cache
@require_http_methods(GET_POST)
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    next_url = _next_url(request)
    if not request.user.is_authenticated:
        return redirect(_with_next("accounts:login", request.get_full_path()))
    if not services.may_set_up_two_factor(request):
        return redirect(_with_next("accounts:two-factor-verify", next_url))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = services.two_factor_setup_confirm(request, code=form.cleaned_data["code"])
        if codes is not None:
            # Shown in this response only (not after a redirect; never_cache keeps it out of
            # any cache), so they are never shown again.
            return render(
                request,
                "accounts/staff/recovery_codes_new.html",
                {"codes": codes, "next": next_url or resolve_url(settings.LOGIN_REDIRECT_URL)},
            )
        form.add_error(
            "code",
            _("This code does not match. Check that the app shows Digipunt and try a new code."),
        )
    secret = services.setup_secret(request)
    uri = two_factor.provisioning_uri(secret=secret, email=request.user.email)
    context = {
        "form": form,
        "next": next_url,
        # segno's SVG holds only shapes (the address is encoded in them), never text to escape.
        "qr_svg": mark_safe(two_factor.qr_svg(uri)),
        "secret_grouped": two_factor.secret_grouped(secret),
        "replacing": two_factor.confirmed_device(request.user) is not None,
    }
    return render(request, "accounts/staff/two_factor_setup.html", context)


@sensitive_post_parameters("code")
@require_http_methods(GET_POST)
@staff_view
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """A person's sign-in security: new recovery codes, a new phone, sign out everywhere."""
    if two_factor.confirmed_device(request.user) is None:
        return redirect("accounts:two-factor-setup")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = services.recovery_codes_renew(request, code=form.cleaned_data["code"])
        if outcome.step == Step.SIGNED_IN:
            return render(
                request,
                "accounts/staff/recovery_codes_new.html",
                {"codes": outcome.recovery_codes, "next": resolve_url(settings.LOGIN_REDIRECT_URL)},
            )
        if outcome.step == Step.PAUSED and outcome.paused_until is not None:
            form.add_error(None, _paused_message(outcome.paused_until))
        else:
            form.add_error("code", _code_wrong_message(CodeForm))
    context = {
        "form": form,
        "left": two_factor.recovery_codes_left(request.user),
        "next": _next_url(request) or resolve_url(settings.LOGIN_REDIRECT_URL),
    }
    return render(request, "accounts/staff/recovery_codes.html", context)


# -- signing out --------------------------------------------------------------------------------


@never_cache
@require_http_methods(GET_POST)
def logout_view(request: HttpRequest) -> HttpResponse:
    """POST signs out; GET only asks (a link or a prefetch must never sign anyone out)."""
    if request.method == "POST":
        services.sign_out(request)
        messages.success(request, _("You are signed out."))
        return redirect("accounts:login")
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    return render(
        request, "accounts/staff/logout.html", {"everywhere": not _half_signed_in(request)}
    )


@require_POST
def logout_everywhere(request: HttpRequest) -> HttpResponse:
    """Ends every session of the person. Someone past the password only (while their roles
    need two factors) is signed out here alone: a stolen password must not end the owner's
    sessions."""
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    if not _half_signed_in(request):
        services.sign_out_everywhere(request)
        messages.success(request, _("You are signed out on all computers, tablets and phones."))
    else:
        services.sign_out(request)
        messages.success(request, _("You are signed out."))
    return redirect("accounts:login")


def _half_signed_in(request: HttpRequest) -> bool:
    """Signed in with the password alone, while the person's roles need two factors."""
    user = request.user
    return bool(
        user.is_authenticated
        and needs_two_factor(user)
        and not request.session.get(TWO_FACTOR_VERIFIED)
    )


# -- password reset: Django's views and forms, our templates and email ---------------------------


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/staff/password_reset_form.html"
    email_template_name = "accounts/messages/password_reset.txt"
    subject_template_name = "accounts/messages/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password-reset-done")

    @property
    def extra_email_context(self) -> dict[str, str]:  # type: ignore[override]
        # The public address from the settings, not the Host header of whoever asked.
        return {"site_url": settings.SITE_URL}

    def form_valid(self, form: Any) -> HttpResponse:
        """Send the email only within the limits per address and per email address (counted
        for every address typed, with or without an account, so the answer tells nothing)."""
        free_at = throttling.attempt_take(
            [
                (throttling.rule("password-reset-address"), client_ip(self.request)),
                (throttling.rule("password-reset-email"), form.cleaned_data["email"]),
            ]
        )
        if free_at is not None:
            form.add_error(None, _too_many_message(free_at))
            return self.form_invalid(form)
        return super().form_valid(form)


def _too_many_message(free_at: datetime) -> str:
    return _(
        "We received too many requests for this. For everyone's safety, please try again "
        "at %(time)s."
    ) % {"time": formats.time_format(timezone.localtime(free_at), "H:i")}


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/staff/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password-reset-complete")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        # Whoever paused sign-in by guessing, the owner who proved their email starts afresh.
        throttle.failed_logins_clear(email=self.user.email)
        return response


# Forms of the staff side: never kept by a browser or a proxy (as every staff page).
password_reset = never_cache(PasswordResetView.as_view())
password_reset_done = never_cache(
    auth_views.PasswordResetDoneView.as_view(
        template_name="accounts/staff/password_reset_done.html"
    )
)
password_reset_confirm = PasswordResetConfirmView.as_view()
password_reset_complete = never_cache(
    auth_views.PasswordResetCompleteView.as_view(
        template_name="accounts/staff/password_reset_complete.html"
    )
)
