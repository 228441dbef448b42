"""The sign-in flow and the other security actions of a person on their own account.

Signing in takes one or two steps. The password step proves the password; a person with an
authenticator app then becomes "half signed in": only their id sits in the session, for five
minutes, and nothing but the code step reads it. Only the last step signs them in for real
(`django.contrib.auth.login`, which gives the session a new key), starts the staff session clock
and, where a code was given, marks the session as past the second factor.

Someone whose roles need two factors but who has no app yet is signed in after the password
step *without* that mark and sent to set it up; `accounts.decorators.staff_view` keeps every
staff page closed to them until then.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from django.contrib.auth import authenticate, login, logout
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.auth import known_browsers, throttle, two_factor
from accounts.models import FailedLogin, User
from accounts.permissions import needs_two_factor
from accounts.sessions import TWO_FACTOR_VERIFIED, start_session
from audit.services import log_action
from core.client import client_ip

# Between the password step and the code step: {"user", "backend", "hash", "until"}.
PENDING_SIGN_IN = "digipunt_pending_sign_in"
PENDING_SECONDS = 5 * 60
# The new secret while a person sets up their app, until a code confirms it.
SETUP_SESSION_KEY = "digipunt_setup_key"


class Step(StrEnum):
    SIGNED_IN = "signed_in"  # all the way in
    NEEDS_CODE = "needs_code"  # password right; now the code from the app
    NEEDS_SETUP = "needs_setup"  # signed in, but must set up the app before any staff page
    FAILED = "failed"  # wrong password, unknown address or wrong code (recorded)
    PAUSED = "paused"  # too many failures: refused without checking anything
    START_AGAIN = "start_again"  # no (or an expired) password step behind this code


@dataclass(frozen=True)
class Outcome:
    step: Step
    paused_until: datetime | None = None
    recovery_codes_left: int | None = None
    recovery_codes: list[str] = field(default_factory=list)


def _begin(email: str, request: HttpRequest) -> tuple[datetime | None, FailedLogin | None]:
    """The end of a pause, or this attempt counted as failed until it succeeds: checked and
    counted in one step (`throttle.attempt_begin`)."""
    return throttle.attempt_begin(
        email=email,
        ip_address=client_ip(request),
        known_browser=known_browsers.is_known(request, email),
    )


# -- the steps ----------------------------------------------------------------------------------


def password_step(request: HttpRequest, *, email: str, password: str) -> Outcome:
    """Check the password, unless this account or address is paused after too many failures.

    Unknown addresses and wrong passwords give the same outcome (and take about as long, as
    Django's backend hashes the password in both cases).
    """
    email = email.strip().lower()
    paused_until, attempt = _begin(email, request)
    if attempt is None:
        return Outcome(Step.PAUSED, paused_until=paused_until)
    user = authenticate(request, email=email, password=password)
    if user is None:
        return Outcome(Step.FAILED)
    attempt.delete()
    if two_factor.confirmed_device(user) is not None:
        # Anyone who set up an app uses it, also when their roles would not require it.
        request.session[PENDING_SIGN_IN] = {
            "user": user.pk,
            "backend": user.backend,
            "hash": user.get_session_auth_hash(),
            "until": int(time.time()) + PENDING_SECONDS,
        }
        # A session id planted before the password step is worth nothing after it.
        request.session.cycle_key()
        return Outcome(Step.NEEDS_CODE)
    sign_in_finish(request, user, backend=user.backend, two_factor_verified=False)
    return Outcome(Step.NEEDS_SETUP if needs_two_factor(user) else Step.SIGNED_IN)


def pending_user(request: HttpRequest) -> User | None:
    """The person who passed the password step in this session in the last five minutes."""
    pending = request.session.get(PENDING_SIGN_IN)
    if not isinstance(pending, dict) or pending.get("until", 0) < time.time():
        return None
    user = User.objects.filter(pk=pending.get("user"), is_active=True).first()
    # A password changed in the meantime also ends the half-finished sign-in.
    if user is None or user.get_session_auth_hash() != pending.get("hash"):
        return None
    return user


def second_factor_person(request: HttpRequest) -> tuple[User | None, str | None]:
    """Who is giving a code here: the half-signed-in person, or someone signed in with the
    password only (who set up an app in another session since). The backend is for `login`."""
    user = pending_user(request)
    if user is not None:
        return user, request.session[PENDING_SIGN_IN]["backend"]
    if request.user.is_authenticated and not request.session.get(TWO_FACTOR_VERIFIED):
        return request.user, None
    return None, None


def code_step(request: HttpRequest, *, code: str) -> Outcome:
    """The 6-digit code from the app, after the password step."""
    user, backend = second_factor_person(request)
    device = two_factor.confirmed_device(user) if user is not None else None
    if user is None or device is None:
        return Outcome(Step.START_AGAIN)
    paused_until, attempt = _begin(user.email, request)
    if attempt is None:
        return Outcome(Step.PAUSED, paused_until=paused_until)
    if not two_factor.totp_device_verify(device=device, code=code):
        return Outcome(Step.FAILED)
    attempt.delete()
    _second_factor_passed(request, user, backend)
    return Outcome(Step.SIGNED_IN)


def recovery_step(request: HttpRequest, *, code: str) -> Outcome:
    """A recovery code instead of the app's code; each one works once."""
    user, backend = second_factor_person(request)
    if user is None or two_factor.confirmed_device(user) is None:
        return Outcome(Step.START_AGAIN)
    paused_until, attempt = _begin(user.email, request)
    if attempt is None:
        return Outcome(Step.PAUSED, paused_until=paused_until)
    with transaction.atomic():
        if not two_factor.recovery_code_use(user=user, code=code):
            return Outcome(Step.FAILED)
        log_action(actor=user, action="recovery_code_used", target=user)
    attempt.delete()
    _second_factor_passed(request, user, backend)
    return Outcome(Step.SIGNED_IN, recovery_codes_left=two_factor.recovery_codes_left(user))


def _second_factor_passed(request: HttpRequest, user: User, backend: str | None) -> None:
    if request.user.is_authenticated and request.user.pk == user.pk and backend is None:
        # Signed in with the password earlier: only the mark is new, but a session that gains
        # rights gets a new key all the same.
        request.session.cycle_key()
        request.session[TWO_FACTOR_VERIFIED] = True
        throttle.failed_logins_clear(email=user.email)
    else:
        sign_in_finish(request, user, backend=backend, two_factor_verified=True)


def sign_in_finish(
    request: HttpRequest, user: User, *, backend: str | None, two_factor_verified: bool
) -> None:
    """Sign `user` in for real: new session key, staff session clock, second-factor mark."""
    already_this_user = request.user.is_authenticated and request.user.pk == user.pk
    request.session.pop(PENDING_SIGN_IN, None)
    login(request, user, backend=backend)
    if already_this_user:
        # `login` keeps the key when the same person signs in again; we want a new one anyway.
        request.session.cycle_key()
    start_session(request)
    if two_factor_verified:
        request.session[TWO_FACTOR_VERIFIED] = True
    else:
        request.session.pop(TWO_FACTOR_VERIFIED, None)
    throttle.failed_logins_clear(email=user.email)


# -- setting up the app and recovery codes ------------------------------------------------------


def may_set_up_two_factor(request: HttpRequest) -> bool:
    """Setting up (or replacing) the app: for someone without one, or past the second factor.

    Never for someone signed in with the password only while an app exists: that would let a
    stolen password replace the real owner's app.
    """
    user = request.user
    if not user.is_authenticated:
        return False
    return two_factor.confirmed_device(user) is None or bool(
        request.session.get(TWO_FACTOR_VERIFIED)
    )


def setup_secret(request: HttpRequest) -> str:
    """The secret being set up in this session (a new one the first time)."""
    secret = request.session.get(SETUP_SESSION_KEY)
    if not secret:
        secret = request.session[SETUP_SESSION_KEY] = two_factor.secret_new()
    return secret


def two_factor_setup_confirm(request: HttpRequest, *, code: str) -> list[str] | None:
    """Save the app once a code from it matches; returns the new recovery codes (shown once)."""
    user = request.user
    secret = request.session.get(SETUP_SESSION_KEY)
    if not secret or not may_set_up_two_factor(request):
        return None
    with transaction.atomic():
        if not two_factor.totp_device_confirm(user=user, secret=secret, code=code):
            return None
        codes = two_factor.recovery_codes_issue(user=user)
        log_action(actor=user, action="two_factor_set_up", target=user)
    request.session.pop(SETUP_SESSION_KEY, None)
    request.session.cycle_key()
    request.session[TWO_FACTOR_VERIFIED] = True
    return codes


def recovery_codes_renew(request: HttpRequest, *, code: str) -> Outcome:
    """Ten new recovery codes in place of the old ones, for a current code from the app."""
    user = request.user
    device = two_factor.confirmed_device(user)
    if device is None:
        return Outcome(Step.START_AGAIN)
    paused_until, attempt = _begin(user.email, request)
    if attempt is None:
        return Outcome(Step.PAUSED, paused_until=paused_until)
    if not two_factor.totp_device_verify(device=device, code=code):
        return Outcome(Step.FAILED)
    attempt.delete()
    with transaction.atomic():
        codes = two_factor.recovery_codes_issue(user=user)
        log_action(actor=user, action="recovery_codes_renewed", target=user)
    return Outcome(Step.SIGNED_IN, recovery_codes=codes)


# -- signing out --------------------------------------------------------------------------------


def sign_out(request: HttpRequest) -> None:
    logout(request)


def sign_out_everywhere(request: HttpRequest) -> None:
    """End every session of this person, on every device, this one included."""
    user = request.user
    with transaction.atomic():
        user.sessions_valid_after = timezone.now()
        user.save(update_fields=["sessions_valid_after"])
        log_action(actor=user, action="signed_out_everywhere", target=user)
    logout(request)
