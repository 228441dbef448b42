"""The learning tests read the messages in English and set the clock (`tests/clock.py`)."""

from tests.clock import MONDAY, _english, clock  # noqa: F401 (fixtures)
