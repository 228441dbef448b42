"""Benchmark of the evidence dashboards (issue 16) with a million or ten million contacts.

Builds a database of its own from nothing (PostgreSQL `bench_evidence_<size>` on
127.0.0.1:5432, or SQLite `var/bench/evidence-<size>.sqlite3`; never var/digipunt.sqlite3):
migrations, the territory, the demo network (900 sites, with its devices, courses and help
cards), then N contacts over the last 24 months across every demo site (a few sites busy, a long
tail quiet), each with 1 or 2 questions, a tenth with a visitor code that comes back a few times,
about one loan per 40 contacts and one course place per 30 (bench/evidence_data.py: COPY on
PostgreSQL, executemany in big transactions on SQLite). Raw inserts skip the signals, so the
rollups are rebuilt with `insights.rollups.refresh(everything=True)`, timed.

Then, through Django's whole request path with the test client and a signed-in network analyst
(DEBUG off), the dashboard `insights:dashboard` of the network, of Antwerpen (municipality 11002,
the busiest) and of the quietest municipality with a demo site, for the last 12 whole months with
the 12 before beside: 3 warm-up requests each, then 20 rounds that time every page and a bare
Django view (bench/bare_urls.py) one after the other. It prints the median and 95th percentile,
the page as a multiple of the bare view, the SQL queries of one request and the `Tally` rows
they read (counted on their own, with the queries captured), the sizes of the raw and rollup
tables and of the database; the same table goes to var/bench/evidence-<date>.txt (and the figures
as JSON beside it, which `--summary` puts side by side).

    .venv/bin/python bench/evidence.py --contacts 1000000 --database sqlite
    .venv/bin/python bench/evidence.py --contacts 10000000 --database postgres
    .venv/bin/python bench/evidence.py --contacts 1000000 --database postgres --reuse  # again
    .venv/bin/python bench/evidence.py --summary  # today's runs side by side
    make bench-evidence   # 1M and 10M on SQLite and PostgreSQL, databases dropped afterwards

`--reuse` measures a database an earlier run loaded (kept unless `--drop`; `--load-only` builds
one without measuring). `--profile` writes a
cProfile of the slowest dashboard to var/bench/ (done anyway when a median is over 300 ms).
Asserts nothing but that the pages answer 200 (the target is in docs/performance.md).
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import json
import os
import platform
import pstats
import statistics
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

from common import ROOT, analyse, setup_django

PG_SERVER = "postgres://postgres@127.0.0.1:5432"
BENCH_DIR = ROOT / "var" / "bench"
TARGET_MS = 300.0
BIG_MUNICIPALITY = "11002"  # Antwerpen


def size_label(contacts: int) -> str:
    if contacts % 1_000_000 == 0:
        return f"{contacts // 1_000_000}m"
    if contacts % 1_000 == 0:
        return f"{contacts // 1_000}k"
    return str(contacts)


def database_url(kind: str, label: str) -> str:
    if kind == "postgres":
        return f"{PG_SERVER}/bench_evidence_{label}"
    return f"sqlite:///{BENCH_DIR / f'evidence-{label}.sqlite3'}"


def _pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
        admin.execute(sql)


def fresh_database(kind: str, label: str) -> None:
    if kind == "postgres":
        _pg_admin(f"DROP DATABASE IF EXISTS bench_evidence_{label} WITH (FORCE)")
        _pg_admin(f"CREATE DATABASE bench_evidence_{label}")
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{BENCH_DIR / f'evidence-{label}.sqlite3'}{suffix}").unlink(missing_ok=True)


def drop_database(kind: str, label: str) -> None:
    from django.db import connection

    connection.close()
    fresh_database(kind, label)  # removes (and, on PostgreSQL, recreates empty)
    if kind == "postgres":
        _pg_admin(f"DROP DATABASE IF EXISTS bench_evidence_{label} WITH (FORCE)")


def log(line: str) -> None:
    print(line, flush=True)


# --- building --------------------------------------------------------------------------------


def build(contacts: int) -> dict[str, float]:
    from django.core.management import call_command
    from evidence_data import Loader

    from insights import rollups

    timings: dict[str, float] = {}
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    with open(os.devnull, "w") as quiet:
        call_command("load_territory", verbosity=0, stdout=quiet)
        call_command("load_demo_network", stdout=quiet)
    timings["migrate, territory, demo network"] = elapsed = time.perf_counter() - started
    log(f"migrate, territory and the demo network: {elapsed:.1f} s")
    log(f"loading {contacts:,} contacts")
    timings.update(Loader(contacts, log).run())
    started = time.perf_counter()
    analyse()
    timings["analyse"] = time.perf_counter() - started
    log(f"  ANALYZE: {timings['analyse']:.1f} s")
    log("refresh(everything=True)")
    started = time.perf_counter()
    rollups.refresh(everything=True)
    timings["refresh(everything=True)"] = time.perf_counter() - started
    log(f"  {timings['refresh(everything=True)']:.1f} s")
    started = time.perf_counter()
    analyse(*_insights_tables())
    timings["analyse rollups"] = time.perf_counter() - started
    return timings


def _insights_tables() -> list[str]:
    from django.apps import apps

    return [model._meta.db_table for model in apps.get_app_config("insights").get_models()]


# --- measuring -------------------------------------------------------------------------------


def analyst_client():  # type: ignore[no-untyped-def]
    """A test client signed in, past the second factor, as a network-wide analyst."""
    import uuid

    from django.test import Client

    from accounts.models import Membership, Role, User
    from accounts.sessions import TWO_FACTOR_VERIFIED, start_session

    email = "bench-analyst@example.org"
    person = User.objects.filter(email=email).first()
    if person is None:
        person = User.objects.create_user(
            email=email, password=uuid.uuid4().hex, full_name="Bench analyst"
        )
    Membership.objects.get_or_create(user=person, role=Role.ANALYST, site=None, organisation=None)
    client = Client()
    client.force_login(person)
    session = client.session
    session[TWO_FACTOR_VERIFIED] = True
    holder = type("Holder", (), {"session": session})()
    start_session(holder)
    session.save()
    return client


def add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def period() -> tuple[date, date]:
    """The last 12 whole months (the dashboard puts the 12 before beside them)."""
    from django.utils import timezone

    last = add_months(timezone.localdate().replace(day=1), -1)
    return add_months(last, -11), last


def dashboard_url() -> str | None:
    from django.urls import NoReverseMatch, reverse
    from django.utils import translation

    with translation.override("nl"):
        try:
            return reverse("insights:dashboard")
        except NoReverseMatch:
            return None


def scopes(first: date, last: date) -> list[tuple[str, str]]:
    """(label, scope) of the pages measured: the network, Antwerpen, the quietest municipality
    with contacts in the period."""
    from django.db.models import Sum

    from insights.models import Tally
    from territory.models import Municipality

    contacts = dict(
        Tally.objects.filter(
            scope__startswith="municipality:",
            measure="contacts",
            dimension="",
            month__range=(first, last),
        )
        .values_list("scope")
        .annotate(n=Sum("count"))
        .values_list("scope", "n")
    )
    big = f"municipality:{BIG_MUNICIPALITY}"
    if big not in contacts:
        big = max(contacts, key=contacts.get)
    small = min(contacts, key=lambda s: (contacts[s], s))
    names = dict(
        Municipality.objects.filter(
            refnis__in=[big.split(":")[1], small.split(":")[1]]
        ).values_list("refnis", "name_nl")
    )

    def label(scope: str) -> str:
        return f"{names.get(scope.split(':')[1], scope)} ({scope}, {contacts[scope]:,} contacts)"

    return [("network", "network"), (label(big), big), (label(small), small)]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    position = share * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def tally_rows(captured: list[dict[str, str]]) -> tuple[int, int]:
    """(queries on Tally, rows they return), by running each captured Tally query again."""
    from django.db import connection

    queries = [q["sql"] for q in captured if "insights_tally" in q["sql"]]
    rows = 0
    with connection.cursor() as cursor:
        for sql in queries:
            cursor.execute(f"SELECT COUNT(*) FROM ({sql}) AS counted")  # noqa: S608 (captured)
            rows += cursor.fetchone()[0]
    return len(queries), rows


def measure(url: str, pages: list[tuple[str, str]], first: date, last: date, runs: int,
            warmup: int) -> dict[str, dict[str, float]]:  # fmt: skip
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = analyst_client()
    params = {"from": f"{first:%Y-%m}", "to": f"{last:%Y-%m}"}
    targets = [("bare Django view", "/bench/bare/", {})] + [
        (label, url, {**params, "scope": scope}) for label, scope in pages
    ]

    def call(path: str, data: dict[str, str]) -> float:
        started = time.perf_counter()
        response = client.get(path, data)
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, (path, data, response.status_code)
        return elapsed

    for _label, path, data in targets:
        for _ in range(warmup):
            call(path, data)
    timings: dict[str, list[float]] = {label: [] for label, _p, _d in targets}
    for _ in range(runs):  # every page, then the next round: the machine's drift hits all alike
        for label, path, data in targets:
            timings[label].append(call(path, data))
    bare = statistics.median(timings["bare Django view"])
    results: dict[str, dict[str, float]] = {}
    for label, path, data in targets:
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as ctx:
            client.get(path, data)
        tally_queries, rows = tally_rows(ctx.captured_queries)
        median = statistics.median(timings[label])
        results[label] = {
            "median_ms": median,
            "p95_ms": percentile(timings[label], 0.95),
            "ratio": median / bare,
            "queries": len(ctx.captured_queries),
            "tally_queries": tally_queries,
            "tally_rows": rows,
            "path": path + ("?" + "&".join(f"{k}={v}" for k, v in data.items()) if data else ""),
        }
    return results


def profile(url: str, scope: str, first: date, last: date, out: Path) -> str:
    client = analyst_client()
    data = {"scope": scope, "from": f"{first:%Y-%m}", "to": f"{last:%Y-%m}"}
    client.get(url, data)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(5):
        client.get(url, data)
    profiler.disable()
    profiler.dump_stats(out)
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    stats.sort_stats("cumulative").print_stats(35)
    stats.sort_stats("tottime").print_stats(20)
    return text.getvalue()


# --- sizes and the machine ---------------------------------------------------------------------

TABLES = (
    ("contacts", "questions_contact"),
    ("questions", "questions_question"),
    ("visitor codes", "questions_visitorcode"),
    ("loans", "lending_loan"),
    ("course places", "learning_registration"),
    ("ContactDay rows", "insights_contactday"),
    ("QuestionDay rows", "insights_questionday"),
    ("Tally rows", "insights_tally"),
)


def sizes(kind: str, label: str) -> dict[str, int]:
    from django.db import connection

    found: dict[str, int] = {}
    with connection.cursor() as cursor:
        for name, table in TABLES:
            cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 (our constants)
            found[name] = cursor.fetchone()[0]
        # The rollups agree with the raw rows: the network's monthly contacts add up to them.
        cursor.execute(
            "SELECT COALESCE(SUM(count), 0) FROM insights_tally WHERE scope = 'network' "
            "AND measure = 'contacts' AND dimension = ''"
        )
        found["contacts in the network's tallies"] = cursor.fetchone()[0]
        if kind == "postgres":
            cursor.execute("SELECT pg_database_size(current_database())")
            found["database bytes"] = cursor.fetchone()[0]
        else:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            path = BENCH_DIR / f"evidence-{label}.sqlite3"
            found["database bytes"] = sum(
                Path(f"{path}{s}").stat().st_size
                for s in ("", "-wal")
                if Path(f"{path}{s}").exists()
            )
    return found


def machine(kind: str) -> dict[str, str]:
    from django.db import connection

    with connection.cursor() as cursor:
        if kind == "postgres":
            cursor.execute("SHOW server_version")
            server = "PostgreSQL " + cursor.fetchone()[0]
        else:
            cursor.execute("SELECT sqlite_version()")
            server = "SQLite " + cursor.fetchone()[0]
    cpu = ""
    with contextlib.suppress(OSError, StopIteration):
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    memory = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kb / 1024 / 1024:.0f} GB"
    except (OSError, ValueError, IndexError):
        pass
    return {
        "cores": str(os.cpu_count()),
        "cpu": cpu,
        "memory": memory,
        "python": platform.python_version(),
        "database": server,
        "load average": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


# --- reporting ---------------------------------------------------------------------------------


def report(result: dict) -> str:
    lines = [
        f"evidence dashboards: {result['contacts']:,} contacts, {result['database']} "
        f"({result['at']} UTC, git {result['git']})",
        "machine: " + ", ".join(f"{k} {v}" for k, v in result["machine"].items()),
        f"period: {result['period'][0]} to {result['period'][1]} (12 months) beside the 12 before",
    ]
    if result.get("timings"):
        lines.append("build: " + "; ".join(f"{k} {v:.1f} s" for k, v in result["timings"].items()))
    lines.append("sizes: " + ", ".join(
        f"{k} {v / 1e6:,.0f} MB" if k == "database bytes" else f"{k} {v:,}"
        for k, v in result["sizes"].items()
    ))  # fmt: skip
    pages = result.get("pages")
    if not pages:
        lines.append("dashboard: not measured (--load-only, or no URL named insights:dashboard)")
        return "\n".join(lines) + "\n"
    lines.append(
        f"\n{'page':58} {'median':>9} {'p95':>9} {'÷ bare':>8} {'queries':>8} {'Tally q/rows':>13}"
    )
    for label, row in pages.items():
        lines.append(
            f"{label[:58]:58} {row['median_ms']:6.1f} ms {row['p95_ms']:6.1f} ms "
            f"{row['ratio']:7.1f}× {row['queries']:8d} {row['tally_queries']:>5d} / "
            f"{row['tally_rows']:<6d}"
        )
    lines.append(f"({result['runs']} rounds after {result['warmup']} warm-up requests each; "
                 f"target: ≤ {TARGET_MS:.0f} ms at 10M, flat from 1M to 10M)")  # fmt: skip
    return "\n".join(lines) + "\n"


def summary(day: str) -> str:
    runs = {}
    for path in sorted(BENCH_DIR.glob(f"evidence-{day}-*.json")):
        data = json.loads(path.read_text())
        runs[(data["database"], data["contacts"])] = data
    if not runs:
        return f"no runs for {day} in {BENCH_DIR}\n"
    keys = sorted(runs, key=lambda k: (k[0] != "sqlite", k[1]))
    head = [f"{db} {n // 1_000_000}M" if n >= 1_000_000 else f"{db} {n:,}" for db, n in keys]
    lines = [f"evidence dashboards, runs of {day}", f"{'':44}" + "".join(f"{h:>22}" for h in head)]

    def row(name: str, values: list[str]) -> None:
        lines.append(f"{name[:44]:44}" + "".join(f"{v:>22}" for v in values))

    labels = []
    for key in keys:
        for label in runs[key].get("pages", {}):
            short = label.split(" (")[0]
            if short not in labels:
                labels.append(short)
    for short in labels:
        cells, ratios, queries = [], [], []
        for key in keys:
            pages = {k.split(" (")[0]: v for k, v in runs[key].get("pages", {}).items()}
            page = pages.get(short)
            cells.append(f"{page['median_ms']:.1f} / {page['p95_ms']:.1f} ms" if page else "—")
            ratios.append(f"{page['ratio']:.1f}×" if page else "—")
            queries.append(f"{page['queries']} q, {page['tally_rows']} rows" if page else "—")
        row(f"{short}: median / p95", cells)
        if short != "bare Django view":
            row(f"{short}: ÷ bare view", ratios)
            row(f"{short}: queries, Tally rows", queries)
    for name, _table in TABLES:
        row(name, [f"{runs[k]['sizes'].get(name, 0):,}" for k in keys])
    row("database size", [f"{runs[k]['sizes']['database bytes'] / 1e9:.2f} GB" for k in keys])
    for step in ("contacts and questions (written)", "their indexes, built", "load, all",
                 "refresh(everything=True)"):  # fmt: skip
        row(step, [f"{runs[k].get('timings', {}).get(step, 0):.0f} s" for k in keys])
    return "\n".join(lines) + "\n"


def git_head() -> str:
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
            check=True,
        ).stdout.strip()  # fmt: skip
        dirty = subprocess.run(
            ["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        return head + (" + uncommitted changes" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--reuse", action="store_true", help="measure the database loaded before")
    parser.add_argument("--drop", action="store_true", help="drop the database afterwards")
    parser.add_argument("--load-only", action="store_true", help="build, measure nothing")
    parser.add_argument("--profile", action="store_true", help="cProfile the slowest dashboard")
    parser.add_argument("--summary", action="store_true", help="put today's runs side by side")
    args = parser.parse_args()
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    today = datetime.now(UTC).date().isoformat()
    out = BENCH_DIR / f"evidence-{today}.txt"
    if args.summary:
        text = summary(today)
        print(text)
        with out.open("a") as f:
            f.write("\n" + text)
        return
    label = size_label(args.contacts)
    if not args.reuse:
        fresh_database(args.database, label)
    os.environ["DATABASE_URL"] = database_url(args.database, label)
    setup_django(str(BENCH_DIR))
    from django.db import connection

    log(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
    result: dict = {
        "contacts": args.contacts,
        "database": args.database,
        "at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M"),
        "git": git_head(),
        "runs": args.runs,
        "warmup": args.warmup,
    }
    if not args.reuse:
        result["timings"] = build(args.contacts)
    else:
        previous = BENCH_DIR / f"evidence-{today}-{args.database}-{label}.json"
        if previous.exists():
            result["timings"] = json.loads(previous.read_text()).get("timings", {})
    result["machine"] = machine(args.database)
    first, last = period()
    result["period"] = [f"{first:%Y-%m}", f"{last:%Y-%m}"]
    result["sizes"] = sizes(args.database, label)
    url = None if args.load_only else dashboard_url()
    if url:
        pages = scopes(first, last)
        result["pages"] = measure(url, pages, first, last, args.runs, args.warmup)
        result["machine"]["load average"] += " → " + " ".join(f"{x:.2f}" for x in os.getloadavg())
        slowest = max(pages, key=lambda p: result["pages"][p[0]]["median_ms"])
        if args.profile or result["pages"][slowest[0]]["median_ms"] > TARGET_MS:
            path = BENCH_DIR / f"evidence-{today}-{args.database}-{label}.prof"
            result["profile"] = str(path)
            log(profile(url, slowest[1], first, last, path))
    text = report(result)
    print("\n" + text)
    with out.open("a") as f:
        f.write("\n" + text)
    (BENCH_DIR / f"evidence-{today}-{args.database}-{label}.json").write_text(
        json.dumps(result, indent=1)
    )
    log(f"written to {out}")
    if args.drop:
        drop_database(args.database, label)
        log(f"dropped the {args.database} database of {label}")


if __name__ == "__main__":
    sys.exit(main())
