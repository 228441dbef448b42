"""Fixtures of the domain tests that read the services' messages in English, the source language,
and set the time the services see: `clock` (a Monday morning, 23 November 2026, unless a test
moves it). A test package's conftest imports them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation

MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Europe/Brussels"))


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> type:
    class Clock:
        now = MONDAY

    monkeypatch.setattr(timezone, "now", lambda: Clock.now)
    return Clock
