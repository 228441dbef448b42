"""The GeoJSON directory (`/api/sites.geojson`), built once and served as ready bytes.

The page cache of `core.public_cache` keys a page by its full path, so any parameter the
endpoint does not know (`?v=2`, a tracker's `utm_source`, a cache-buster) asked for a new build
of the whole directory (900 sites: 0.3–0.7 s, 700 KB). Here the key holds only what changes the
document: the release, the directory's version, the language (`lang`, normalised: absent means
Dutch) and the day (the hours leave out exceptions that have ended). Everything else in the
query string is ignored.

A built document is kept as bytes, once as they are and once gzip-compressed, with its ETag:
- in the shared `pages` cache, so that another process does not build it again;
- in a memo of this process (`core.public_cache.Memo`, dropped when the version changes), so
  that a request costs no unpickling of 700 KB and no compression (GZipMiddleware leaves a
  response that already has a Content-Encoding alone).
"""

from __future__ import annotations

import gzip
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import patch_vary_headers

from core.public_cache import CACHE_ALIAS, Memo, end_of_day, reading_once

# Django's own test (GZipMiddleware): a client that accepts gzip.
_ACCEPTS_GZIP = re.compile(r"\bgzip\b")


@dataclass(frozen=True)
class Prepared:
    body: bytes
    gzipped: bytes
    etag: str  # strong, of `body`
    fresh_until: float  # a Unix time: the end of the day it was built for


# Per language and day; a version change empties it. Three languages, and yesterday's for a
# moment after midnight.
_memo: Memo[Prepared] = Memo(size=6)


def prepared(lang: str, build: Callable[[str, date], bytes]) -> Prepared:
    """The document in `lang` for today: from this process, from the shared cache, or built
    (`build(lang, today)` returns the JSON bytes) and stored in both."""
    now = timezone.now()
    today = timezone.localdate(now)
    with reading_once() as current:

        def from_shared_cache() -> Prepared:
            cache = caches[CACHE_ALIAS]
            key = f"geojson:{settings.PAGE_CACHE_RELEASE}:{current}:{lang}:{today.isoformat()}"
            entry: Prepared | None = cache.get(key)
            if entry is None:
                body = build(lang, today)
                digest = hashlib.md5(body, usedforsecurity=False).hexdigest()
                until = end_of_day(now).timestamp()
                entry = Prepared(body, gzip.compress(body, 6, mtime=0), f'"{digest}"', until)
                cache.set(key, entry, timeout=int(until - now.timestamp()) + 1)
            return entry

        return _memo.get((lang, today), from_shared_cache)


def response(
    request: HttpRequest, document: Prepared, *, content_type: str, max_age: int
) -> HttpResponse:
    """The document as a public, cacheable answer; gzip-compressed for a client that accepts it
    (with a weak ETag then, as GZipMiddleware does). ConditionalGetMiddleware answers 304 to a
    matching If-None-Match."""
    compressed = bool(_ACCEPTS_GZIP.search(request.headers.get("Accept-Encoding", "")))
    answer = HttpResponse(document.gzipped if compressed else document.body, content_type)
    if compressed:
        answer["Content-Encoding"] = "gzip"
    answer["ETag"] = f"W/{document.etag}" if compressed else document.etag
    seconds = max(0, min(max_age, int(document.fresh_until - timezone.now().timestamp())))
    answer["Cache-Control"] = f"public, max-age={seconds}"
    answer["Access-Control-Allow-Origin"] = "*"
    patch_vary_headers(answer, ("Accept-Encoding",))
    return answer
