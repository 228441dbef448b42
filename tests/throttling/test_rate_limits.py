"""Rate limits shared through the database: counted exactly, also for a burst at one moment."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.concurrency import (  # noqa: F401 (fixtures)
    at_once,
    database_for_threads,
    in_thread,
    reference_data,
    reference_data_back_after_the_flush,
)
from throttling.models import Hit
from throttling.services import Rule, attempt_take, attempts_forget, bucket

FOUR_PER_MINUTE = Rule(name="test", allowed=4, seconds=60)


@pytest.mark.django_db
def test_the_fifth_attempt_in_the_window_is_refused_until_the_first_leaves_it():
    start = timezone.now()
    for n in range(4):
        moment = start + timedelta(seconds=n)
        assert attempt_take([(FOUR_PER_MINUTE, "203.0.113.9")], now=moment) is None

    refused = attempt_take([(FOUR_PER_MINUTE, "203.0.113.9")], now=start + timedelta(seconds=10))
    later = attempt_take([(FOUR_PER_MINUTE, "203.0.113.9")], now=start + timedelta(seconds=61))

    assert refused == start + timedelta(seconds=60)
    assert later is None
    # The refused attempt was not counted.
    assert Hit.objects.count() == 5


@pytest.mark.django_db
def test_a_refusal_by_one_rule_counts_nothing_under_the_others():
    one = Rule(name="one", allowed=1, seconds=60)
    attempt_take([(one, "a")])

    assert attempt_take([(FOUR_PER_MINUTE, "b"), (one, "a")]) is not None
    assert not Hit.objects.filter(bucket=bucket(FOUR_PER_MINUTE, "b")).exists()


@pytest.mark.django_db
def test_counters_hold_no_address_or_number_in_the_clear_and_can_be_forgotten():
    attempt_take([(FOUR_PER_MINUTE, "+32470123456"), (FOUR_PER_MINUTE, "Jan@Example.org")])

    stored = list(Hit.objects.values_list("bucket", flat=True))
    assert all("32470123456" not in key and "example" not in key for key in stored)
    # The same value, however capitalised, is one counter.
    assert bucket(FOUR_PER_MINUTE, "jan@example.org ") in stored
    attempts_forget([(FOUR_PER_MINUTE, "jan@example.org")])
    assert Hit.objects.count() == 1


@pytest.mark.django_db
def test_empty_values_are_not_counted():
    assert attempt_take([(FOUR_PER_MINUTE, ""), (FOUR_PER_MINUTE, None)]) is None
    assert not Hit.objects.exists()


@pytest.mark.django_db
def test_rows_older_than_a_day_are_deleted_as_new_attempts_come():
    Hit.objects.create(bucket="old", created_at=timezone.now() - timedelta(days=2))

    attempt_take([(FOUR_PER_MINUTE, "x")])

    assert not Hit.objects.filter(bucket="old").exists()


THREADS = 12


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data")
def test_twelve_attempts_at_the_same_moment_let_exactly_four_through():
    with database_for_threads() as use:
        outcomes = at_once(
            use, [lambda: attempt_take([(FOUR_PER_MINUTE, "198.51.100.1")])] * THREADS
        )
        counted = in_thread(use, lambda: Hit.objects.count())

    assert not [outcome for outcome in outcomes if isinstance(outcome, Exception)]
    assert sum(outcome is None for outcome in outcomes) == 4
    assert counted == 4
