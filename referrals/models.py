"""Referrals: a social worker sends a resident, with their consent, to a chosen Digipunt.

The site sees the referral in its inbox and records how it went (contacted, helped, not
reachable); the referrer sees that status. A referral holds personal data (name, phone, email,
the question in words): the retention run erases it a configurable number of days after the
referral is closed (`erased_at`); the row, its site, theme and status stay for the figures.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from network.models import SITE_LANGUAGES, Organisation, Site, Theme


class Referral(models.Model):
    class Status(models.TextChoices):
        NEW = "new", _("New")
        CONTACTED = "contacted", _("Contacted")
        HELPED = "helped", _("Helped")
        NOT_REACHABLE = "not_reachable", _("Not reachable")

    CLOSED = (Status.HELPED, Status.NOT_REACHABLE)

    reference = models.CharField(_("reference"), max_length=12, unique=True)
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="referrals", verbose_name=_("Digipunt")
    )
    # Who sent the resident: the referrer's organisation (OCMW/CPAS, VDAB, CAW, library, ...).
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="referrals_sent"
    )
    referrer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="referrals"
    )
    theme = models.ForeignKey(
        Theme,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("theme"),
    )
    language = models.CharField(
        _("preferred language"), max_length=4, choices=SITE_LANGUAGES, default="nl"
    )
    # Personal data, given with the resident's consent; erased by the retention run.
    name = models.CharField(_("name of the resident"), max_length=120, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)  # E.164
    email = models.EmailField(_("email"), blank=True)
    question = models.TextField(_("question"), max_length=500, blank=True)
    consent_at = models.DateTimeField(_("consent given"))

    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.NEW
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    erased_at = models.DateTimeField(_("personal data erased"), null=True, blank=True)
    # The one-time key of the form that sent it: the database refuses it twice, so a double
    # click never stores the resident's details twice, not even two clicks at the same moment.
    submission = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        indexes = [
            models.Index(fields=["site", "status"], name="referral_site_status"),
            models.Index(fields=["organisation", "created_at"], name="referral_org_created"),
        ]

    def __str__(self) -> str:
        return self.reference
