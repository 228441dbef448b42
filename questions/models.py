"""Questions: every visit to a Digipunt registered as a contact with one or more questions.

A contact is the network's evidence: it belongs to a site, a day and the theme codes it is about
(see ../shared/ROADMAP.md), so that figures and later daily rollups are simple counts. It holds
no personal data: the optional visitor profile is anonymous (bands, never a name), the optional
visitor code is a random card number with no identity behind it, and the note is checked for
personal data before it is saved (`questions.personal_data`). Writes go through
`questions.services`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from network.models import SITE_LANGUAGES, Organisation, Site, Theme, TranslatedName


class Channel(models.TextChoices):
    WALK_IN = "walk_in", _("Walk-in")
    APPOINTMENT = "appointment", _("Appointment")
    PHONE = "phone", _("Phone")
    HOME_VISIT = "home_visit", _("Home visit")
    MOBILE = "mobile", _("Mobile stop")
    VIDEO = "video", _("Video call")


class Duration(models.TextChoices):
    """How long the help took, in bands: exact minutes would cost time and add nothing."""

    UNDER_15 = "lt15", _("Under 15 minutes")
    FROM_15_TO_30 = "15-30", _("15 to 30 minutes")
    FROM_30_TO_60 = "30-60", _("30 to 60 minutes")
    OVER_60 = "gt60", _("Over 60 minutes")


class Outcome(models.TextChoices):
    SOLVED = "solved", _("Solved")
    PARTLY = "partly", _("Partly solved")
    REFERRED = "referred", _("Referred to a partner")
    FOLLOW_UP = "follow_up", _("Follow-up needed")


class PartnerKind(models.TextChoices):
    """Where a question was sent on to (an outgoing referral)."""

    OCMW = "ocmw", _("OCMW / CPAS (social services)")
    EMPLOYMENT = "employment", _("VDAB, Actiris or Forem")
    CAW = "caw", _("CAW (general welfare work)")
    LIBRARY = "library", _("Library")
    GOVERNMENT = "government", _("Municipality or other government service")
    BANK = "bank", _("Bank")
    HEALTH_INSURER = "health_insurer", _("Health insurer")
    OTHER_DIGIPUNT = "digipunt", _("Another Digipunt")
    OTHER = "other", _("Other partner")


class AgeBand(models.TextChoices):
    UNDER_18 = "u18", _("Under 18")
    FROM_18_TO_24 = "18-24", _("18 to 24")
    FROM_25_TO_44 = "25-44", _("25 to 44")
    FROM_45_TO_64 = "45-64", _("45 to 64")
    FROM_65_TO_74 = "65-74", _("65 to 74")
    OVER_75 = "75+", _("75 or older")


class Gender(models.TextChoices):
    WOMAN = "woman", _("Woman")
    MAN = "man", _("Man")
    OTHER = "other", _("Other or does not say")


class Situation(models.TextChoices):
    JOB_SEEKER = "job_seeker", _("Job seeker")
    EMPLOYED = "employed", _("Working")
    PENSIONER = "pensioner", _("Pensioner")
    STUDENT = "student", _("Pupil or student")
    NEWCOMER = "newcomer", _("Newcomer in Belgium")
    SICK_OR_DISABLED = "sick_disabled", _("Long-term sick or with a disability")
    OTHER = "other", _("Other")


class Source(models.TextChoices):
    """How a contact was entered (for support questions, not for figures)."""

    FORM = "form", _("Registration form")
    APPOINTMENT = "appointment", _("From an appointment")
    API = "api", _("API")


class Concern(TranslatedName):
    """The organisation or app a question was about: itsme, eBox, a bank's app, VDAB, ...

    An editable list (seeded by a migration from `questions/concerns.py`); a concern that is no
    longer offered is switched off, never deleted, so old figures keep their meaning.
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("offered in the form"), default=True)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("organisation or app concerned")
        verbose_name_plural = _("organisations and apps concerned")


class VisitorCode(models.Model):
    """A random code on a card or QR code that a returning visitor shows, so that they are
    counted once across the sites of a partnership. No name or identity is ever stored with it:
    the code only links contacts to each other.
    """

    code = models.CharField(_("visitor code"), max_length=16, unique=True)
    # The organisation that printed it; it is accepted at that organisation's sites and at the
    # sites of the organisations it works with in a partnership.
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="visitor_codes"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "code"]
        verbose_name = _("visitor code")
        verbose_name_plural = _("visitor codes")

    def __str__(self) -> str:
        return self.code


class Contact(models.Model):
    """One person helped once at (or by) a site, with one or more questions."""

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="contacts")
    occurred_at = models.DateTimeField(_("date and time"))
    # The local (Europe/Brussels) date of `occurred_at`: figures and rollups group by it.
    day = models.DateField(_("day"))
    helper = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contacts_helped",
        verbose_name=_("helper"),
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    duration = models.CharField(_("duration"), max_length=8, choices=Duration.choices)
    note = models.CharField(_("note"), max_length=280, blank=True)

    # The optional anonymous visitor profile: never required, never a name.
    visitor = models.ForeignKey(
        VisitorCode,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contacts",
        verbose_name=_("visitor code"),
    )
    age_band = models.CharField(_("age"), max_length=8, choices=AgeBand.choices, blank=True)
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices, blank=True)
    visitor_language = models.CharField(
        _("language of the visitor"), max_length=4, choices=SITE_LANGUAGES, blank=True
    )
    first_visit = models.BooleanField(_("first visit here"), null=True, blank=True)
    situation = models.CharField(
        _("situation"), max_length=16, choices=Situation.choices, blank=True
    )

    # Contacts entered together ("5 people with itsme questions") share a batch.
    batch = models.UUIDField(null=True, blank=True, editable=False)
    # The one-time key of the form (or API call) that registered it, on the first contact of a
    # registration only: the database refuses a second registration with the same key, so a
    # double click, the back button or two simultaneous submissions are counted once.
    submission = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    source = models.CharField(max_length=12, choices=Source.choices, default=Source.FORM)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        indexes = [
            models.Index(fields=["site", "day"], name="contact_site_day"),
            # A helper's own recent entries at a site (the form's list, the last channel used).
            models.Index(
                fields=["created_by", "site", "created_at"], name="contact_creator_recent"
            ),
            models.Index(fields=["visitor", "day"], name="contact_visitor_day"),
        ]

    def __str__(self) -> str:
        return f"{self.site} {self.occurred_at:%Y-%m-%d %H:%M}"


class Question(models.Model):
    """One question of a contact: its theme, what it was about and how it ended.

    `site` and `day` repeat the contact's so that figures by theme are one indexed scan.
    """

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="questions")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    theme = models.ForeignKey(
        Theme, on_delete=models.PROTECT, related_name="questions", verbose_name=_("theme")
    )
    concern = models.ForeignKey(
        Concern,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="questions",
        verbose_name=_("organisation or app"),
    )
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    referred_to = models.CharField(
        _("referred to"), max_length=16, choices=PartnerKind.choices, blank=True
    )

    class Meta:
        ordering = ["pk"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        # With the theme in the index, "themes this site used lately" is an index-only count.
        indexes = [models.Index(fields=["site", "day", "theme"], name="question_site_day_theme")]
        constraints = [
            # A referral says to whom; any other outcome has no partner.
            models.CheckConstraint(
                condition=(Q(outcome="referred") & ~Q(referred_to=""))
                | (~Q(outcome="referred") & Q(referred_to="")),
                name="question_referred_to_iff_referred",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.theme} ({self.get_outcome_display()})"
