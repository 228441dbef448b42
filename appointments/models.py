"""Appointments: a site's bookable slots and the residents who booked them.

A site opts in with `BookingSettings` (slot length, how many people at once, how far ahead).
The slots themselves follow from the opening hours (`network.hours`) and are only stored once
someone books one: a `Slot` row carries the capacity and a counter of active bookings, and the
database refuses a counter above the capacity (check constraint) while the booking service
holds the row lock (`select_for_update`), so a slot is never overbooked, also under
simultaneous requests.

`Appointment` holds personal data (name, phone, email): it is erased by the retention run a
configurable number of days after the appointment (`erased_at` says when); the row and its
counts stay.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from network.models import SITE_LANGUAGES, Site, Theme


class BookingSettings(models.Model):
    """Whether and how residents can book an appointment at a site."""

    class SlotLength(models.IntegerChoices):
        MIN_15 = 15, _("15 minutes")
        MIN_20 = 20, _("20 minutes")
        MIN_30 = 30, _("30 minutes")
        MIN_45 = 45, _("45 minutes")
        MIN_60 = 60, _("1 hour")

    site = models.OneToOneField(Site, on_delete=models.CASCADE, related_name="booking_settings")
    is_enabled = models.BooleanField(_("residents can book online"), default=False)
    slot_minutes = models.PositiveSmallIntegerField(
        _("length of an appointment"), choices=SlotLength.choices, default=30
    )
    capacity = models.PositiveSmallIntegerField(
        _("people at the same time"),
        default=1,
        help_text=_("How many residents can be helped at the same time (helpers on duty)."),
    )
    days_ahead = models.PositiveSmallIntegerField(_("bookable days ahead"), default=28)
    min_notice_hours = models.PositiveSmallIntegerField(
        _("hours of notice needed"),
        default=2,
        help_text=_("Residents cannot book a slot that starts sooner than this."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("booking settings")
        verbose_name_plural = _("booking settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity__gte=1, capacity__lte=20), name="booking_capacity_1_to_20"
            ),
            models.CheckConstraint(
                condition=Q(days_ahead__gte=1, days_ahead__lte=120),
                name="booking_days_ahead_1_to_120",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.site}: {self.slot_minutes} min × {self.capacity}"


class Slot(models.Model):
    """A bookable time at a site, stored from its first booking on.

    `booked` counts active (not cancelled) appointments; the check constraint is the last guard
    against overbooking, the row lock in the booking service the first.
    """

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    capacity = models.PositiveSmallIntegerField()
    booked = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["site", "starts_at"], name="slot_one_per_site_time"),
            models.CheckConstraint(
                condition=Q(booked__lte=F("capacity")), name="slot_not_overbooked"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="slot_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.site} {self.starts_at:%Y-%m-%d %H:%M} ({self.booked}/{self.capacity})"

    @property
    def free(self) -> int:
        return max(self.capacity - self.booked, 0)

    def overlaps(self, other: Slot) -> bool:
        return self.starts_at < other.ends_at and other.starts_at < self.ends_at


class Appointment(models.Model):
    class Status(models.TextChoices):
        BOOKED = "booked", _("Booked")
        CANCELLED = "cancelled", _("Cancelled")
        DONE = "done", _("Helped")
        NO_SHOW = "no_show", _("Did not come")

    # Shown to the resident and said on the phone; unique, short, without look-alike characters.
    reference = models.CharField(_("reference"), max_length=12, unique=True)
    # SHA-256 of the secret in the resident's cancel/move link (the link itself is never stored).
    token_hash = models.CharField(max_length=64, unique=True)
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="appointments")
    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="appointments")
    starts_at = models.DateTimeField(_("start"))
    theme = models.ForeignKey(
        Theme,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("question about"),
    )
    language = models.CharField(_("language"), max_length=4, choices=SITE_LANGUAGES, default="nl")
    # Personal data: erased by the retention run (`erased_at`).
    name = models.CharField(_("name"), max_length=120, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)  # E.164, e.g. +32470123456
    email = models.EmailField(_("email"), blank=True)

    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.BOOKED
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("booked by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    contact = models.OneToOneField(
        "questions.Contact",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appointment",
    )
    erased_at = models.DateTimeField(_("personal data erased"), null=True, blank=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        indexes = [
            models.Index(fields=["site", "starts_at"], name="appointment_site_start"),
            models.Index(fields=["status", "starts_at"], name="appointment_status_start"),
        ]

    def __str__(self) -> str:
        return self.reference
