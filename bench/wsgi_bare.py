"""The WSGI application that `bench/stack.py` serves: the project with its production settings (the
environment says which), plus the bare view of `bench/bare_urls.py` to measure against."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "digipunt.settings")
application = get_wsgi_application()
# Resolved per request, so setting it before the first one is enough.
settings.ROOT_URLCONF = "bare_urls"
