"""Values every template needs: the language switch that keeps you on the same page."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url
from django.utils.translation import get_language


def site_context(request: HttpRequest) -> dict[str, object]:
    current = get_language() or settings.LANGUAGE_CODE
    path = request.get_full_path()
    languages = [
        {
            "code": code,
            # Each language names itself, so a visitor finds their own language whatever is shown.
            "label": {"nl": "Nederlands", "fr": "Français", "en": "English"}[code],
            "url": translate_url(path, code),
            "current": code == current,
        }
        for code, _name in settings.LANGUAGES
    ]
    return {"language_links": languages, "LANGUAGE_CODE": current}
