"""A deploy check on the secret key: the placeholder of `deploy/production.env.example`, or the
development key, must never reach production, nor a short key (Django only warns about one)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks

# The words a key that was never replaced starts with (the example file, the development key).
PLACEHOLDER_STARTS = ("replace", "django-insecure", "changeme", "change-me", "secret")
# As Django's own warning counts: at least 50 characters, at least 5 different ones.
MIN_LENGTH = 50
MIN_DIFFERENT_CHARACTERS = 5


@checks.register(checks.Tags.security, deploy=True)
def check_secret_key_was_replaced(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    key = str(getattr(settings, "SECRET_KEY", "")).strip().lower()
    # Django itself only warns (security.W009); a short or repetitive key is an error here, so
    # `check --deploy` fails on it whatever the fail level.
    too_weak = len(key) < MIN_LENGTH or len(set(key)) < MIN_DIFFERENT_CHARACTERS
    if key.startswith(PLACEHOLDER_STARTS) or too_weak:
        return [
            checks.Error(
                "SECRET_KEY is still a placeholder, or too short to be secret "
                f"(at least {MIN_LENGTH} characters, {MIN_DIFFERENT_CHARACTERS} different).",
                hint="Make one with: python3 -c 'import secrets; "
                "print(secrets.token_urlsafe(50))' and set it in the environment.",
                id="accounts.E001",
            )
        ]
    return []
