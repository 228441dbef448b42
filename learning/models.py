"""Learning: courses, their sessions at a Digipunt or online, and the residents who join them.

A `Course` is what is taught (a plain-language title and summary, level, language, DigComp
competences with the framework's version); a `Session` is one run of it, with one or more
`Meeting`s (a single afternoon, or a series joined as a whole), a capacity and a registration
deadline. A session is never overbooked: its row is locked while a registration checks and raises
its `confirmed` counter, and the database refuses a counter above the capacity (check
constraint). When it is full, a registration goes on the waiting list, in order of arrival; a
cancellation gives the seat to the first one waiting.

`Registration` holds personal data (name, phone, email, accessibility needs): it is erased by the
retention run a configurable number of days after the session (`erased_at` says when); the row,
its attendance and every count stay.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from network.models import SITE_LANGUAGES, Organisation, Site, Theme


class Course(models.Model):
    class Level(models.TextChoices):
        BEGINNER = "beginner", _("For beginners")
        SOME = "some", _("For people with some experience")
        EXPERIENCED = "experienced", _("For experienced users")

    class Format(models.TextChoices):
        GROUP = "group", _("In a group")
        ONE_TO_ONE = "one_to_one", _("One to one")
        ONLINE = "online", _("Online")

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="courses")
    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=120)
    summary = models.TextField(_("what you learn"), max_length=1000)
    level = models.CharField(_("level"), max_length=12, choices=Level.choices, default="beginner")
    language = models.CharField(
        _("language of the course"), max_length=4, choices=SITE_LANGUAGES, default="nl"
    )
    format = models.CharField(_("format"), max_length=12, choices=Format.choices, default="group")
    # DigComp competences by code (",2.1,4.2,"), with the framework's version (learning.digcomp).
    digcomp_version = models.CharField(max_length=8, default="2.2")
    competences = models.CharField(_("DigComp competences"), max_length=120, blank=True)
    themes = models.ManyToManyField(
        Theme, related_name="courses", blank=True, verbose_name=_("themes")
    )
    what_to_bring = models.CharField(_("what to bring"), max_length=300, blank=True)
    cost_euros = models.DecimalField(_("cost in euros"), max_digits=6, decimal_places=2, default=0)
    is_published = models.BooleanField(_("on the public website"), default=True)
    is_demo = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title", "pk"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        constraints = [
            models.CheckConstraint(condition=Q(cost_euros__gte=0), name="course_cost_not_negative")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def competence_codes(self) -> list[str]:
        return [code for code in self.competences.split(",") if code]

    @property
    def area_codes(self) -> list[str]:
        return sorted({code.split(".", 1)[0] for code in self.competence_codes})


class Session(models.Model):
    """One run of a course: its meetings, where, who teaches, how many can join."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CANCELLED = "cancelled", _("Cancelled")

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="sessions")
    # Where it takes place; empty for an online session.
    site = models.ForeignKey(
        Site,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="course_sessions",
        verbose_name=_("Digipunt"),
    )
    online_note = models.CharField(
        _("how to join online"),
        max_length=300,
        blank=True,
        help_text=_("Sent to participants only, for example the link of the video call."),
    )
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("trainer"),
    )
    trainer_name = models.CharField(_("trainer"), max_length=120, blank=True)
    capacity = models.PositiveSmallIntegerField(_("places"))
    # Confirmed registrations, raised and lowered under the row's lock.
    confirmed = models.PositiveSmallIntegerField(default=0)
    registration_closes_at = models.DateTimeField(_("registration closes"))
    # The first meeting's start and the last one's end (the meetings are the truth).
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_note = models.CharField(_("why it is cancelled"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        indexes = [
            models.Index(fields=["status", "starts_at"], name="session_status_start"),
            models.Index(fields=["site", "starts_at"], name="session_site_start"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity__gte=1, capacity__lte=200), name="session_capacity_1_200"
            ),
            models.CheckConstraint(
                condition=Q(confirmed__lte=F("capacity")), name="session_not_overbooked"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="session_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.course} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def places_left(self) -> int:
        return max(self.capacity - self.confirmed, 0)


class Meeting(models.Model):
    """One meeting of a session (a series has several; people join them all)."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="meetings")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="meeting_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session_id} {self.starts_at:%Y-%m-%d %H:%M}"


class Registration(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Has a place")
        WAITING = "waiting", _("On the waiting list")
        CANCELLED = "cancelled", _("Cancelled")

    class Attendance(models.TextChoices):
        PRESENT = "present", _("Present")
        ABSENT = "absent", _("Did not come")

    class AgeBand(models.TextChoices):
        UNDER_25 = "u25", _("Under 25")
        FROM_25 = "25_44", _("25 to 44")
        FROM_45 = "45_64", _("45 to 64")
        FROM_65 = "65_79", _("65 to 79")
        FROM_80 = "80", _("80 or older")

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="registrations")
    reference = models.CharField(_("reference"), max_length=12, unique=True)
    # SHA-256 of the secret in the private link to cancel (the link itself is never stored).
    token_hash = models.CharField(max_length=64, unique=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    created_at = models.DateTimeField()
    promoted_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # Personal data: erased by the retention run (`erased_at`).
    name = models.CharField(_("name"), max_length=120)
    phone = models.CharField(_("phone"), max_length=20, blank=True)  # E.164
    email = models.EmailField(_("email"), blank=True)
    accessibility_needs = models.CharField(
        _("what would help you take part"), max_length=200, blank=True
    )
    age_band = models.CharField(_("age"), max_length=6, choices=AgeBand.choices, blank=True)
    language = models.CharField(max_length=4, default="nl")
    walk_in = models.BooleanField(_("came without registering"), default=False)
    attendance = models.CharField(
        _("attendance"), max_length=8, choices=Attendance.choices, blank=True
    )
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    erased_at = models.DateTimeField(_("personal data erased"), null=True, blank=True)

    class Meta:
        ordering = ["pk"]  # the order of arrival (see `registration_register`)
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        indexes = [
            models.Index(fields=["session", "status"], name="registration_queue"),
        ]

    def __str__(self) -> str:
        return self.reference


class HelpCard(models.Model):
    """A short step-by-step guide to a question that comes back every day (itsme, the eBox, a
    bank app, spotting phishing). Written by one organisation, used by every Digipunt. Its text
    lives in versions per language (`HelpCardVersion`); the newest version of a language is the
    one shown."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="help_cards"
    )
    slug = models.SlugField(max_length=80, unique=True)
    theme = models.ForeignKey(
        Theme,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="help_cards",
        verbose_name=_("theme"),
    )
    is_published = models.BooleanField(_("on the public website"), default=True)
    is_demo = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["slug"]
        verbose_name = _("help card")
        verbose_name_plural = _("help cards")

    def __str__(self) -> str:
        return self.slug


class HelpCardVersion(models.Model):
    """One version of a help card in one language; never changed (a correction is a new
    version), with the date someone last checked that the steps still work."""

    card = models.ForeignKey(HelpCard, on_delete=models.CASCADE, related_name="versions")
    language = models.CharField(_("language"), max_length=4, choices=settings.LANGUAGES)
    version = models.PositiveSmallIntegerField()
    title = models.CharField(_("title"), max_length=120)
    summary = models.CharField(_("in one sentence"), max_length=300)
    # One step per line, in order.
    steps = models.TextField(_("steps"), max_length=4000)
    checked_on = models.DateField(_("last checked"))
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["card", "language", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["card", "language", "version"], name="help_card_version_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.card_id} {self.language} v{self.version}"

    @property
    def step_list(self) -> list[str]:
        return [line.strip() for line in self.steps.splitlines() if line.strip()]


class HelpCardCount(models.Model):
    """How often a card was opened on the public website and sent by a helper, per day: counts
    only, no one's data."""

    card = models.ForeignKey(HelpCard, on_delete=models.CASCADE, related_name="counts")
    day = models.DateField()
    opened = models.PositiveIntegerField(default=0)
    sent = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["card", "day"], name="help_card_count_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.card_id} {self.day}"


class SelfCheck(models.Model):
    """One anonymous skills self-check: the answers only (no name, no address, no time of day).
    Taken for a course session before or after it, the answers feed a before-and-after
    comparison that is only shown in aggregate."""

    class Moment(models.TextChoices):
        BEFORE = "before", _("Before the course")
        AFTER = "after", _("After the course")

    taken_on = models.DateField()
    language = models.CharField(max_length=4)
    # One answer per question of `learning.self_check.QUESTIONS`, 0 (not yet) to 3.
    answers = models.JSONField()
    session = models.ForeignKey(
        Session, on_delete=models.SET_NULL, null=True, blank=True, related_name="self_checks"
    )
    moment = models.CharField(max_length=6, choices=Moment.choices, blank=True)

    class Meta:
        indexes = [models.Index(fields=["session", "moment"], name="selfcheck_session_moment")]

    def __str__(self) -> str:
        return f"{self.taken_on} {self.moment}"
