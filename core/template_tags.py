"""Template tags every page may use, loaded as builtins (settings.TEMPLATES).

`{% fixed_url 'network:home' %}` and `{% asset 'css/site.css' %}` answer what `{% url %}` and
`{% static %}` answer, for a URL without arguments and a static file, worked out once per process
(and language): reversing a URL and naming a static file cost more than the rest of the page
frame around them (docs/performance.md).
"""

from __future__ import annotations

from functools import cache

from django import template
from django.conf import settings
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

from core.human_check import human_check_fields
from core.once import once_field

register = template.Library()


@register.simple_tag
def fixed_url(name: str) -> str:
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    return _reversed(name, get_language() or "", get_script_prefix(), urlconf)


@register.simple_tag
def asset(path: str) -> str:
    return _static(path)


@cache
def _reversed(name: str, language: str, script_prefix: str, urlconf: str) -> str:
    return reverse(name, urlconf=urlconf)


@cache
def _static(path: str) -> str:
    return static(path)


@register.simple_tag
def human_check() -> str:
    """Inside a public form: the quiet checks of `core.human_check` (a fresh mark each time)."""
    return human_check_fields()


@register.simple_tag
def once() -> str:
    """Inside a POST form, after `{% csrf_token %}`: the token that makes a second submission of
    the form get the first one's answer (`core.once`)."""
    return once_field()
