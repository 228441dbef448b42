"""Benchmark of the public finder: server time, SQL queries and page weight.

Builds a throwaway database (SQLite by default, or the one DATABASE_URL names, whose tables it
replaces), loads the territory and a demo network of 900 and of 10,000 sites, then for a set of
searches spread over Flanders and Brussels (postal codes, towns, and villages that share a postal
code) measures, through Django's full request path (middleware, view, template), the median and
90th-percentile server time, the SQL queries per results page, and the compressed size of a
results page with everything it loads. The page that asks which village is meant ("Haren") is
measured on its own.

Each search is timed twice: cold, as right after a change to the directory (the page cache and
what the process remembers are emptied; the figures and query counts above are of these), and as
a new page in a process that has just read the directory (what most new searches cost).

    .venv/bin/python bench/finder.py [--sizes 900 10000] [--rounds 5] [--at 2026-11-26T17:10]
                                     [--no-villages]

Every round also times a bare Django view through the same middleware (`bench/bare_urls.py`),
interleaved with the searches, and prints the results page's median as a multiple of it: on a
shared machine whose speed varies from day to day, that ratio is the figure to compare.
`--no-villages` leaves out the village searches and the choice page, so that the script also runs
against code from before villages were known (2026-12-07) for a side-by-side comparison.

`--at` fixes the moment the searches are made (Brussels time), so that "open now" figures from
different days can be compared: how many sites are open changes what that filter costs.

Prints figures; it asserts nothing (targets are in docs/performance.md).
"""

from __future__ import annotations

import argparse
import gzip
import os
import re
import statistics
import tempfile
import time
from contextlib import nullcontext
from datetime import UTC, datetime
from statistics import median
from unittest import mock
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from common import analyse, setup_django

SEARCHES = [
    "9000",
    "2000",
    "1080",
    "3000",
    "8000",
    "8500",
    "9100",
    "2800",
    "3500",
    "1000",
    "Brugge",
    "Molenbeek-Saint-Jean",
    "Anvers",
    "Genk",
    "Aalst",
    "Roeselare",
    "Mechelen",
    "Turnhout",
    "Ieper",
    "Leuven",
]
# Villages that share their postal code with others, by name and by postal code and name
# (added 2026-12-07; the figures before that day are of SEARCHES alone).
VILLAGE_SEARCHES = ["Merendree", "9850 Landegem", "Laken", "Zingem", "landegem 9850"]
CHOICE_SEARCH = "Haren"
FILTERS = [
    "",
    "&service=lending",
    "&theme=eid-itsme&language=fr",
    "&open=on",
    "&stepfree=on&walkin=on",
]


def page_weight(client, html: bytes) -> tuple[int, int, dict[str, int]]:
    """Raw and gzip-compressed bytes of the page and every stylesheet and script it loads."""
    parts = {"html": html}
    for url in re.findall(rb'<link rel="stylesheet" href="([^"]+)"', html) + re.findall(
        rb'<script src="([^"]+)"', html
    ):
        response = client.get(url.decode())
        parts[url.decode()] = (
            b"".join(response.streaming_content) if response.streaming else response.content
        )
    compressed = {name: len(gzip.compress(body, 9)) for name, body in parts.items()}
    return sum(len(b) for b in parts.values()), sum(compressed.values()), compressed


def _forget_pages() -> None:
    """Empty the cache of whole public pages (core.public_cache, where it exists), and with it
    the directory's version: the next search is made as right after a change to the directory,
    when each process reads anew what it remembers (core.public_cache.Memo). This script
    measures the finder's work, which a page served from that cache skips (bench/stack.py
    measures both)."""
    from django.conf import settings
    from django.core.cache import caches

    if "pages" in settings.CACHES:
        caches["pages"].clear()


def run(size: int, rounds: int, *, villages: bool = True) -> None:
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from network.demo import demo_network_load

    demo_network_load(sites=size, seed=2026, log=lambda _s: None)
    analyse()
    client = Client()
    places = [*SEARCHES, *VILLAGE_SEARCHES, CHOICE_SEARCH] if villages else SEARCHES
    searches = [(q, f) for q in places for f in FILTERS]
    for q, f in searches:  # warm-up: imports, template cache, place cache
        client.get(f"/nl/search/?{urlencode({'q': q})}{f}")
    measured: list[tuple[str, str, float, int]] = []  # query, filter, ms, SQL queries
    bare: list[float] = []
    warm: list[float] = []
    for _ in range(rounds):
        for q, f in searches:
            start = time.perf_counter()
            client.get("/bench/bare/")
            bare.append((time.perf_counter() - start) * 1000)
            url = f"/nl/search/?{urlencode({'q': q})}{f}"
            _forget_pages()
            # Django keeps at most 9,000 queries in its log; start each capture from empty.
            connection.queries_log.clear()
            with CaptureQueriesContext(connection) as ctx:
                start = time.perf_counter()
                response = client.get(url)
                elapsed = (time.perf_counter() - start) * 1000
            assert response.status_code == 200, url
            # Every search but the choice is a place found: a page of Digipunten near it.
            assert (q == CHOICE_SEARCH) != (
                b"<h1>Digipunten in de buurt van " in response.content
            ), url
            measured.append((q, f, elapsed, len(ctx.captured_queries)))
            # The same search as a page never asked before, in a process that has just read
            # the directory (the finder ignores `r`): what most new searches cost.
            start = time.perf_counter()
            client.get(f"{url}&r={len(measured)}")
            warm.append((time.perf_counter() - start) * 1000)
    results = [m for m in measured if m[0] != CHOICE_SEARCH]
    timings = [ms for _q, _f, ms, _n in results]
    queries = [n for _q, _f, _ms, n in results]
    cache.clear()  # the theme list is cached per process: measure the very first request too
    _forget_pages()
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as ctx:
        client.get("/nl/search/?q=Roeselare&open=on")
    # Read now: the next request resets Django's query log, and with it this capture.
    first_request_queries = len(ctx.captured_queries)
    raw, compressed, parts = page_weight(client, client.get("/nl/search/?q=9000").content)
    by_filter = {
        f or "no filter": median(ms for _q, kind, ms, _n in results if kind == f) for f in FILTERS
    }
    towns = median(ms for q, _f, ms, _n in results if q in SEARCHES)
    choice = [(ms, n) for q, _f, ms, n in measured if q == CHOICE_SEARCH]
    print(
        f"\n== {size} sites, {len(timings)} results pages ({len(results) // rounds} x {rounds}) =="
    )
    print(f"median server time, all searches:   {statistics.median(timings):6.1f} ms")
    print(f"    median, a new page in a warm process: {statistics.median(warm):.1f} ms")
    print(f"90th percentile, all searches:      {statistics.quantiles(timings, n=10)[-1]:6.1f} ms")
    print(f"    median, postal codes and towns (the 20 of before): {towns:.1f} ms")
    if villages:
        village_ms = median(ms for q, _f, ms, _n in results if q in VILLAGE_SEARCHES)
        print(f"    median, villages ({len(VILLAGE_SEARCHES)} searches): {village_ms:.1f} ms")
    for name, value in by_filter.items():
        print(f"    median, {name}: {value:.1f} ms")
    bare_ms = median(bare)
    print(f"bare Django view, same middleware:  {bare_ms:6.2f} ms (median of {len(bare)})")
    print(f"results page / bare view:           {statistics.median(timings) / bare_ms:6.1f} x")
    print(f"    postal codes and towns / bare:  {towns / bare_ms:6.1f} x")
    print(f"SQL queries per results page:       max {max(queries)}, median {median(queries)}")
    if choice:
        print(
            f"choice page ({CHOICE_SEARCH!r}): median {median(ms for ms, _n in choice):.1f} ms, "
            f"max {max(n for _ms, n in choice)} queries"
        )
    print(f"SQL queries, first request after start (open now): {first_request_queries}")
    print(f"results page + CSS + JS:            {raw} bytes raw, {compressed} bytes gzip")
    for name, value in parts.items():
        print(f"    {name}: {value} bytes gzip")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[900, 10000])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--at",
        type=lambda text: datetime.fromisoformat(text).replace(tzinfo=ZoneInfo("Europe/Brussels")),
        help="the moment of every search, Brussels time (default: the real time)",
    )
    parser.add_argument(
        "--no-villages",
        action="store_true",
        help="only the postal codes and towns (to compare with code that knows no villages)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        setup_django(workdir)
        from django.core.management import call_command
        from django.db import connection

        call_command("migrate", verbosity=0)
        call_command("load_territory", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
        print(f"database: {connection.vendor}")
        moment = args.at or datetime.now(ZoneInfo("Europe/Brussels"))
        print(f"searches made at: {moment:%A %Y-%m-%d %H:%M} Brussels time")
        frozen = (
            mock.patch("django.utils.timezone.now", return_value=args.at.astimezone(UTC))
            if args.at
            else None
        )
        with frozen or nullcontext():
            for size in args.sizes:
                run(size, args.rounds, villages=not args.no_villages)


if __name__ == "__main__":
    main()
