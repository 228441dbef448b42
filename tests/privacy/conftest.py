"""The privacy tests set the clock the services see (`tests/clock.py`)."""

from tests.clock import MONDAY, clock  # noqa: F401 (fixtures)
