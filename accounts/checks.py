"""A deploy check on the secret key: the placeholder of `deploy/production.env.example`, or the
development key, must never reach production (Django's own check only looks at its length)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks

# The words a key that was never replaced starts with (the example file, the development key).
PLACEHOLDER_STARTS = ("replace", "django-insecure", "changeme", "change-me", "secret")


@checks.register(checks.Tags.security, deploy=True)
def check_secret_key_was_replaced(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    key = str(getattr(settings, "SECRET_KEY", "")).strip().lower()
    if key.startswith(PLACEHOLDER_STARTS):
        return [
            checks.Error(
                "SECRET_KEY is still a placeholder.",
                hint="Make one with: python3 -c 'import secrets; "
                "print(secrets.token_urlsafe(50))' and set it in the environment.",
                id="accounts.E001",
            )
        ]
    return []
