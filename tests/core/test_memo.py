"""core.public_cache.Memo: what a process remembers of the directory, until it changes."""

from __future__ import annotations

import pytest

from core import public_cache
from core.public_cache import Memo

pytestmark = pytest.mark.django_db  # a bump also waits for the commit


@pytest.fixture(autouse=True)
def _fresh_version():
    public_cache.bump()


def test_a_value_is_built_once_while_the_version_holds():
    memo: Memo[int] = Memo(size=10)
    built = []

    def build() -> int:
        built.append(1)
        return len(built)

    assert memo.get("a", build) == 1
    assert memo.get("a", build) == 1
    assert len(built) == 1


def test_a_bump_builds_it_anew():
    memo: Memo[str] = Memo(size=10)
    memo.get("a", lambda: "old")
    public_cache.bump()
    assert memo.get("a", lambda: "new") == "new"


def test_only_the_most_recently_used_are_kept():
    memo: Memo[str] = Memo(size=2)
    memo.get("a", lambda: "a1")
    memo.get("b", lambda: "b1")
    memo.get("a", lambda: "a2")  # a is used again: b is now the oldest
    memo.get("c", lambda: "c1")

    assert memo.get("a", lambda: "a3") == "a1"
    assert memo.get("b", lambda: "b2") == "b2"


def test_get_many_builds_only_the_missing_keys_in_one_call():
    memo: Memo[str] = Memo(size=10)
    memo.get(1, lambda: "one")
    calls = []

    def build(keys):
        calls.append(list(keys))
        return {key: f"built {key}" for key in keys}

    assert memo.get_many([1, 2, 3], build) == {1: "one", 2: "built 2", 3: "built 3"}
    assert calls == [[2, 3]]
    assert memo.get_many([2, 3], build) == {2: "built 2", 3: "built 3"}
    assert calls == [[2, 3]]


def test_within_a_page_the_version_is_read_once():
    with public_cache.reading_once() as current:
        public_cache.bump()  # another process's change, in the middle of this request
        assert public_cache.version() == current
    assert public_cache.version() != current
