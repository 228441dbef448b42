"""The network directory: organisations, partnerships, sites (Digipunten) and the theme taxonomy.

Public and staff code read sites through `Site.objects.published()` or, from the staff issue on,
through membership-scoped selectors; writes go through `network.services`.
"""

from __future__ import annotations

import math
import uuid
from datetime import date, datetime
from typing import Any

from django.db import models
from django.db.models.functions import Substr
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from network import hours, hours_document, week_mask
from territory.models import Municipality


class TranslatedName(models.Model):
    """A name kept in the three interface languages; `name` follows the active language."""

    name_nl = models.CharField(_("name in Dutch"), max_length=120)
    name_fr = models.CharField(_("name in French"), max_length=120)
    name_en = models.CharField(_("name in English"), max_length=120)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        lang = (get_language() or "nl")[:2]
        return getattr(self, f"name_{lang}", "") or self.name_nl


class Theme(TranslatedName):
    """What a question is about (eID and itsme, taxes, phishing, ...).

    One shared taxonomy: sites say which themes they help with, and contact registration (issue
    Questions) files every question under one of these. Codes are stable; names may change.
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")


class Organisation(models.Model):
    class Kind(models.TextChoices):
        MUNICIPALITY = "municipality", _("Municipality")
        OCMW = "ocmw", _("OCMW / CPAS (social services)")
        LIBRARY = "library", _("Library")
        NGO = "ngo", _("Non-profit organisation")
        SCHOOL = "school", _("School or adult education")
        OTHER = "other", _("Other")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
        verbose_name=_("municipality"),
    )
    website = models.URLField(_("website"), blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class Partnership(models.Model):
    """Organisations working together across municipalities, such as a Digibank."""

    class Kind(models.TextChoices):
        DIGIBANK = "digibank", _("Digibank")
        OTHER = "other", _("Other partnership")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    organisations = models.ManyToManyField(
        Organisation, related_name="partnerships", verbose_name=_("organisations")
    )
    municipalities = models.ManyToManyField(
        Municipality, related_name="partnerships", verbose_name=_("area"), blank=True
    )
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("partnership")
        verbose_name_plural = _("partnerships")

    def __str__(self) -> str:
        return self.name


# Languages a site can help in (ISO 639-1). Names are translated in templates via LANGUAGE_NAMES.
SITE_LANGUAGES: tuple[tuple[str, Any], ...] = (
    ("nl", _("Dutch")),
    ("fr", _("French")),
    ("en", _("English")),
    ("de", _("German")),
    ("ar", _("Arabic")),
    ("tr", _("Turkish")),
    ("es", _("Spanish")),
    ("pl", _("Polish")),
    ("ro", _("Romanian")),
    ("uk", _("Ukrainian")),
    ("ru", _("Russian")),
    ("prs", _("Dari")),
    ("ti", _("Tigrinya")),
    ("vgt", _("Flemish Sign Language")),
)
LANGUAGE_NAMES = dict(SITE_LANGUAGES)


class Service(models.TextChoices):
    """The four pillars a Digipunt can offer."""

    HELP = "help", _("Help with digital questions")
    ACCESS = "access", _("Internet and computers")
    LENDING = "lending", _("Device lending")
    LEARNING = "learning", _("Courses and workshops")


class DeviceKind(models.TextChoices):
    """The kinds of device a Digipunt lends (the lending app's inventory uses the same codes)."""

    LAPTOP = "laptop", _("Laptop")
    TABLET = "tablet", _("Tablet")
    SMARTPHONE = "smartphone", _("Smartphone")
    HOTSPOT = "hotspot", _("Mobile hotspot")
    DATA_SIM = "data_sim", _("Data SIM card")
    ACCESSORY = "accessory", _("Accessory (headset, webcam…)")


class Accessibility(models.TextChoices):
    STEP_FREE = "step_free", _("Step-free entrance")
    TOILET = "toilet", _("Accessible toilet")
    HEARING_LOOP = "hearing_loop", _("Hearing loop")
    PARKING = "parking", _("Accessible parking nearby")


KM_PER_DEGREE_LATITUDE = 111.32


def box_half_sides(latitude: float, radius_km: float) -> tuple[float, float]:
    """Half the height and width, in degrees, of the box that holds the circle of `radius_km`
    around a point at `latitude`."""
    dlat = radius_km / KM_PER_DEGREE_LATITUDE
    # Longitude degrees shrink with latitude; the floor guards against the poles.
    return dlat, dlat / max(math.cos(math.radians(latitude)), 0.01)


class SiteQuerySet(models.QuerySet["Site"]):
    def published(self) -> SiteQuerySet:
        """Sites the public may see."""
        return self.filter(is_published=True)

    def offering(self, service: str) -> SiteQuerySet:
        return self.filter(**{f"offers_{service}": True})

    def helping_with(self, theme_code: str) -> SiteQuerySet:
        return self.filter(themes__code=theme_code)

    def speaking(self, language: str) -> SiteQuerySet:
        # Languages are stored as ",nl,fr," so that one LIKE finds a whole code on any database.
        return self.filter(languages__contains=f",{language},")

    def in_box(self, latitude: float, longitude: float, radius_km: float) -> SiteQuerySet:
        """Sites in the box that holds the circle of `radius_km` around a point.

        A cheap, index-friendly first cut (latitude is indexed); callers measure real distances.
        """
        dlat, dlon = box_half_sides(latitude, radius_km)
        return self.filter(
            latitude__range=(latitude - dlat, latitude + dlat),
            longitude__range=(longitude - dlon, longitude + dlon),
        )

    def may_be_open_at(self, local: datetime) -> SiteQuerySet:
        """Without the sites that are certainly closed at the local time `local`, judged by
        their stored quarter hours of the week (`Site.open_slots`). The engine still decides
        for the others; on the two days the clocks change nothing is dropped."""
        slot = week_mask.slot_of(local)
        if slot is None:
            return self
        hour, digits = slot
        return self.alias(open_hour=Substr("open_slots", hour + 1, 1)).filter(
            open_hour__in=list(digits)
        )

    def step_free(self) -> SiteQuerySet:
        return self.filter(step_free=True)

    def walk_in(self) -> SiteQuerySet:
        return self.filter(walk_in=True)


class Site(models.Model):
    """A Digipunt: one place (or mobile stop, or home-visit service) where residents get help."""

    class Kind(models.TextChoices):
        FIXED = "fixed", _("Fixed place")
        MOBILE = "mobile", _("Mobile stop")
        HOME_VISITS = "home", _("Home visits only")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    slug = models.SlugField(_("web address"), max_length=120, unique=True)
    name = models.CharField(_("name"), max_length=200)
    brand = models.CharField(
        _("local name"), max_length=60, blank=True, help_text=_("Digibank, Digicafé, Digiplex, ...")
    )
    description = models.TextField(_("description"), blank=True)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="sites", verbose_name=_("organisation")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.FIXED)

    street = models.CharField(_("street and number"), max_length=200)
    postal_code = models.CharField(_("postal code"), max_length=4)
    locality = models.CharField(_("locality"), max_length=120)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="sites", verbose_name=_("municipality")
    )
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    location_note = models.CharField(
        _("how to find it"), max_length=200, blank=True, help_text=_("For example: 2nd floor.")
    )

    offers_help = models.BooleanField(_("help with digital questions"), default=True)
    offers_access = models.BooleanField(_("internet and computers"), default=False)
    offers_lending = models.BooleanField(_("device lending"), default=False)
    offers_learning = models.BooleanField(_("courses and workshops"), default=False)
    # Set by the lending app once the site keeps its device inventory here: from then on
    # `offers_lending` says whether it has devices to lend, and `device_kinds` which kinds
    # (",laptop,tablet,"), so the finder and the open data follow the real inventory.
    lending_from_inventory = models.BooleanField(default=False, editable=False)
    device_kinds = models.CharField(max_length=100, blank=True, default="", editable=False)
    has_wifi = models.BooleanField(_("free wifi"), default=False)
    has_computers = models.BooleanField(_("computers for public use"), default=False)
    has_printing = models.BooleanField(_("printing and scanning"), default=False)

    themes = models.ManyToManyField(
        Theme, related_name="sites", blank=True, verbose_name=_("themes")
    )
    languages = models.CharField(_("languages"), max_length=100, default=",nl,")

    step_free = models.BooleanField(_("step-free entrance"), default=False)
    accessible_toilet = models.BooleanField(_("accessible toilet"), default=False)
    hearing_loop = models.BooleanField(_("hearing loop"), default=False)
    accessible_parking = models.BooleanField(_("accessible parking nearby"), default=False)

    walk_in = models.BooleanField(_("walk in without appointment"), default=True)
    by_appointment = models.BooleanField(_("by appointment"), default=False)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    website = models.URLField(_("website"), blank=True)

    # Opening hours are a value of the site, kept as one JSON document (see
    # docs/decisions/0002-opening-hours-as-a-document.md): {"periods": [...], "exceptions": [...]}.
    opening_hours = models.JSONField(_("opening hours"), default=dict, blank=True)
    closed_on_public_holidays = models.BooleanField(_("closed on public holidays"), default=True)
    # Derived from `opening_hours` on every save: the quarter hours of the week in which the site
    # may be open, for "open now" in SQL (docs/decisions/0003-open-now-slots.md).
    open_slots = models.CharField(
        max_length=len(week_mask.EVERY_SLOT),
        default=week_mask.every_slot,
        editable=False,
    )

    last_verified = models.DateField(_("data last verified"), null=True, blank=True)
    is_published = models.BooleanField(_("published"), default=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SiteQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("Digipunt")
        verbose_name_plural = _("Digipunten")
        indexes = [
            # The finder's box of published sites: latitude range, then longitude and the id,
            # so that a search without filters reads the index alone (docs/performance.md).
            models.Index(
                fields=["is_published", "latitude", "longitude", "id"],
                name="site_published_position",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(latitude__gte=49.4, latitude__lte=51.6)
                & models.Q(longitude__gte=2.4, longitude__lte=6.5),
                name="site_in_belgium",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.open_slots = week_mask.weekly_slots(self.opening_hours)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "opening_hours" in update_fields:
            kwargs["update_fields"] = {*update_fields, "open_slots"}
        super().save(*args, **kwargs)

    @property
    def language_codes(self) -> list[str]:
        return [code for code in self.languages.split(",") if code]

    @property
    def device_kind_codes(self) -> list[str]:
        """The kinds of device the site lends, from its inventory (empty when it keeps none)."""
        return [code for code in self.device_kinds.split(",") if code]

    @property
    def device_kind_names(self) -> list[str]:
        return [str(DeviceKind(code).label) for code in self.device_kind_codes]

    @property
    def services(self) -> list[str]:
        return [s.value for s in Service if getattr(self, f"offers_{s.value}")]

    @property
    def accessibility(self) -> list[str]:
        flags = {
            Accessibility.STEP_FREE: self.step_free,
            Accessibility.TOILET: self.accessible_toilet,
            Accessibility.HEARING_LOOP: self.hearing_loop,
            Accessibility.PARKING: self.accessible_parking,
        }
        return [a.value for a, on in flags.items() if on]

    def schedule(self) -> hours.Schedule:
        """The site's opening hours as an engine that answers "open now?" and "next opening".

        Every writer validates the document, so a bad one means a hand-edited database: the site
        then shows no hours (and the error is logged) rather than breaking every search near it.
        """
        periods, exceptions = hours_document.readable(self.opening_hours) or ([], [])
        return hours.Schedule(
            periods,
            exceptions,
            closed_on_public_holidays=self.closed_on_public_holidays,
            holiday_language=(get_language() or "nl")[:2],
        )

    def verified_days_ago(self, today: date) -> int | None:
        return (today - self.last_verified).days if self.last_verified else None
