"""Benchmark of contact registration and site figures with a million contacts in the database.

Builds a database of its own (SQLite in a directory of its own, never var/digipunt.sqlite3; or
the PostgreSQL database DATABASE_URL names, whose tables it replaces), loads the territory, the
demo network (900 sites) and ONE MILLION contacts with about 1.3 questions each, spread over
the sites and the last two years, one busy site getting 42,000 of them (about 21,000 a year).
Then, through Django's full request path (middleware, view, template) with the test client and
a signed-in coordinator of the busy site, it measures the median server time and the SQL
queries of:

  (a) a contact registration: a POST of the real form `questions:contact-new`, and the empty
      form itself (GET: the themes in the order the site uses them);
  (b) the site figures page of the busy site over one year, and the same figures as CSV;
  (c) a registration through the API (`POST /api/v1/contacts`).

    .venv/bin/python bench/questions.py [--contacts 1000000] [--runs 50] [--keep DIR]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/digipunt_bench_questions \\
        .venv/bin/python bench/questions.py

`--keep DIR` keeps the SQLite database in DIR (use var/bench/, never var/ itself); a
PostgreSQL database stays anyway. The next run reuses a database that holds the contacts
(loading takes a while); `--reload` loads anew. Prints figures; asserts nothing but that the
requests succeed (targets are in docs/performance.md).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

from common import analyse, coordinator_client, setup_django

CHUNK = 50_000
DAYS = 730
SEED = 2026
BUSY_CONTACTS = 42_000
VISITOR_CODES = 30_000


def weighted(rng: random.Random, choices: dict[object, float]) -> Callable[[], object]:
    """A function that draws from `choices` by weight (fast: one cumulative table)."""
    values = list(choices)
    cumulative = []
    total = 0.0
    for weight in choices.values():
        total += weight
        cumulative.append(total)
    import bisect

    return lambda: values[bisect.bisect(cumulative, rng.random() * total)]


# --- loading ---------------------------------------------------------------------------------


def _site_plan(rng: random.Random, site_ids: list[int], busy: int, contacts: int) -> list[int]:
    """The site of every contact: `BUSY_CONTACTS` at `busy`, the rest spread by a random weight
    per site (some sites are much busier than others)."""
    others = [pk for pk in site_ids if pk != busy]
    weights = [rng.paretovariate(1.5) for _ in others]
    plan = [busy] * min(BUSY_CONTACTS, contacts)
    plan += rng.choices(others, weights=weights, k=contacts - len(plan))
    rng.shuffle(plan)
    return plan


def _rows(rng: random.Random, plan: list[int], codes_by_site: dict[int, list[int]]):
    """Contact and question rows, chunk by chunk, with explicit ids (so questions know them)."""
    from django.db import connection
    from django.utils import timezone

    from network.models import Theme
    from questions.models import Concern

    ops = connection.ops
    today = timezone.localdate()
    themes = list(Theme.objects.order_by("position").values_list("pk", flat=True))
    concerns = list(Concern.objects.values_list("pk", flat=True))
    theme = weighted(rng, {pk: 1.0 / (n + 1) for n, pk in enumerate(themes)})
    concern = weighted(rng, {None: 4.0, **{pk: 6.0 / len(concerns) for pk in concerns}})
    channel = weighted(
        rng,
        {"walk_in": 60, "appointment": 20, "phone": 12, "home_visit": 3, "mobile": 3, "video": 2},
    )
    duration = weighted(rng, {"lt15": 25, "15-30": 40, "30-60": 25, "gt60": 10})
    outcome = weighted(rng, {"solved": 65, "partly": 15, "referred": 10, "follow_up": 10})
    partner = weighted(
        rng, dict.fromkeys(("ocmw", "employment", "caw", "library", "government", "bank"), 1)
    )
    first_visit = weighted(rng, {True: 3, False: 3, None: 4})
    age_band = weighted(rng, {"": 5, "25-44": 1, "45-64": 2, "65-74": 2, "75+": 1})
    questions_per_contact = weighted(rng, {1: 75, 2: 20, 3: 5})
    from zoneinfo import ZoneInfo

    brussels = ZoneInfo("Europe/Brussels")
    openings = [
        datetime.combine(today - timedelta(days=n), datetime.min.time(), brussels)
        + timedelta(hours=9)
        for n in range(DAYS)
    ]
    contact_id = question_id = 0
    for start in range(0, len(plan), CHUNK):
        contacts, questions = [], []
        for site_id in plan[start : start + CHUNK]:
            contact_id += 1
            day_index = rng.randrange(DAYS)
            moment = openings[day_index] + timedelta(minutes=rng.randrange(480))
            day = ops.adapt_datefield_value(moment.date())
            stamp = ops.adapt_datetimefield_value(moment)
            codes = codes_by_site.get(site_id)
            visitor = rng.choice(codes) if codes and rng.random() < 0.2 else None
            contacts.append(
                (contact_id, site_id, stamp, day, None, channel(), duration(), "", visitor,
                 age_band(), "", "", first_visit(), "", None, "form", None, stamp, stamp)
            )  # fmt: skip
            for _n in range(questions_per_contact()):
                question_id += 1
                ended = outcome()
                questions.append(
                    (question_id, contact_id, site_id, day, theme(), concern(), ended,
                     partner() if ended == "referred" else "")
                )  # fmt: skip
        yield contacts, questions


CONTACT_COLUMNS = (
    "id, site_id, occurred_at, day, helper_id, channel, duration, note, visitor_id, age_band, "
    "gender, visitor_language, first_visit, situation, batch, source, created_by_id, "
    "created_at, updated_at"
)
QUESTION_COLUMNS = "id, contact_id, site_id, day, theme_id, concern_id, outcome, referred_to"


def _insert(table: str, columns: str, rows: list[tuple]) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY is several times faster than INSERTs on PostgreSQL.
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * (columns.count(",") + 1))
            sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608 (our constants)
            cursor.executemany(sql, rows)


def load_contacts(contacts: int, log: Callable[[str], None]) -> int:
    """A million contacts (by default) over the demo sites; returns the busy site's id."""
    from django.core.management.color import no_style
    from django.db import connection, transaction

    from network.models import Site
    from questions import visitor_codes
    from questions.models import Contact, Question, VisitorCode

    rng = random.Random(SEED)
    sites = list(Site.objects.filter(is_demo=True).order_by("pk").values_list("pk", "organisation"))
    busy = sites[0][0]
    org_of = dict(sites)
    organisations = sorted(set(org_of.values()))
    codes: set[str] = set()
    while len(codes) < VISITOR_CODES:
        codes.add(visitor_codes.generate())
    VisitorCode.objects.bulk_create(
        [VisitorCode(code=code, organisation_id=rng.choice(organisations)) for code in codes],
        batch_size=5000,
    )
    by_org: dict[int, list[int]] = {}
    for pk, org in VisitorCode.objects.values_list("pk", "organisation"):
        by_org.setdefault(org, []).append(pk)
    codes_by_site = {site: by_org.get(org, []) for site, org in sites}
    plan = _site_plan(rng, [pk for pk, _org in sites], busy, contacts)
    loaded = 0
    for chunk_contacts, chunk_questions in _rows(rng, plan, codes_by_site):
        with transaction.atomic():
            _insert(Contact._meta.db_table, CONTACT_COLUMNS, chunk_contacts)
            _insert(Question._meta.db_table, QUESTION_COLUMNS, chunk_questions)
        loaded += len(chunk_contacts)
        log(f"  {loaded:,} contacts")
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Contact, Question]):
            cursor.execute(sql)
    return busy


def build(contacts: int, reuse: bool) -> int:
    """The database, loaded (or reused); returns the busy site's id."""
    from django.core.management import call_command
    from django.db import connection

    from network.demo import demo_network_load
    from network.models import Site
    from questions.models import Contact

    call_command("migrate", verbosity=0)
    if reuse and Contact.objects.count() >= contacts:
        print(f"reusing the database: {Contact.objects.count():,} contacts")
        return Site.objects.filter(is_demo=True).order_by("pk").values_list("pk", flat=True)[0]
    start = time.perf_counter()
    with connection.cursor() as cursor:  # a rerun on PostgreSQL starts from empty tables
        cursor.execute("DELETE FROM questions_question")
        cursor.execute("DELETE FROM questions_contact")
        cursor.execute("DELETE FROM questions_visitorcode")
    call_command("load_territory", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    demo_network_load(sites=900, seed=SEED, log=lambda _s: None)
    print(f"territory and 900 demo sites: {time.perf_counter() - start:.1f} s")
    start = time.perf_counter()
    busy = load_contacts(contacts, log=lambda line: None)
    loaded = time.perf_counter() - start
    start = time.perf_counter()
    analyse("questions_contact", "questions_question")
    print(
        f"loaded {contacts:,} contacts and their questions in {loaded:.1f} s "
        f"(+ {time.perf_counter() - start:.1f} s ANALYZE)"
    )
    return busy


# --- measuring -------------------------------------------------------------------------------


def measure(
    call: Callable[[], object], check: Callable[[object], None], runs: int, warmup: int
) -> tuple[float, float, int]:
    """Median and 90th percentile server time (ms) and the most SQL queries of one call."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(warmup):
        check(call())
    timings, queries = [], []
    for _ in range(runs):
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            response = call()
            timings.append((time.perf_counter() - start) * 1000)
        check(response)
        queries.append(len(ctx.captured_queries))
    return statistics.median(timings), statistics.quantiles(timings, n=10)[-1], max(queries)


def _form_posts(site_id: int) -> Iterator[dict[str, object]]:
    """What the registration form posts when a helper chooses a theme and saves."""
    from network.models import Theme

    themes = list(Theme.objects.order_by("position").values_list("pk", flat=True))
    n = 0
    while True:
        n += 1
        data: dict[str, object] = {
            "theme": themes[n % len(themes)],
            "concern": "",
            "outcome": "solved",
            "referred_to": "",
            "channel": "walk_in",
            "duration": "15-30",
            "people": "1",
            "note": "",
            "form_token": uuid.uuid4().hex,  # a new form each time, not a double submission
        }
        for row in (2, 3):
            data.update({f"theme_{row}": "", f"concern_{row}": "", f"outcome_{row}": "solved"})
            data[f"referred_to_{row}"] = ""
        yield data


def run(busy: int, runs: int, warmup: int) -> None:
    from django.db.models import F
    from django.urls import reverse
    from django.utils import timezone
    from django.utils.http import urlencode

    from accounts.api_tokens import api_token_create
    from network.models import Site
    from questions.models import Contact

    site = Site.objects.select_related("organisation").get(pk=busy)
    client, person = coordinator_client(busy)
    today = timezone.localdate()
    year = {"from": (today - timedelta(days=364)).isoformat(), "to": today.isoformat()}
    in_year = Contact.objects.filter(site=site, day__gte=year["from"]).count()
    total = Contact.objects.filter(site=site).count()
    print(f"busy site: {site.name}, {total:,} contacts, {in_year:,} in the year measured")
    print(f"contacts in the database: {Contact.objects.count():,}")

    # Entries of an earlier run on a kept database leave the helper's "last 24 hours" list:
    # the form measured below lists exactly the entries this run makes (55 with the defaults).
    Contact.objects.filter(created_by=person).update(created_at=F("created_at") - timedelta(days=2))
    posts = _form_posts(busy)
    new_url = reverse("questions:contact-new", kwargs={"site_id": busy})
    before = Contact.objects.count()

    def registered(response) -> None:
        assert response.status_code == 302, (response.status_code, response.content[:2000])

    results = {
        "registration POST (form)": measure(
            lambda: client.post(new_url, next(posts)), registered, runs, warmup
        )
    }
    assert Contact.objects.count() == before + runs + warmup, "the form did not register"

    def ok(response) -> None:
        assert response.status_code == 200, response.status_code

    # The empty form: themes sorted by the site's use in 90 days, and the helper's entries of
    # the last 24 hours (the ones just made), each with its questions.
    results["registration form (GET)"] = measure(lambda: client.get(new_url), ok, runs, warmup)
    figures_url = reverse("questions:figures", kwargs={"site_id": busy}) + "?" + urlencode(year)
    csv_url = reverse("questions:figures-csv", kwargs={"site_id": busy}) + "?" + urlencode(year)
    results["figures page, one year"] = measure(lambda: client.get(figures_url), ok, runs, warmup)
    results["figures CSV, one year"] = measure(lambda: client.get(csv_url), ok, runs, warmup)

    _token, plaintext = api_token_create(actor=person, organisation=site.organisation, name="Bench")
    api_body = json.dumps(
        {
            "site": str(site.uuid),
            "channel": "appointment",
            "duration": "30-60",
            "questions": [{"theme": "eid-itsme", "concern": "itsme", "outcome": "solved"}],
        }
    )
    from django.test import Client

    api_client = Client()

    def created(response) -> None:
        assert response.status_code == 201, response.content

    results["registration POST (API)"] = measure(
        lambda: api_client.post(
            "/api/v1/contacts",
            api_body,
            content_type="application/json",
            headers={"authorization": f"Bearer {plaintext}"},
        ),
        created,
        runs,
        warmup,
    )
    print(f"\n{'':28} {'median':>9} {'p90':>9} {'queries':>8}   ({runs} runs after {warmup})")
    for name, (median, p90, queries) in results.items():
        print(f"{name:28} {median:7.1f} ms {p90:6.1f} ms {queries:8d}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--keep", help="keep (and reuse) the SQLite database in this directory")
    parser.add_argument("--reload", action="store_true", help="load anew even if reusable")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        workdir = args.keep or scratch
        Path(workdir).mkdir(parents=True, exist_ok=True)
        setup_django(str(Path(workdir).resolve()))
        from django.db import connection

        print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
        # A kept SQLite file or a PostgreSQL database that holds the contacts is reused.
        busy = build(args.contacts, reuse=not args.reload)
        run(busy, args.runs, args.warmup)


if __name__ == "__main__":
    main()
