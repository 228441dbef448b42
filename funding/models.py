"""Who pays for the network: funders, their programmes and the grants they give.

A `Funder` (a government department, a foundation, the EU) runs `Programme`s; a programme gives
`Grant`s to organisations, for all their sites or for one site, for a period. The Digibank
programme of Werk en Sociale Economie paid in tiers on the number of users reached: a
programme's `tiers` keep those steps. Platform admins keep funders and programmes in the
platform admin; organisation admins record their own grants on the staff pages
(`funding.services`). `insights.cliff` reads the grants to show what loses its funding on a date.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from network.models import Organisation, Service, Site


class PolicyDomain(models.TextChoices):
    """The policy domain a funder or programme belongs to (whose budget it is)."""

    WORK_SOCIAL_ECONOMY = "work_social_economy", _("Work and social economy")
    EQUAL_OPPORTUNITIES = "equal_opportunities", _("Equal opportunities")
    FEDERAL_ECONOMY = "federal_economy", _("Federal economy")
    WELFARE = "welfare", _("Welfare")
    EDUCATION = "education", _("Education")
    LOCAL_BUDGET = "local_budget", _("Local budget")
    EU = "eu", _("European Union")
    PRIVATE = "private", _("Private funding")


class Funder(models.Model):
    name = models.CharField(_("name"), max_length=200)
    policy_domain = models.CharField(
        _("policy domain"), max_length=30, choices=PolicyDomain.choices
    )
    website = models.URLField(_("website"), blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("funder")
        verbose_name_plural = _("funders")

    def __str__(self) -> str:
        return self.name


def _tiers_error(tiers: Any) -> str | None:
    """Why `tiers` is not a list of {"users": int, "amount": "euros"} in ascending order of
    users, or None when it is."""
    if not isinstance(tiers, list):
        return str(_("The tiers must be a list."))
    previous = 0
    for tier in tiers:
        if not isinstance(tier, dict) or set(tier) != {"users", "amount"}:
            return str(_('Each tier needs "users" and "amount", and nothing else.'))
        users = tier["users"]
        if not isinstance(users, int) or isinstance(users, bool) or users <= previous:
            return str(_("The number of users must be a whole number that goes up tier by tier."))
        try:
            amount = Decimal(str(tier["amount"]))
        except InvalidOperation:
            amount = Decimal(-1)
        if not amount.is_finite() or amount < 0:
            return str(_("The amount of a tier must be a number of euros, 0 or more."))
        previous = users
    return None


class Programme(models.Model):
    """A funder's programme, such as the Digibank partnerships of Werk en Sociale Economie.

    `tiers`: the amounts paid when a number of users is reached, in ascending order of users:
    `[{"users": 250, "amount": "15000.00"}, ...]` (amounts as decimal strings, in euros).
    """

    funder = models.ForeignKey(
        Funder, on_delete=models.PROTECT, related_name="programmes", verbose_name=_("funder")
    )
    name = models.CharField(_("name"), max_length=200)
    policy_domain = models.CharField(
        _("policy domain"),
        max_length=30,
        choices=PolicyDomain.choices,
        blank=True,
        help_text=_("Leave empty to use the funder's."),
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    tiers = models.JSONField(_("funding tiers"), default=list, blank=True)
    description = models.TextField(_("description"), blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["funder__name", "name"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="programme_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.funder.name} – {self.name}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The policy domain defaults to the funder's.
        if not self.policy_domain and self.funder_id:
            self.policy_domain = self.funder.policy_domain
        super().save(*args, **kwargs)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = str(_("The end date cannot be before the start date."))
        problem = _tiers_error(self.tiers)
        if problem:
            errors["tiers"] = problem
        if errors:
            raise ValidationError(errors)


class GrantQuerySet(models.QuerySet["Grant"]):
    def active_on(self, day: date) -> GrantQuerySet:
        """Grants whose period includes `day`."""
        return self.filter(starts_on__lte=day, ends_on__gte=day)


class Grant(models.Model):
    """Money from a programme to an organisation, for one site or (no site) for all its sites.

    `services`: the services paid for, as comma-separated `network.models.Service` codes; empty
    means every service the site offers. `weekly_hours`: the opening hours per week the grant
    pays for, when the grant says so.
    """

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="grants", verbose_name=_("programme")
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="grants",
        verbose_name=_("organisation"),
    )
    site = models.ForeignKey(
        Site,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="grants",
        verbose_name=_("Digipunt"),
        help_text=_("Leave empty when the grant pays for every Digipunt of the organisation."),
    )
    amount = models.DecimalField(_("amount in euros"), max_digits=12, decimal_places=2)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    services = models.CharField(
        _("services paid for"),
        max_length=100,
        blank=True,
        help_text=_("Leave empty when the grant pays for everything the Digipunt offers."),
    )
    weekly_hours = models.PositiveSmallIntegerField(
        _("opening hours per week paid for"), null=True, blank=True
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    objects = GrantQuerySet.as_manager()

    class Meta:
        ordering = ["organisation__name", "-ends_on", "pk"]
        verbose_name = _("grant")
        verbose_name_plural = _("grants")
        indexes = [models.Index(fields=["ends_on", "starts_on"], name="grant_period")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="grant_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="grant_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.programme.name} · {self.organisation.name}"

    @property
    def service_codes(self) -> list[str]:
        """The services paid for; empty means all the site offers."""
        return [code for code in self.services.split(",") if code]

    @property
    def service_names(self) -> list[str]:
        return [str(Service(code).label) for code in self.service_codes]

    def is_active_on(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on

    def covers(self, site: Site) -> bool:
        """Whether this grant pays for `site` (its own site, or every site of its organisation)."""
        if self.site_id is not None:
            return self.site_id == site.pk
        return self.organisation_id == site.organisation_id

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = str(_("The end date cannot be before the start date."))
        if (
            self.site_id is not None
            and self.organisation_id is not None
            and self.site.organisation_id != self.organisation_id
        ):
            errors["site"] = str(_("This Digipunt does not belong to the organisation."))
        unknown = [code for code in self.service_codes if code not in Service.values]
        if unknown:
            errors["services"] = str(_("Choose services from the list."))
        if errors:
            raise ValidationError(errors)
