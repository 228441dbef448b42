"""The evidence benchmark's data: N contacts (a million, ten million) over the demo network's sites
and the last 24 months, with their questions, visitor codes, loans and course places, written
straight into the tables (COPY on PostgreSQL, `executemany` in big transactions on SQLite).

Raw inserts bypass the models' signals, so nothing is marked pending for the rollups: the
benchmark rebuilds them afterwards with `insights.rollups.refresh(everything=True)`.

Every table is written with all of its model's columns: those this module does not set get the
model field's default (worked out once), so a column someone adds with a default does not break
the loader. The secondary indexes of the two big tables (contacts, questions) are dropped for the
load and built again afterwards, which is several times faster than keeping them up to date row
by row; the database ends up the same.
"""

from __future__ import annotations

import bisect
import json
import math
import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

SEED = 2026
CHUNK = 100_000  # rows per executemany / COPY batch
TRANSACTION_ROWS = 1_000_000  # SQLite: rows per transaction
CODED_SHARE = 0.10  # contacts that show a visitor code
CONTACTS_PER_LOAN = 40
CONTACTS_PER_REGISTRATION = 30
BRUSSELS = ZoneInfo("Europe/Brussels")
UTC = ZoneInfo("UTC")
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


# --- drawing ---------------------------------------------------------------------------------


class Draw:
    """Draws from a weighted table fast: one cumulative table, `bisect` on a uniform number."""

    def __init__(self, rng: random.Random, weights: dict[object, float]) -> None:
        self.values = list(weights)
        self.cumulative = []
        total = 0.0
        for weight in weights.values():
            total += weight
            self.cumulative.append(total)
        self.total = total
        self.random = rng.random

    def __call__(self) -> object:
        return self.values[bisect.bisect(self.cumulative, self.random() * self.total)]

    def many(self, rng: random.Random, k: int) -> list[object]:
        return rng.choices(self.values, cum_weights=self.cumulative, k=k)


def month_start(day: date, months_back: int) -> date:
    index = day.year * 12 + day.month - 1 - months_back
    return date(index // 12, index % 12 + 1, 1)


class Calendar:
    """The days of the benchmark (the first day of the month 24 months ago up to today), with a
    weight each: weekdays busy, Saturday a third, Sunday almost nothing, July and August and the
    Christmas weeks quieter, and a network that grows by half over the two years."""

    def __init__(self, today: date, vendor: str) -> None:
        self.first = month_start(today, 24)
        self.days = [self.first + timedelta(days=n) for n in range((today - self.first).days + 1)]
        weights = []
        for n, day in enumerate(self.days):
            weight = (1.0, 1.0, 1.0, 1.0, 0.9, 0.35, 0.04)[day.weekday()]
            if day.month in (7, 8):
                weight *= 0.7
            if (day.month == 12 and day.day >= 22) or (day.month == 1 and day.day <= 3):
                weight *= 0.4
            weights.append(weight * (0.8 + 0.4 * n / len(self.days)))
        self.cumulative = []
        total = 0.0
        for weight in weights:
            total += weight
            self.cumulative.append(total)
        self.iso = [day.isoformat() for day in self.days]
        # Local opening hours 9:00-17:00 are the same UTC date in Brussels (UTC+1 or +2).
        self.offset = [
            int(datetime.combine(day, datetime.min.time(), BRUSSELS).utcoffset().total_seconds())
            // 3600
            for day in self.days
        ]
        self.suffix = "+00:00" if vendor == "postgresql" else ""

    def pick(self, rng: random.Random, k: int) -> list[int]:
        return rng.choices(range(len(self.days)), cum_weights=self.cumulative, k=k)

    def stamp(self, index: int, local_minutes: int) -> str:
        """The UTC timestamp, as the database stores it, of a local time on a day."""
        hour, minute = divmod(local_minutes, 60)
        return f"{self.iso[index]} {hour - self.offset[index]:02d}:{minute:02d}:00{self.suffix}"

    def moment(self, index: int, local_minutes: int) -> datetime:
        hour, minute = divmod(local_minutes, 60)
        return datetime.combine(self.days[index], datetime.min.time(), BRUSSELS).replace(
            hour=hour, minute=minute
        )


# --- writing ---------------------------------------------------------------------------------


class Table:
    """A model's table written raw: `variable` columns come from the caller in that order, every
    other column gets the field's default (auto_now fields: now)."""

    def __init__(self, model, variable: Sequence[str]) -> None:  # type: ignore[no-untyped-def]
        from django.db import connection
        from django.utils import timezone

        self.model = model
        self.table = model._meta.db_table
        self.vendor = connection.vendor
        fields = {f.column: f for f in model._meta.concrete_fields}
        unknown = set(variable) - set(fields)
        assert not unknown, (self.table, unknown)
        self.columns = list(variable) + [c for c in fields if c not in variable]
        now = timezone.now()
        constants = []
        for column in self.columns[len(variable) :]:
            field = fields[column]
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                value = now
            elif field.has_default():
                value = field.get_default()
            elif field.null:
                value = None
            elif field.blank and field.get_internal_type() in ("CharField", "TextField"):
                value = ""
            else:
                raise RuntimeError(f"{self.table}.{column}: no default, and the loader sets none")
            constants.append(self._db_value(field, value))
        self.constants = tuple(constants)

    def _db_value(self, field, value):  # type: ignore[no-untyped-def]
        from django.db import connection

        if value is None:
            return None
        kind = field.get_internal_type()
        if kind == "JSONField":
            return json.dumps(value)
        if kind == "DateTimeField":
            return (
                connection.ops.adapt_datetimefield_value(value)
                if self.vendor != "postgresql"
                else value.isoformat()
            )
        if kind == "DateField":
            return value.isoformat()
        if kind == "BooleanField":
            return value if self.vendor == "postgresql" else int(value)
        if kind == "UUIDField":
            return str(value)
        return value

    def write(self, rows: Iterable[tuple]) -> int:
        """Writes the rows (each the variable columns), in chunks; returns how many."""
        from django.db import connection

        constants = self.constants
        names = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        written = 0
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {self.table} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row + constants)
                        written += 1
            else:
                marks = ", ".join(["%s"] * len(self.columns))
                sql = f"INSERT INTO {self.table} ({names}) VALUES ({marks})"  # noqa: S608
                batch: list[tuple] = []
                for row in rows:
                    batch.append(row + constants)
                    if len(batch) >= CHUNK:
                        cursor.executemany(sql, batch)
                        written += len(batch)
                        batch = []
                if batch:
                    cursor.executemany(sql, batch)
                    written += len(batch)
        return written


def next_id(model) -> int:  # type: ignore[no-untyped-def]
    from django.db.models import Max

    return (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1


def reset_sequences(models: Sequence) -> None:
    from django.core.management.color import no_style
    from django.db import connection

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), list(models)):
            cursor.execute(sql)


def secondary_indexes(table: str) -> list[tuple[str, str]]:
    """(name, CREATE statement) of the table's indexes that no constraint owns."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
                "WHERE c.conindid = (quote_ident(i.indexname))::regclass)",
                [table],
            )
        else:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                "AND sql IS NOT NULL",
                [table],
            )
        return list(cursor.fetchall())


class Loader:
    """Everything the load needs to know and the settings that make it fast."""

    def __init__(self, contacts: int, log: Callable[[str], None]) -> None:
        from django.db import connection
        from django.utils import timezone

        self.n = contacts
        self.log = log
        self.rng = random.Random(SEED)
        self.vendor = connection.vendor
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.calendar = Calendar(self.today, self.vendor)
        self.timings: dict[str, float] = {}

    # -- fast settings for the load only --

    def fast(self) -> None:
        from django.db import connection

        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                # No foreign-key triggers for rows we know to be right; memory to sort indexes.
                cursor.execute("SET session_replication_role = replica")
                cursor.execute("SET maintenance_work_mem = '2GB'")
                cursor.execute("SET synchronous_commit = off")
            else:
                cursor.execute("PRAGMA foreign_keys = OFF")
                cursor.execute("PRAGMA journal_mode = WAL")
                cursor.execute("PRAGMA synchronous = OFF")
                cursor.execute("PRAGMA cache_size = -2000000")  # 2 GB
                cursor.execute("PRAGMA temp_store = MEMORY")

    def normal(self) -> None:
        from django.db import connection

        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                cursor.execute("RESET session_replication_role")
                cursor.execute("RESET maintenance_work_mem")
                cursor.execute("RESET synchronous_commit")
            else:
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                cursor.execute("PRAGMA synchronous = NORMAL")
                cursor.execute("PRAGMA cache_size = -2000")
                cursor.execute("PRAGMA temp_store = DEFAULT")
                cursor.execute("PRAGMA foreign_keys = ON")

    def timed(self, name: str, started: float) -> None:
        self.timings[name] = time.perf_counter() - started
        self.log(f"  {name}: {self.timings[name]:.1f} s")

    # -- the plan --

    def plan(self) -> None:
        from learning.models import Course
        from network.models import Site, Theme
        from questions.models import Concern

        rng = self.rng
        sites = list(
            Site.objects.filter(is_demo=True)
            .order_by("pk")
            .values_list("pk", "organisation_id", "offers_lending", "offers_learning")
        )
        self.site_ids = [row[0] for row in sites]
        self.org_of = {row[0]: row[1] for row in sites}
        self.lending_sites = [row[0] for row in sites if row[2]]
        courses: dict[int, list[int]] = defaultdict(list)
        for pk, organisation_id in Course.objects.order_by("pk").values_list(
            "pk", "organisation_id"
        ):
            courses[organisation_id].append(pk)
        self.courses = courses
        self.learning_sites = [row[0] for row in sites if row[3] and courses.get(row[1])]
        # Some sites are much busier than others (a long tail).
        weights = [rng.paretovariate(1.3) for _ in self.site_ids]
        cap = sorted(weights)[-5]  # no single site holds a tenth of the network
        self.site_weight = {pk: min(w, cap) for pk, w in zip(self.site_ids, weights, strict=True)}
        total = sum(self.site_weight.values())
        self.site_share = {pk: w / total for pk, w in self.site_weight.items()}
        cumulative, running = [], 0.0
        for pk in self.site_ids:
            running += self.site_weight[pk]
            cumulative.append(running)
        self.site_cumulative = cumulative
        themes = list(Theme.objects.order_by("position").values_list("pk", flat=True))
        self.theme = Draw(rng, {pk: 1.0 / (n + 2) for n, pk in enumerate(themes)})
        concerns = list(Concern.objects.values_list("pk", flat=True))
        self.concern = Draw(
            rng, {None: 5.0, **{pk: 5.0 / max(len(concerns), 1) for pk in concerns}}
        )
        self.channel = Draw(
            rng,
            {"walk_in": 58, "appointment": 22, "phone": 12, "home_visit": 3, "mobile": 3,
             "video": 2},
        )  # fmt: skip
        self.duration = Draw(rng, {"lt15": 25, "15-30": 40, "30-60": 25, "gt60": 10})
        self.outcome = Draw(rng, {"solved": 65, "partly": 15, "referred": 10, "follow_up": 10})
        self.partner = Draw(
            rng,
            {"ocmw": 3, "employment": 2, "caw": 2, "library": 1, "government": 3, "bank": 2,
             "health_insurer": 1},
        )  # fmt: skip
        # The anonymous profile is optional: about half the contacts have none.
        self.age_band = Draw(
            rng,
            {"": 45, "u18": 2, "18-24": 6, "25-44": 14, "45-64": 15, "65-74": 10, "75+": 8},
        )
        working_age = {"": 55, "job_seeker": 12, "employed": 10, "student": 2, "newcomer": 8,
                       "sick_disabled": 4, "pensioner": 2, "other": 1}  # fmt: skip
        self.situation = {
            "": Draw(
                rng,
                {
                    "": 75,
                    "pensioner": 12,
                    "job_seeker": 5,
                    "employed": 4,
                    "newcomer": 3,
                    "other": 1,
                },
            ),
            "u18": Draw(rng, {"": 40, "student": 60}),
            "18-24": Draw(
                rng, {"": 45, "student": 30, "job_seeker": 15, "employed": 5, "newcomer": 5}
            ),
            "25-44": Draw(rng, working_age),
            "45-64": Draw(rng, working_age),
            "65-74": Draw(rng, {"": 35, "pensioner": 60, "sick_disabled": 3, "other": 2}),
            "75+": Draw(rng, {"": 35, "pensioner": 63, "sick_disabled": 2}),
        }
        self.gender = Draw(rng, {"": 50, "woman": 27, "man": 22, "other": 1})
        self.language = Draw(rng, {"": 60, "nl": 27, "fr": 9, "en": 3, "de": 1})
        self.first_visit = Draw(rng, {True: 30, False: 35, None: 35})

    def pick_sites(self, k: int) -> list[int]:
        return self.rng.choices(self.site_ids, cum_weights=self.site_cumulative, k=k)

    def minute(self) -> int:
        return 540 + int(self.rng.random() * 480)  # 9:00-17:00 local

    # -- contacts and questions --

    def contacts(self) -> None:
        """Contacts (a tenth with a visitor code, each code coming back a few times), their
        questions, the codes."""
        from questions.models import Contact, Question, VisitorCode

        rng = self.rng
        coded_target = int(self.n * CODED_SHARE)
        # Visitors with a code: each comes back 1 to 12 times (3 on average) to one site.
        visitors: list[tuple[int, list[int]]] = []  # (site, day indexes sorted)
        planned = 0
        while planned < coded_target:
            visits = min(1 + int(rng.expovariate(0.5)), 12, coded_target - planned)
            visitors.append((0, sorted(self.calendar.pick(rng, visits))))
            planned += visits
        visitor_sites = self.pick_sites(len(visitors))
        self.log(f"  {len(visitors):,} visitor codes for {planned:,} contacts")
        code_id0 = next_id(VisitorCode)
        codes: set[str] = set(VisitorCode.objects.values_list("code", flat=True))
        code_rows = []
        for n, site in enumerate(visitor_sites):
            while True:
                body = "".join(rng.choices(CODE_ALPHABET, k=7))
                code = body + _check_character(body)
                if code not in codes:
                    codes.add(code)
                    break
            first_day = visitors[n][1][0]
            code_rows.append(
                (code_id0 + n, code, self.org_of[site], self.calendar.stamp(first_day, 540))
            )
        started = time.perf_counter()
        codes_table = Table(VisitorCode, ("id", "code", "organisation_id", "created_at"))
        self.in_transactions(codes_table, code_rows)
        self.timed("visitor codes", started)

        # The coded visits, spread through the stream of uncoded ones.
        coded: list[tuple[int, int, int, bool]] = []  # (site, day index, code id, first)
        for n, (site, (_zero, days)) in enumerate(zip(visitor_sites, visitors, strict=True)):
            for m, day in enumerate(days):
                coded.append((site, day, code_id0 + n, m == 0))
        rng.shuffle(coded)
        contact_table = Table(
            Contact,
            ("id", "site_id", "occurred_at", "day", "channel", "duration", "visitor_id",
             "age_band", "gender", "visitor_language", "first_visit", "situation",
             "created_at", "updated_at"),
        )  # fmt: skip
        question_table = Table(
            Question,
            ("id", "contact_id", "site_id", "day", "theme_id", "concern_id", "outcome",
             "referred_to"),
        )  # fmt: skip
        dropped = []
        for table in (Contact._meta.db_table, Question._meta.db_table):
            dropped += self.drop_indexes(table)
        contact_id0 = next_id(Contact)
        question_id0 = next_id(Question)
        self.question_count = 0
        self.contacts_per_site: dict[int, int] = defaultdict(int)
        started = time.perf_counter()
        uncoded = self.n - len(coded)
        contact_rows: list[tuple] = []
        question_rows: list[tuple] = []
        contact_id, question_id = contact_id0, question_id0
        calendar = self.calendar
        coded_next = 0
        random_ = rng.random
        theme, concern, outcome, partner = self.theme, self.concern, self.outcome, self.partner
        written = 0
        for start in range(0, uncoded, CHUNK):
            k = min(CHUNK, uncoded - start)
            sites = self.pick_sites(k)
            days = calendar.pick(rng, k)
            batch: list[tuple[int, int, int | None, object]] = [
                (site, day, None, self.first_visit()) for site, day in zip(sites, days, strict=True)
            ]
            # The coded contacts that fall in this stretch of the stream.
            until = int((start + k) / uncoded * len(coded)) if uncoded else len(coded)
            batch += coded[coded_next:until]
            coded_next = until
            for site, day, visitor, first in batch:
                age = self.age_band()
                stamp = calendar.stamp(day, 540 + int(random_() * 480))
                iso = calendar.iso[day]
                contact_rows.append(
                    (contact_id, site, stamp, iso, self.channel(), self.duration(), visitor,
                     age, self.gender(), self.language(), first, self.situation[age](),
                     stamp, stamp)
                )  # fmt: skip
                self.contacts_per_site[site] += 1
                for _q in range(1 if random_() < 0.75 else 2):
                    ended = outcome()
                    question_rows.append(
                        (question_id, contact_id, site, iso, theme(), concern(), ended,
                         partner() if ended == "referred" else "")
                    )  # fmt: skip
                    question_id += 1
                contact_id += 1
            if len(contact_rows) >= TRANSACTION_ROWS // 2 or start + k >= uncoded:
                self.write_pair(contact_table, contact_rows, question_table, question_rows)
                written += len(contact_rows)
                self.log(f"    {written:,} contacts, {question_id - question_id0:,} questions")
                contact_rows, question_rows = [], []
        assert coded_next == len(coded), (coded_next, len(coded))
        assert contact_id - contact_id0 == self.n, (contact_id - contact_id0, self.n)
        self.question_count = question_id - question_id0
        self.timed("contacts and questions (written)", started)
        started = time.perf_counter()
        self.create_indexes(dropped)
        self.timed("their indexes, built", started)
        reset_sequences([VisitorCode, Contact, Question])

    def write_pair(self, first: Table, first_rows: list, second: Table, second_rows: list) -> None:
        from django.db import transaction

        with transaction.atomic():
            first.write(first_rows)
            second.write(second_rows)

    def in_transactions(self, table: Table, rows: list) -> None:
        from django.db import transaction

        for start in range(0, len(rows), TRANSACTION_ROWS):
            with transaction.atomic():
                table.write(rows[start : start + TRANSACTION_ROWS])

    def drop_indexes(self, table: str) -> list[tuple[str, str]]:
        from django.db import connection

        found = secondary_indexes(table)
        with connection.cursor() as cursor:
            for name, _sql in found:
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        return found

    def create_indexes(self, indexes: list[tuple[str, str]]) -> None:
        from django.db import connection

        with connection.cursor() as cursor:
            for _name, sql in indexes:
                cursor.execute(sql)

    # -- lending --

    def lending(self) -> None:
        """About one loan per 40 contacts, at the sites that lend, by how busy they are; the
        devices and borrowers they need."""
        from lending.models import Borrower, Device, Loan

        rng = self.rng
        loans_total = self.n // CONTACTS_PER_LOAN
        lending = self.lending_sites
        weight = sum(self.site_weight[s] for s in lending)
        per_site = {s: max(1, round(loans_total * self.site_weight[s] / weight)) for s in lending}
        started = time.perf_counter()
        kinds = ("laptop", "laptop", "tablet", "hotspot", "smartphone")
        makes = {"laptop": "Lenovo ThinkPad E14", "tablet": "Samsung Galaxy Tab A9",
                 "hotspot": "TP-Link M7350", "smartphone": "Samsung Galaxy A15"}  # fmt: skip
        device_id = next_id(Device)
        device_rows: list[tuple] = []
        devices_of: dict[int, list[tuple[int, str]]] = defaultdict(list)
        for site, loans in per_site.items():
            for n in range(max(3, math.ceil(loans / 25))):
                kind = kinds[n % len(kinds)]
                device_rows.append(
                    (device_id, self.org_of[site], site, kind, makes[kind], f"EVD-{site}-{n}")
                )
                devices_of[site].append((device_id, kind))
                device_id += 1
        Table(
            Device, ("id", "organisation_id", "site_id", "kind", "make_model", "asset_tag")
        ).write(device_rows)
        borrower_id = next_id(Borrower)
        borrower_rows, borrowers_of = [], defaultdict(list)
        loans_of_org: dict[int, int] = defaultdict(int)
        for site, loans in per_site.items():
            loans_of_org[self.org_of[site]] += loans
        for organisation, loans in loans_of_org.items():
            for n in range(max(1, loans // 3)):  # a borrower borrows three times on average
                kind = "organisation" if n % 20 == 0 else "resident"
                borrower_rows.append(
                    (borrower_id, organisation, kind, f"Bench borrower {borrower_id}",
                     self.calendar.stamp(0, 540))
                )  # fmt: skip
                borrowers_of[organisation].append(borrower_id)
                borrower_id += 1
        Table(Borrower, ("id", "organisation_id", "kind", "name", "created_at")).write(
            borrower_rows
        )
        loan_id = next_id(Loan)
        loan_rows = []
        calendar = self.calendar
        for site, loans in per_site.items():
            devices = devices_of[site]
            people = borrowers_of[self.org_of[site]]
            for day in calendar.pick(rng, loans):
                device, _kind = devices[int(rng.random() * len(devices))]
                moment = calendar.moment(day, self.minute())
                out = moment.astimezone(UTC)
                back = min(out + timedelta(days=rng.randint(5, 40)), self.now)
                loan_rows.append(
                    (loan_id, f"EV{loan_id:010d}", f"{loan_id:064x}", device,
                     people[int(rng.random() * len(people))], site, "returned", out,
                     (moment.date() + timedelta(days=28)).isoformat(), out, back)
                )  # fmt: skip
                loan_id += 1
        if self.vendor != "postgresql":
            from django.db import connection

            adapt = connection.ops.adapt_datetimefield_value
            loan_rows = [
                (*row[:7], adapt(row[7]), row[8], adapt(row[9]), adapt(row[10]))
                for row in loan_rows
            ]
        self.in_transactions(
            Table(
                Loan,
                ("id", "reference", "token_hash", "device_id", "borrower_id", "site_id",
                 "status", "checked_out_at", "due_on", "agreement_accepted_at", "returned_at"),
            ),
            loan_rows,
        )  # fmt: skip
        self.loan_count = len(loan_rows)
        reset_sequences([Device, Borrower, Loan])
        self.timed(
            f"lending ({len(device_rows):,} devices, {len(borrower_rows):,} borrowers, "
            f"{len(loan_rows):,} loans)",
            started,
        )

    # -- learning --

    def learning(self) -> None:
        """About one course place per 30 contacts: sessions over the two years at the sites that
        give courses (of their organisation's demo courses), 8 to 16 registrations each."""
        from django.db import connection

        from learning.models import Meeting, Registration, Session

        rng = self.rng
        calendar = self.calendar
        adapt = (
            (lambda value: value)
            if self.vendor == "postgresql"
            else connection.ops.adapt_datetimefield_value
        )
        target = self.n // CONTACTS_PER_REGISTRATION
        sites = self.learning_sites
        weight = sum(self.site_weight[s] for s in sites)
        started = time.perf_counter()
        session_id, registration_id = next_id(Session), next_id(Registration)
        meeting_id = next_id(Meeting)
        session_rows, meeting_rows, registration_rows = [], [], []
        ages = Draw(rng, {"": 30, "u25": 5, "25_44": 15, "45_64": 20, "65_79": 22, "80": 8})
        for site in sites:
            places = max(8, round(target * self.site_weight[site] / weight))
            courses = self.courses[self.org_of[site]]
            while places > 0:
                registrations = min(places, rng.randint(8, 16))
                places -= registrations
                day = calendar.pick(rng, 1)[0]
                if calendar.days[day].weekday() >= 5:
                    day = max(0, day - calendar.days[day].weekday() + 4)
                starts = calendar.moment(day, 14 * 60).astimezone(UTC)
                ends = starts + timedelta(hours=2)
                capacity = 12
                past = starts < self.now
                confirmed = 0
                for n in range(registrations):
                    walk_in = past and rng.random() < 0.05
                    if n < capacity and rng.random() > 0.06:
                        status = "confirmed"
                        confirmed += 1
                        attendance = (
                            ("present" if walk_in or rng.random() < 0.85 else "absent")
                            if past
                            else ""
                        )
                    else:
                        status, attendance, walk_in = (
                            ("cancelled", "", False) if n < capacity else ("waiting", "", False)
                        )
                    created = starts - timedelta(days=rng.randint(1, 30))
                    registration_rows.append(
                        (registration_id, session_id, f"ER{registration_id:010d}",
                         f"{registration_id:064x}", status, adapt(created),
                         adapt(created) if status == "cancelled" else None,
                         f"Bench participant {registration_id}", ages(), walk_in, attendance)
                    )  # fmt: skip
                    registration_id += 1
                session_rows.append(
                    (session_id, courses[session_id % len(courses)], site, capacity, confirmed,
                     adapt(starts), adapt(starts), adapt(ends), "scheduled", adapt(created))
                )  # fmt: skip
                meeting_rows.append((meeting_id, session_id, adapt(starts), adapt(ends)))
                session_id += 1
                meeting_id += 1
        from django.db import transaction

        with transaction.atomic():
            Table(
                Session,
                ("id", "course_id", "site_id", "capacity", "confirmed",
                 "registration_closes_at", "starts_at", "ends_at", "status", "created_at"),
            ).write(session_rows)  # fmt: skip
            Table(Meeting, ("id", "session_id", "starts_at", "ends_at")).write(meeting_rows)
        self.in_transactions(
            Table(
                Registration,
                ("id", "session_id", "reference", "token_hash", "status", "created_at",
                 "cancelled_at", "name", "age_band", "walk_in", "attendance"),
            ),
            registration_rows,
        )  # fmt: skip
        self.registration_count = len(registration_rows)
        reset_sequences([Session, Meeting, Registration])
        self.timed(
            f"learning ({len(session_rows):,} sessions, {len(registration_rows):,} places)",
            started,
        )

    def help_cards(self) -> None:
        """Help cards opened and sent per day (the demo cards), a few a day."""
        from learning.models import HelpCard, HelpCardCount

        rng = self.rng
        cards = list(HelpCard.objects.values_list("pk", flat=True))
        scale = max(1, self.n // 1_000_000)
        rows = []
        next_pk = next_id(HelpCardCount)
        for card in cards:
            for index in range(len(self.calendar.days)):
                opened = int(rng.expovariate(1 / (2 * scale)))
                sent = int(rng.expovariate(1 / scale))
                if opened or sent:
                    rows.append((next_pk, card, self.calendar.iso[index], opened, sent))
                    next_pk += 1
        Table(HelpCardCount, ("id", "card_id", "day", "opened", "sent")).write(rows)
        reset_sequences([HelpCardCount])

    def run(self) -> dict[str, float]:
        started = time.perf_counter()
        self.fast()
        try:
            self.plan()
            self.contacts()
            self.lending()
            self.learning()
            self.help_cards()
        finally:
            self.normal()
        self.timings["load, all"] = time.perf_counter() - started
        return self.timings


def _check_character(body: str) -> str:
    """The visitor code's check character (as questions.visitor_codes computes it)."""
    total = 0
    factor = 2
    for char in reversed(body):
        addend = factor * CODE_ALPHABET.index(char)
        factor = 1 if factor == 2 else 2
        total += addend // 32 + addend % 32
    return CODE_ALPHABET[(32 - total % 32) % 32]


def iter_chunks(items: Sequence, size: int) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
