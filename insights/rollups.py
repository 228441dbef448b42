"""Keeping the rollups equal to the raw facts: `refresh()`, run by `manage.py refresh_rollups`.

The job is idempotent: it recomputes, from the raw rows, every (site, day) and (organisation, day)
marked pending by `insights.tracking`, and every person whose first visit or loan may have moved;
then it sums the days it touched into the monthly tallies of their site and of every scope the
site belongs to. Running it twice changes nothing; `refresh(everything=True)` rebuilds all of it
from the raw rows (after a restore, or to check). A change of the directory's shape (a site moved
to another organisation, a partnership's members) rebuilds the scope tallies from the site
tallies, which do not depend on it.

Leaves and scopes. The tallies of a site (`site:<id>`) and of what belongs to an organisation but
to no site (`orgonly:<id>`: help cards, online courses) are the leaves; every other scope is the
sum of its leaves: an organisation's sites and its own facts; a partnership's organisations; the
sites of a municipality, a province, a region; everything for the network.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from insights.models import (
    ContactDay,
    CourseDay,
    FirstSeen,
    HelpCardDay,
    LoanDay,
    Pending,
    PendingPerson,
    QuestionDay,
    ReachDay,
    RollupState,
    Tally,
)
from learning.models import HelpCardCount, Registration, Session
from lending.models import Loan
from network.models import Organisation, Partnership, Site, Theme
from questions.models import Contact, Question

BATCH = 5000
NETWORK = "network"
F_CHANNEL = F("contact__channel")
F_KIND = F("device__kind")


def month_of(day: date) -> date:
    return day.replace(day=1)


def month_days(month: date) -> tuple[date, date]:
    """The first and last day of `month`."""
    following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return month, date.fromordinal(following.toordinal() - 1)


@dataclass
class Refreshed:
    site_days: int = 0
    organisation_days: int = 0
    people: int = 0
    months: int = 0
    scopes_rebuilt: bool = False


# --- the daily rollups -----------------------------------------------------------------------


def _counted_contacts(rows: QuerySet[Contact]) -> QuerySet[Any]:
    return rows.values("site_id", "day", "channel", "age_band", "situation").annotate(
        contacts=Count("id"),
        first_visits=Count("id", filter=Q(first_visit=True)),
        new_uncoded=Count("id", filter=Q(first_visit=True, visitor__isnull=True)),
    )


def _counted_questions(rows: QuerySet[Question]) -> QuerySet[Any]:
    return rows.values("site_id", "day", "theme_id", "outcome", channel=F_CHANNEL).annotate(
        questions=Count("id")
    )


def _counted_loans(rows: QuerySet[Loan]) -> QuerySet[Any]:
    return rows.values("site_id", day=TruncDate("checked_out_at"), device_kind=F_KIND).annotate(
        loans=Count("id")
    )


def _counted_registrations(rows: QuerySet[Registration]) -> QuerySet[Any]:
    placed = Q(status=Registration.Status.CONFIRMED)
    return (
        rows.filter(session__status=Session.Status.SCHEDULED)
        .values(
            "age_band",
            organisation_id=F("session__course__organisation_id"),
            site_id=F("session__site_id"),
            day=TruncDate("session__starts_at"),
        )
        .annotate(
            registrations=Count("id", filter=placed),
            participants=Count("id", filter=placed & Q(attendance=Registration.Attendance.PRESENT)),
            walk_ins=Count("id", filter=placed & Q(walk_in=True)),
        )
        .filter(registrations__gt=0)
    )


def _insert(model, rows: Iterable[dict[str, object]]) -> int:  # type: ignore[no-untyped-def]
    """Insert `rows` (dicts of field or attribute names) in batches of plain INSERTs: rollups
    are many small rows, and the ORM's per-object work would cost more than the database's."""
    written = 0
    statement = None
    batch: list[tuple[Any, ...]] = []
    names: list[str] = []
    with connection.cursor() as cursor:
        for row in rows:
            if statement is None:
                names = list(row)
                columns = [model._meta.get_field(name.removesuffix("_id")).column for name in names]
                # Table and column names come from the model, the values go as parameters.
                table = connection.ops.quote_name(model._meta.db_table)
                quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
                marks = ", ".join(["%s"] * len(columns))
                statement = f"INSERT INTO {table} ({quoted}) VALUES ({marks})"  # noqa: S608
            batch.append(tuple(_plain(row[name]) for name in names))
            if len(batch) >= BATCH:
                cursor.executemany(statement, batch)
                written += len(batch)
                batch = []
        if batch and statement is not None:
            cursor.executemany(statement, batch)
            written += len(batch)
    return written


def _plain(value: Any) -> Any:
    # Dates as ISO text, which SQLite and PostgreSQL both read into a date column.
    return value.isoformat() if isinstance(value, date) else value


def _recompute_site_days(site_id: int, days: list[date]) -> None:
    for model in (ContactDay, QuestionDay, LoanDay, ReachDay):
        model.objects.filter(site_id=site_id, day__in=days).delete()
    CourseDay.objects.filter(site_id=site_id, day__in=days).delete()
    _insert(ContactDay, _counted_contacts(Contact.objects.filter(site_id=site_id, day__in=days)))
    _insert(QuestionDay, _counted_questions(Question.objects.filter(site_id=site_id, day__in=days)))
    _insert(
        LoanDay,
        _counted_loans(Loan.objects.filter(site_id=site_id, checked_out_at__date__in=days)),
    )
    _insert(
        CourseDay,
        _counted_registrations(
            Registration.objects.filter(session__site_id=site_id, session__starts_at__date__in=days)
        ),
    )
    _insert(
        ReachDay,
        FirstSeen.objects.filter(site_id=site_id, day__in=days)
        .values("site_id", "day", "kind")
        .annotate(people=Count("id")),
    )


def _recompute_organisation_days(organisation_id: int, days: list[date]) -> None:
    CourseDay.objects.filter(
        organisation_id=organisation_id, site__isnull=True, day__in=days
    ).delete()
    HelpCardDay.objects.filter(organisation_id=organisation_id, day__in=days).delete()
    _insert(
        CourseDay,
        _counted_registrations(
            Registration.objects.filter(
                session__site__isnull=True,
                session__course__organisation_id=organisation_id,
                session__starts_at__date__in=days,
            )
        ),
    )
    _insert(
        HelpCardDay,
        HelpCardCount.objects.filter(card__organisation_id=organisation_id, day__in=days)
        .values("day", organisation_id=F("card__organisation_id"))
        .annotate(opened=Sum("opened"), sent=Sum("sent")),
    )


def _first_contact(visitor_id: int) -> tuple[int, date] | None:
    row = (
        Contact.objects.filter(visitor_id=visitor_id)
        .order_by("day", "occurred_at", "pk")
        .values_list("site_id", "day")
        .first()
    )
    return (row[0], row[1]) if row else None


def _first_loan(borrower_id: int) -> tuple[int, date] | None:
    row = (
        Loan.objects.filter(borrower_id=borrower_id)
        .order_by("checked_out_at", "pk")
        .values_list("site_id", "checked_out_at")
        .first()
    )
    return (row[0], timezone.localdate(row[1])) if row else None


def _refresh_person(kind: str, person: int) -> set[tuple[int, date]]:
    """Recompute where `person` was first reached; the site days whose count may change."""
    first = _first_contact(person) if kind == FirstSeen.Kind.VISITOR else _first_loan(person)
    old = FirstSeen.objects.filter(kind=kind, person=person).first()
    touched: set[tuple[int, date]] = set()
    if old is not None:
        if first == (old.site_id, old.day):
            return touched
        touched.add((old.site_id, old.day))
        old.delete()
    if first is not None:
        FirstSeen.objects.create(kind=kind, person=person, site_id=first[0], day=first[1])
        touched.add(first)
    return touched


# --- the monthly tallies ---------------------------------------------------------------------

Key = tuple[str, str, str]  # (measure, dimension, value)


def _add(counts: dict[Key, int], measure: str, dimension: str, value: str, n: int) -> None:
    if n:
        counts[(measure, dimension, value)] += n


Leaves = dict[tuple[str, date], dict[Key, int]]  # (leaf, month) -> counts


def _leaf_counts(site_rows: Q, organisation_rows: Q, themes: dict[int, str]) -> Leaves:
    """The monthly counts of the leaves, from the daily rollups that match: `site_rows` filters
    the site rollups (ContactDay, QuestionDay, LoanDay, ReachDay, CourseDay of a site),
    `organisation_rows` those of organisations (CourseDay online, HelpCardDay). One pass over
    each table, however many leaves and months."""
    leaves: Leaves = defaultdict(lambda: defaultdict(int))

    def at(prefix: str, owner: int, day: date) -> dict[Key, int]:
        return leaves[(f"{prefix}:{owner}", month_of(day))]

    for row in (
        ContactDay.objects.filter(site_rows)
        .values_list(
            "site_id",
            "day",
            "channel",
            "age_band",
            "situation",
            "contacts",
            "first_visits",
            "new_uncoded",
        )
        .iterator(chunk_size=BATCH)
    ):
        site_id, day, channel, age_band, situation, contacts, first_visits, new_uncoded = row
        counts = at("site", site_id, day)
        _add(counts, "contacts", "", "", contacts)
        _add(counts, "contacts", "channel", channel, contacts)
        _add(counts, "contacts", "age_band", age_band, contacts)
        _add(counts, "contacts", "situation", situation, contacts)
        _add(counts, "first_visits", "", "", first_visits)
        _add(counts, "new_uncoded", "", "", new_uncoded)
    for site_id, day, theme_id, channel, outcome, n in (
        QuestionDay.objects.filter(site_rows)
        .values_list("site_id", "day", "theme_id", "channel", "outcome", "questions")
        .iterator(chunk_size=BATCH)
    ):
        counts = at("site", site_id, day)
        _add(counts, "questions", "", "", n)
        _add(counts, "questions", "theme", themes.get(theme_id, ""), n)
        _add(counts, "questions", "channel", channel, n)
        _add(counts, "questions", "outcome", outcome, n)
    for site_id, day, kind, n in LoanDay.objects.filter(site_rows).values_list(
        "site_id", "day", "device_kind", "loans"
    ):
        counts = at("site", site_id, day)
        _add(counts, "loans", "", "", n)
        _add(counts, "loans", "device_kind", kind, n)
    for site_id, day, kind, n in ReachDay.objects.filter(site_rows).values_list(
        "site_id", "day", "kind", "people"
    ):
        _add(at("site", site_id, day), f"new_{kind}s", "", "", n)
    courses = CourseDay.objects.filter(
        (Q(site__isnull=False) & site_rows) | (Q(site__isnull=True) & organisation_rows)
    )
    for (
        site_id,
        organisation_id,
        day,
        age_band,
        registrations,
        participants,
        walk_ins,
    ) in courses.values_list(
        "site_id",
        "organisation_id",
        "day",
        "age_band",
        "registrations",
        "participants",
        "walk_ins",
    ):
        counts = at("site", site_id, day) if site_id else at("orgonly", organisation_id, day)
        _add(counts, "registrations", "", "", registrations)
        _add(counts, "participants", "", "", participants)
        _add(counts, "participants", "age_band", age_band, participants)
        _add(counts, "walk_ins", "", "", walk_ins)
    for organisation_id, day, opened, sent in HelpCardDay.objects.filter(
        organisation_rows
    ).values_list("organisation_id", "day", "opened", "sent"):
        counts = at("orgonly", organisation_id, day)
        _add(counts, "cards_opened", "", "", opened)
        _add(counts, "cards_sent", "", "", sent)
    return leaves


def _months_filter(owner_field: str, months: dict[int, set[date]]) -> Q:
    """Rows of these owners in these months (a range per owner; extra months are dropped by
    the caller)."""
    condition = Q(pk__in=[])
    for owner, owner_months in months.items():
        first = month_days(min(owner_months))[0]
        last = month_days(max(owner_months))[1]
        condition |= Q(**{owner_field: owner, "day__range": (first, last)})
    return condition


def _write_tallies(month: date, tallies: dict[str, dict[Key, int]]) -> None:
    Tally.objects.filter(month=month, scope__in=list(tallies)).delete()
    _insert(
        Tally,
        (
            {
                "scope": scope,
                "month": month,
                "measure": measure,
                "dimension": dimension,
                "value": value,
                "count": n,
            }
            for scope, counts in tallies.items()
            for (measure, dimension, value), n in counts.items()
            if n
        ),
    )


# --- scopes: which leaves each scope sums ----------------------------------------------------


@dataclass(frozen=True)
class Directory:
    """Which scopes each leaf belongs to."""

    scopes_of_leaf: dict[str, tuple[str, ...]]
    fingerprint: str

    def scopes_of(self, leaves: Iterable[str]) -> set[str]:
        found: set[str] = set()
        for leaf in leaves:
            found.update(self.scopes_of_leaf.get(leaf, (NETWORK,)))
        return found


def directory() -> Directory:
    partnerships: dict[int, list[int]] = defaultdict(list)
    for organisation_id, partnership_id in Partnership.organisations.through.objects.values_list(
        "organisation_id", "partnership_id"
    ):
        partnerships[organisation_id].append(partnership_id)
    scopes: dict[str, tuple[str, ...]] = {}
    for site_id, organisation_id, refnis, province, region in Site.objects.values_list(
        "id",
        "organisation_id",
        "municipality_id",
        "municipality__province_id",
        "municipality__region_id",
    ).order_by("id"):
        scopes[f"site:{site_id}"] = (
            NETWORK,
            f"organisation:{organisation_id}",
            *(f"partnership:{p}" for p in sorted(partnerships[organisation_id])),
            f"municipality:{refnis}",
            *((f"province:{province}",) if province else ()),
            f"region:{region}",
        )
    for organisation_id in Organisation.objects.order_by("id").values_list("id", flat=True):
        scopes[f"orgonly:{organisation_id}"] = (
            NETWORK,
            f"organisation:{organisation_id}",
            *(f"partnership:{p}" for p in sorted(partnerships[organisation_id])),
        )
    digest = hashlib.sha256(repr(sorted(scopes.items())).encode()).hexdigest()
    return Directory(scopes, digest)


def _sum_scopes(month: date, scopes: set[str], shape: Directory) -> dict[str, dict[Key, int]]:
    """The tallies of `scopes` for `month`, summed from the leaves' tallies."""
    sums: dict[str, dict[Key, int]] = {scope: defaultdict(int) for scope in scopes}
    leaves = Tally.objects.filter(month=month).filter(
        Q(scope__startswith="site:") | Q(scope__startswith="orgonly:")
    )
    for leaf, measure, dimension, value, n in leaves.values_list(
        "scope", "measure", "dimension", "value", "count"
    ).iterator(chunk_size=BATCH):
        key = (measure, dimension, value)
        for scope in shape.scopes_of_leaf.get(leaf, (NETWORK,)):
            if scope in sums:
                sums[scope][key] += n
    return sums


def _rebuild_scopes(months: Iterable[date], shape: Directory) -> None:
    every_scope = {scope for scopes in shape.scopes_of_leaf.values() for scope in scopes}
    for month in months:
        Tally.objects.filter(month=month).exclude(
            Q(scope__startswith="site:") | Q(scope__startswith="orgonly:")
        ).delete()
        _write_tallies(month, _sum_scopes(month, every_scope, shape))


# --- the job ---------------------------------------------------------------------------------


def _themes() -> dict[int, str]:
    return dict(Theme.objects.values_list("id", "code"))


def _refresh_leaves(
    site_days: dict[int, set[date]], organisation_days: dict[int, set[date]]
) -> dict[date, set[str]]:
    """Recompute the daily rollups of these days and the tallies of their months; the leaves
    touched per month."""
    for site_id, days in site_days.items():
        _recompute_site_days(site_id, sorted(days))
    for organisation_id, days in organisation_days.items():
        _recompute_organisation_days(organisation_id, sorted(days))
    site_months = {site: {month_of(d) for d in days} for site, days in site_days.items()}
    organisation_months = {
        owner: {month_of(d) for d in days} for owner, days in organisation_days.items()
    }
    touched: dict[date, set[str]] = defaultdict(set)
    for site_id, months in site_months.items():
        for month in months:
            touched[month].add(f"site:{site_id}")
    for organisation_id, months in organisation_months.items():
        for month in months:
            touched[month].add(f"orgonly:{organisation_id}")
    if not touched:
        return touched
    leaves = _leaf_counts(
        _months_filter("site_id", site_months),
        _months_filter("organisation_id", organisation_months),
        _themes(),
    )
    for month, names in touched.items():
        _write_tallies(month, {leaf: leaves.get((leaf, month), {}) for leaf in names})
    return touched


# The advisory lock of the job on PostgreSQL (any fixed number; "rollups" in ASCII).
LOCK_KEY = 0x726F6C6C7570


def _one_at_a_time() -> None:
    """Two runs of the job never interleave (a slow run and the next one from the scheduler):
    the second waits for the first's transaction. On SQLite, `BEGIN IMMEDIATE` does it."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def refresh(*, everything: bool = False) -> Refreshed:
    """Bring the rollups up to date with the raw facts (see the module's docstring)."""
    if everything or not RollupState.objects.exists():
        # The first run on a database with facts (an upgrade, a restore) counts them all.
        return _rebuild()
    done = Refreshed()
    with transaction.atomic():
        _one_at_a_time()
        pending = list(Pending.objects.values_list("id", "kind", "owner", "day"))
        people = list(PendingPerson.objects.values_list("id", "kind", "person"))
        Pending.objects.filter(id__in=[row[0] for row in pending]).delete()
        PendingPerson.objects.filter(id__in=[row[0] for row in people]).delete()
        site_days: dict[int, set[date]] = defaultdict(set)
        organisation_days: dict[int, set[date]] = defaultdict(set)
        for _, kind, owner, day in pending:
            (site_days if kind == Pending.Kind.SITE else organisation_days)[owner].add(day)
        for _, kind, person in people:
            for site_id, day in _refresh_person(kind, person):
                site_days[site_id].add(day)
        touched = _refresh_leaves(site_days, organisation_days)
        shape = directory()
        state, _ = RollupState.objects.get_or_create(pk=1)
        if state.directory != shape.fingerprint:
            months = Tally.objects.dates("month", "month")
            _rebuild_scopes(sorted(set(months) | set(touched)), shape)
            done.scopes_rebuilt = True
        else:
            for month, leaves in touched.items():
                _write_tallies(month, _sum_scopes(month, shape.scopes_of(leaves), shape))
        state.directory = shape.fingerprint
        state.refreshed_at = timezone.now()
        state.save()
    done.site_days = sum(len(days) for days in site_days.values())
    done.organisation_days = sum(len(days) for days in organisation_days.values())
    done.people = len(people)
    done.months = len(touched)
    return done


def _rebuild_first_seen() -> None:
    FirstSeen.objects.all().delete()

    def visitors() -> Iterator[dict[str, object]]:
        last = None
        for visitor, site_id, day in (
            Contact.objects.filter(visitor__isnull=False)
            .order_by("visitor_id", "day", "occurred_at", "pk")
            .values_list("visitor_id", "site_id", "day")
            .iterator(chunk_size=BATCH)
        ):
            if visitor != last:
                last = visitor
                yield {
                    "kind": FirstSeen.Kind.VISITOR,
                    "person": visitor,
                    "site_id": site_id,
                    "day": day,
                }

    def borrowers() -> Iterator[dict[str, object]]:
        last = None
        for borrower, site_id, at in (
            Loan.objects.order_by("borrower_id", "checked_out_at", "pk")
            .values_list("borrower_id", "site_id", "checked_out_at")
            .iterator(chunk_size=BATCH)
        ):
            if borrower != last:
                last = borrower
                yield {
                    "kind": FirstSeen.Kind.BORROWER,
                    "person": borrower,
                    "site_id": site_id,
                    "day": timezone.localdate(at),
                }

    _insert(FirstSeen, visitors())
    _insert(FirstSeen, borrowers())


def _rebuild() -> Refreshed:
    """Everything from the raw rows, in one transaction."""
    done = Refreshed(scopes_rebuilt=True)
    with transaction.atomic():
        _one_at_a_time()
        Pending.objects.all().delete()
        PendingPerson.objects.all().delete()
        for model in (ContactDay, QuestionDay, LoanDay, CourseDay, HelpCardDay, ReachDay, Tally):
            model.objects.all().delete()
        _rebuild_first_seen()
        _insert(ContactDay, _counted_contacts(Contact.objects.all()).iterator(chunk_size=BATCH))
        _insert(QuestionDay, _counted_questions(Question.objects.all()).iterator(chunk_size=BATCH))
        _insert(LoanDay, _counted_loans(Loan.objects.all()).iterator(chunk_size=BATCH))
        _insert(CourseDay, _counted_registrations(Registration.objects.all()).iterator())
        _insert(
            HelpCardDay,
            HelpCardCount.objects.values(
                "day",
                organisation_id=F("card__organisation_id"),
            ).annotate(opened=Sum("opened"), sent=Sum("sent")),
        )
        _insert(
            ReachDay,
            FirstSeen.objects.values("site_id", "day", "kind").annotate(people=Count("id")),
        )
        leaves = _leaf_counts(Q(), Q(), _themes())
        _insert(
            Tally,
            (
                {
                    "scope": leaf,
                    "month": month,
                    "measure": measure,
                    "dimension": dimension,
                    "value": value,
                    "count": n,
                }
                for (leaf, month), counts in leaves.items()
                for (measure, dimension, value), n in counts.items()
                if n
            ),
        )
        months = {month for _leaf, month in leaves}
        shape = directory()
        _rebuild_scopes(sorted(months), shape)
        RollupState.objects.update_or_create(
            pk=1, defaults={"directory": shape.fingerprint, "refreshed_at": timezone.now()}
        )
    return done
