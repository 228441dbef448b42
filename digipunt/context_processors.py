"""Values every template needs: the language switch that keeps you on the same page."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url
from django.utils.translation import get_language

LANGUAGE_LABELS = {"nl": "Nederlands", "fr": "Français", "en": "English"}


def site_context(request: HttpRequest) -> dict[str, object]:
    current = get_language() or settings.LANGUAGE_CODE
    path = request.get_full_path()
    prefix = f"/{current}/"
    languages = [
        {
            "code": code,
            # Each language names itself, so a visitor finds their own language whatever is shown.
            "label": LANGUAGE_LABELS[code],
            "url": _in_language(path, prefix, code),
            "current": code == current,
        }
        for code, _name in settings.LANGUAGES
    ]
    return {"language_links": languages, "LANGUAGE_CODE": current}


def _in_language(path: str, prefix: str, code: str) -> str:
    """The same page in `code`. The URL patterns are not translated, only prefixed with the
    language (i18n_patterns), so swapping the prefix is exact, and several times cheaper than
    resolving and reversing the path for every language on every page."""
    if path.startswith(prefix):
        return f"/{code}/{path[len(prefix) :]}"
    return translate_url(path, code)
