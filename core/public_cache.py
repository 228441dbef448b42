"""Whole public pages, rendered once and served again until what they show can have changed.

A public page (the finder, a site's page, the open data) shows the directory: sites, their
organisations, the themes, the places. Two things change it:

- **the data**: every change to the directory bumps one version (`bump`, at once and again after
  the transaction commits, from signals and from the loaders that write in bulk), and the version
  is part of every key, so a page rendered before the change is never served after it;
- **the clock**: "open now, until 17:00", "opens tomorrow at 09:00". Fragments that do not
  change with it (a result card without its distance and status, the filter menu) are cached on
  their own (`fragment_version`), so a new search renders only what is new. The view says until
  when its page stays true (`response.fresh_until`: the next opening or closing among the sites
  it shows, the next midnight); the cached page is served until then and not a moment longer.

The key also holds the full path (the language is its prefix) and a release mark (a deploy with new
translations starts afresh). The cache is Django's cache alias `pages`: in-process memory in
development; in production the database or Redis backend, shared by every process (see
docs/operations.md), so one process's bump reaches the others.

A request that carries a session or messages cookie is answered fresh and not stored: such a page
might hold a message for that one person. A response that sets a cookie is never stored.
Responses get `Cache-Control: public, max-age=…` (at most `PUBLIC_MAX_AGE`, never past
`fresh_until`) and a strong ETag, so browsers and proxies can reuse them too; the
ConditionalGetMiddleware answers 304 to a matching `If-None-Match`.
"""

from __future__ import annotations

import hashlib
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import wraps
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import get_language

CACHE_ALIAS = "pages"
VERSION_KEY = "public:version"
# The longest a browser or proxy may reuse a public page without asking again. Short: "open now"
# must stay true, and a site's correction should reach residents quickly.
PUBLIC_MAX_AGE = 60
# The longest the server keeps a page whose view names no end (the home page).
DEFAULT_FRESH_SECONDS = 300

View = Callable[..., HttpResponse]
T = TypeVar("T")

# The version a public page is rendered under, read once per request (see `reading_once`).
_request_version: ContextVar[str | None] = ContextVar("public_version", default=None)


@dataclass(frozen=True)
class _Entry:
    content: bytes
    headers: tuple[tuple[str, str], ...]  # the view's own (Content-Type, CORS...)
    etag: str
    fresh_until: float  # a Unix time


# Headers the cache sets itself on every answer, so not stored with a page.
_OWN_HEADERS = {"cache-control", "etag", "vary", "content-length", "expires", "last-modified"}


def version() -> str:
    """The current version of everything public pages show (within a public page's request,
    the one it started with: one read of the shared cache per request)."""
    pinned = _request_version.get()
    if pinned is not None:
        return pinned
    cache = caches[CACHE_ALIAS]
    current = cache.get(VERSION_KEY)
    if current is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, None)
        current = cache.get(VERSION_KEY)
    return str(current)


def bump() -> None:
    """The directory changed: every public page is rendered anew. Now, so that the writer's own
    next request sees it, and again after the commit, so that a page another process read
    before the commit and stored under the first new version is dropped too."""
    _new_version()
    transaction.on_commit(_new_version)


def _new_version() -> None:
    caches[CACHE_ALIAS].set(VERSION_KEY, uuid.uuid4().hex, None)


@contextmanager
def reading_once() -> Iterator[str]:
    """Within this block, `version()` answers the version read at its start: a page, its
    fragments and the process memos it asks (`Memo`) agree, and the shared cache is read once."""
    current = version()
    token = _request_version.set(current)
    try:
        yield current
    finally:
        _request_version.reset(token)


class Memo(Generic[T]):
    """Values derived from what public pages show (a place, the sites matching some filters),
    kept in this process while the version holds: after a bump, the next request builds them
    afresh. The most recently used `size` values are kept. Values are shared between requests,
    so they must not be changed by their users."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._version = ""
        self._values: OrderedDict[Hashable, T] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, build: Callable[[], T]) -> T:
        return self.get_many([key], lambda keys: {key: build()})[key]

    def get_many(
        self, keys: list[Hashable], build: Callable[[list[Hashable]], dict[Hashable, T]]
    ) -> dict[Hashable, T]:
        """The values of `keys`; `build` is called once with the keys not known yet."""
        current = version()
        found: dict[Hashable, T] = {}
        with self._lock:
            if self._version != current:
                self._values.clear()
                self._version = current
            for key in keys:
                if key in self._values:
                    self._values.move_to_end(key)
                    found[key] = self._values[key]
        missing = [key for key in keys if key not in found]
        if missing:
            built = build(missing)
            found.update(built)
            with self._lock:
                if self._version == current:  # not when a bump came while building
                    self._values.update(built)
                    while len(self._values) > self.size:
                        self._values.popitem(last=False)
        return found


def fragment_version() -> str:
    """The key of fragments of a page that change only with the directory (a result card, the
    filter menu): this release, this version, this language. `{% cache %}` keys need it whole,
    because they hold nothing else."""
    return f"{settings.PAGE_CACHE_RELEASE}:{version()}:{get_language()}"


def end_of_day(now: datetime) -> datetime:
    """The next local midnight: "today" and "tomorrow" in a page change then."""
    today = timezone.localdate(now)
    return timezone.make_aware(datetime.combine(today + timedelta(days=1), datetime.min.time()))


def _key(request: HttpRequest, current: str) -> str:
    path = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    return f"page:{settings.PAGE_CACHE_RELEASE}:{current}:{request.method}:{path}"


def _bypass(request: HttpRequest) -> bool:
    names = (settings.SESSION_COOKIE_NAME, "messages")  # the messages framework's cookie
    return request.method not in ("GET", "HEAD") or any(name in request.COOKIES for name in names)


def _public_headers(response: HttpResponse, etag: str, fresh_until: float, longest: int) -> None:
    max_age = max(0, min(longest, int(fresh_until - timezone.now().timestamp())))
    patch_cache_control(response, public=True, max_age=max_age)
    response["ETag"] = etag
    # The pages differ by the language in the path, not by a cookie; say so for shared caches.
    patch_vary_headers(response, ("Accept-Encoding",))


def public_page(max_age: int = PUBLIC_MAX_AGE) -> Callable[[View], View]:
    """Serve a public view's page from the cache while it is true (see the module's doc);
    browsers and proxies may reuse it for `max_age` seconds at most."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if _bypass(request):
                return view(request, *args, **kwargs)
            with reading_once() as current:
                return serve(request, current, *args, **kwargs)

        def serve(request: HttpRequest, current: str, *args: Any, **kwargs: Any) -> HttpResponse:
            cache = caches[CACHE_ALIAS]
            key = _key(request, current)
            now = timezone.now().timestamp()  # the clock the views use (tests set it)
            entry: _Entry | None = cache.get(key)
            if entry is not None and entry.fresh_until > now:
                response = HttpResponse(entry.content)
                for name, value in entry.headers:
                    response[name] = value
                _public_headers(response, entry.etag, entry.fresh_until, max_age)
                return response
            response = view(request, *args, **kwargs)
            if response.status_code != 200 or response.cookies or response.streaming:
                return response
            until = getattr(response, "fresh_until", None)
            fresh_until = until.timestamp() if until else now + DEFAULT_FRESH_SECONDS
            etag = f'"{hashlib.md5(response.content, usedforsecurity=False).hexdigest()}"'
            if fresh_until > now:
                headers = tuple(
                    (name, value)
                    for name, value in response.items()
                    if name.lower() not in _OWN_HEADERS
                )
                stored = _Entry(response.content, headers, etag, fresh_until)
                cache.set(key, stored, timeout=int(fresh_until - now) + 1)
            _public_headers(response, etag, fresh_until, max_age)
            return response

        return wrapper

    return decorator
