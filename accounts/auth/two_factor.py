"""The second factor: codes from an authenticator app (TOTP, RFC 6238) and recovery codes.

A TOTP code is accepted one time step (30 s) early or late, for clocks that drift, and never
twice: the device remembers the last accepted step and only a later step counts. Recovery codes
are stored as password hashes; each works once.
"""

from __future__ import annotations

import hmac
import secrets
import time

import pyotp
import segno
from django.contrib.auth.hashers import Argon2PasswordHasher, check_password, make_password
from django.db import transaction
from django.utils import timezone

from accounts.models import RecoveryCode, TOTPDevice, User

ISSUER = "Digipunt"
TOTP_DIGITS = 6
TOTP_STEP_SECONDS = 30
# One step either side: a phone clock a little off still works.
TOTP_TOLERANCE_STEPS = 1
RECOVERY_CODE_COUNT = 10
# Easy to read aloud and to copy from paper: no 0/o, 1/l/i.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_CODE_LENGTH = 10  # about 49 bits: guessing is hopeless, so a lighter hash is enough


class RecoveryCodeHasher(Argon2PasswordHasher):
    """Argon2id at the OWASP minimum (19 MiB, 2 passes) instead of the password settings.

    Recovery codes are random, not chosen by people, so they need no protection against
    dictionary attacks; the lighter setting keeps issuing and checking ten codes well under a
    second. The parameters live in each hash, so Django's `check_password` verifies it as usual.
    """

    memory_cost = 19 * 1024
    time_cost = 2
    parallelism = 1


_recovery_hasher = RecoveryCodeHasher()


# -- TOTP ---------------------------------------------------------------------------------------


def secret_new() -> str:
    """A fresh shared secret (160 bits, base32) for an authenticator app."""
    return pyotp.random_base32(32)


def secret_grouped(secret: str) -> str:
    """The secret in groups of four, easier to type into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def provisioning_uri(*, secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The otpauth:// address as an inline SVG QR code (no JavaScript, no image request)."""
    return segno.make(uri, error="m").svg_inline(scale=5, dark="#000", light="#fff")


def _normalise_code(code: str) -> str:
    return "".join(code.split()).replace("-", "")


def totp_matching_step(secret: str, code: str, *, now: float | None = None) -> int | None:
    """The time step whose code equals `code` (within the tolerance), or None."""
    code = _normalise_code(code)
    if len(code) != TOTP_DIGITS or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret, digits=TOTP_DIGITS, interval=TOTP_STEP_SECONDS)
    current = int((time.time() if now is None else now) // TOTP_STEP_SECONDS)
    for step in range(current - TOTP_TOLERANCE_STEPS, current + TOTP_TOLERANCE_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed_at__isnull=False).first()


def totp_device_verify(*, device: TOTPDevice, code: str, now: float | None = None) -> bool:
    """Whether `code` is a valid, unused code of `device`; marks its step as used if so.

    The conditional UPDATE makes "never twice" hold under concurrent requests too.
    """
    step = totp_matching_step(device.secret, code, now=now)
    if step is None:
        return False
    claimed = TOTPDevice.objects.filter(pk=device.pk, last_used_step__lt=step).update(
        last_used_step=step
    )
    return claimed == 1


def totp_device_confirm(*, user: User, secret: str, code: str) -> bool:
    """Save `secret` as the person's (new) device if `code` matches it.

    A device being replaced keeps working until the new one is confirmed, because the new
    secret only lives in the session until this moment.
    """
    step = totp_matching_step(secret, code)
    if step is None:
        return False
    TOTPDevice.objects.update_or_create(
        user=user,
        defaults={"secret": secret, "confirmed_at": timezone.now(), "last_used_step": step},
    )
    return True


# -- recovery codes -----------------------------------------------------------------------------


def _recovery_code_new() -> str:
    raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
    half = RECOVERY_CODE_LENGTH // 2
    return f"{raw[:half]}-{raw[half:]}"


def _normalise_recovery_code(code: str) -> str:
    return _normalise_code(code).lower()


@transaction.atomic
def recovery_codes_issue(*, user: User) -> list[str]:
    """Ten new single-use codes in place of any earlier ones; only their hashes are kept."""
    codes = [_recovery_code_new() for _ in range(RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.filter(user=user).delete()
    RecoveryCode.objects.bulk_create(
        RecoveryCode(
            user=user,
            code_hash=make_password(_normalise_recovery_code(code), hasher=_recovery_hasher),
        )
        for code in codes
    )
    return codes


def recovery_code_use(*, user: User, code: str) -> bool:
    """Whether `code` is one of the person's unused recovery codes; uses it up if so."""
    code = _normalise_recovery_code(code)
    if len(code) != RECOVERY_CODE_LENGTH:
        return False
    for candidate in RecoveryCode.objects.filter(user=user, used_at__isnull=True):
        if check_password(code, candidate.code_hash):
            # Conditional: of two requests racing with the same code, only one wins.
            used = RecoveryCode.objects.filter(pk=candidate.pk, used_at__isnull=True).update(
                used_at=timezone.now()
            )
            return used == 1
    return False


def recovery_codes_left(user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()
