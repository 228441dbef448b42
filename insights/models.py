"""Rollups: the counts the dashboards read, so that no dashboard scans raw rows.

Two levels, both kept by `insights.rollups.refresh` (an idempotent job, `manage.py
refresh_rollups`, every few minutes):

- **Daily rollups per site** (`ContactDay`, `QuestionDay`, `LoanDay`, `CourseDay`, `HelpCardDay`,
  `ReachDay`): the raw facts counted per site, day and the dimensions a figure breaks them down by.
  Each row is recomputed from the raw rows of its (site, day) whenever one of them changes, so a
  rollup always equals a count of the raw rows (`tests/insights/test_rollups_property.py`).
- **Monthly tallies per scope** (`Tally`): for every scope a dashboard can show (a site, an
  organisation, a partnership, a municipality, a province, a region, the network), per month,
  each measure in total and by each dimension on its own. A dashboard of any scope and any months
  reads a few hundred of these rows, however many contacts there are.

`Pending` and `PendingPerson` are the job's queue: what changed since it last ran.
"""

from __future__ import annotations

from django.db import models

from network.models import Organisation, Site, Theme


class Pending(models.Model):
    """A site's (or an organisation's) day whose facts changed since the last refresh."""

    class Kind(models.TextChoices):
        SITE = "site"
        ORGANISATION = "organisation"

    kind = models.CharField(max_length=12, choices=Kind.choices)
    owner = models.PositiveIntegerField()
    day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "owner", "day"], name="pending_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.owner} {self.day}"


class PendingPerson(models.Model):
    """A visitor code or a borrower whose first visit or loan may have moved."""

    kind = models.CharField(max_length=10)  # FirstSeen.Kind
    person = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "person"], name="pending_person_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.person}"


class ContactDay(models.Model):
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    channel = models.CharField(max_length=20)
    age_band = models.CharField(max_length=8, blank=True)
    situation = models.CharField(max_length=20, blank=True)
    contacts = models.PositiveIntegerField()
    first_visits = models.PositiveIntegerField()
    # First visits of people without a visitor code: each one is a new person reached.
    new_uncoded = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["site", "day"], name="contactday_site_day")]

    def __str__(self) -> str:
        return f"site:{self.site_id} {self.day} {self.channel}: {self.contacts}"


class QuestionDay(models.Model):
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=20)
    outcome = models.CharField(max_length=12)
    questions = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["site", "day"], name="questionday_site_day")]

    def __str__(self) -> str:
        return f"site:{self.site_id} {self.day} {self.outcome}: {self.questions}"


class LoanDay(models.Model):
    """Loans by the day they began (the site's local date)."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    device_kind = models.CharField(max_length=12)
    loans = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["site", "day"], name="loanday_site_day")]

    def __str__(self) -> str:
        return f"site:{self.site_id} {self.day} {self.device_kind}: {self.loans}"


class CourseDay(models.Model):
    """Course places by the day the session starts; `site` is empty for an online session, which
    counts for the course's organisation."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    site = models.ForeignKey(Site, on_delete=models.CASCADE, null=True, related_name="+")
    day = models.DateField()
    age_band = models.CharField(max_length=6, blank=True)
    registrations = models.PositiveIntegerField()  # a place (not cancelled, not waiting)
    participants = models.PositiveIntegerField()  # marked present
    walk_ins = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["organisation", "day"], name="courseday_org_day")]

    def __str__(self) -> str:
        return f"organisation:{self.organisation_id} {self.day}: {self.registrations}"


class HelpCardDay(models.Model):
    """Help cards of an organisation opened on the website and sent by helpers, per day."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    opened = models.PositiveIntegerField()
    sent = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "day"], name="helpcardday_once"),
        ]

    def __str__(self) -> str:
        return f"organisation:{self.organisation_id} {self.day}: {self.opened}/{self.sent}"


class FirstSeen(models.Model):
    """Where and when a person was first reached: a visitor code's first visit, a borrower's
    first loan. Only ids: no one's data."""

    class Kind(models.TextChoices):
        VISITOR = "visitor"
        BORROWER = "borrower"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    person = models.PositiveIntegerField()
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "person"], name="firstseen_once"),
        ]
        indexes = [models.Index(fields=["site", "day"], name="firstseen_site_day")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.person} site:{self.site_id} {self.day}"


class ReachDay(models.Model):
    """New people reached per site and day: the `FirstSeen` rows counted."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    kind = models.CharField(max_length=10, choices=FirstSeen.Kind.choices)
    people = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["site", "day", "kind"], name="reachday_once"),
        ]

    def __str__(self) -> str:
        return f"site:{self.site_id} {self.day} {self.kind}: {self.people}"


class Tally(models.Model):
    """One monthly count of a scope: `measure` in total (`dimension` empty) or for one `value` of
    a `dimension`. `scope` is "network", "region:02000", "province:10000",
    "municipality:11002", "partnership:3", "organisation:7" or "site:12"."""

    scope = models.CharField(max_length=24)
    month = models.DateField()  # the first day of the month
    measure = models.CharField(max_length=20)
    dimension = models.CharField(max_length=12, blank=True)
    value = models.CharField(max_length=40, blank=True)
    count = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "month", "measure", "dimension", "value"], name="tally_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.month:%Y-%m} {self.measure}/{self.value}: {self.count}"


class RollupState(models.Model):
    """One row: when the rollups were last refreshed, and the shape of the directory (which
    site belongs to which organisation, municipality and partnership) they were summed with."""

    refreshed_at = models.DateTimeField(null=True)
    directory = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"refreshed {self.refreshed_at}"
