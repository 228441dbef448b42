"""Shared fixtures: the Belgian territory, loaded once per test session (and per xdist worker)."""

from __future__ import annotations

import pytest
from django.utils import translation

from territory.services import territory_load


@pytest.fixture(scope="session")
def territory(django_db_setup, django_db_blocker) -> dict[str, int]:
    """The real territory (565 municipalities, postal codes, place names), committed once.

    Tests run in transactions rolled back on top of it, so they may change it freely; a test
    marked `transaction=True` would flush it for the tests after it.
    Returns the counts `territory_load` reported.
    """
    with django_db_blocker.unblock():
        return territory_load()


@pytest.fixture(autouse=True)
def _no_language_leaks():
    """A request through the test client leaves its language active for the thread: reset it."""
    yield
    translation.deactivate()


@pytest.fixture
def english():
    """Messages in English, the source language, for tests that call services outside a request
    (where the default language, Dutch, would be active): `usefixtures("english")`."""
    with translation.override("en"):
        yield


@pytest.fixture
def cast(territory, db):
    """The fixed cast of staff users and their organisations (see tests/cast.py)."""
    from tests.cast import make_cast

    return make_cast()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Argon2 is deliberately slow; tests create many users. Production settings keep Argon2
    (tests/test_settings.py checks that)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _room_for_tests(settings):
    """Tests that book, register or reset many times from the test client's one address get
    room; tests/test_abuse_public_forms.py and tests/accounts/test_sign_in_abuse.py put the
    configured limits back (digipunt.settings.RATE_LIMITS). Forms may be sent at once (browser
    tests type fast); the time check's tests set the minimum again."""
    settings.RATE_LIMITS = dict.fromkeys(settings.RATE_LIMITS, "1000/600")
    settings.FORM_MIN_SECONDS = 0


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (cached pages and lists must not leak between tests)."""
    from django.core.cache import caches

    for alias in caches:
        caches[alias].clear()
    yield
    for alias in caches:
        caches[alias].clear()


@pytest.fixture(autouse=True)
def _sms_to_memory(settings):
    """Text messages go to `notifications.sms.outbox` in every test, as emails go to
    `django.core.mail.outbox`: nothing is printed or sent, and each test starts empty."""
    from notifications import sms

    settings.SMS_BACKEND = "notifications.sms.LocmemBackend"
    sms.outbox.clear()
    yield
    sms.outbox.clear()
