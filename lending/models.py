"""Device lending: a site's devices, the people and organisations who borrow them, and the loans.

A device is lent to one borrower at a time: the database refuses a second open loan of one device
(a partial unique constraint), and the checkout service locks the device's row while it checks
and writes, so twenty simultaneous checkouts of one device give one loan. A returned device waits
for its wipe (`Device.Status.TO_WIPE`) and cannot be lent again until a `Wipe` says how, by whom
and when its data was erased. Every change to a device is in its history (`DeviceEvent`).

`Borrower` holds personal data (name, phone, email, postal code, a note): it is erased by the
retention run a configurable time after their last loan closed (`erased_at` says when); the
borrower's row, the loans and the history stay, so every count stays the same.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from network.models import DeviceKind, Organisation, Site


class Device(models.Model):
    # The codes the directory publishes too (a site's `device_kinds`, the open data).
    Kind = DeviceKind

    class Source(models.TextChoices):
        BOUGHT = "bought", _("Bought")
        DONATED = "donated", _("Donated")
        REFURBISHED = "refurbished", _("Refurbished")

    class Condition(models.TextChoices):
        GOOD = "good", _("Good")
        FAIR = "fair", _("Signs of use")
        DAMAGED = "damaged", _("Damaged")

    class Status(models.TextChoices):
        AVAILABLE = "available", _("Available")
        ON_LOAN = "on_loan", _("On loan")
        RESERVED = "reserved", _("Reserved")
        TO_WIPE = "to_wipe", _("Waiting to be wiped")
        IN_REPAIR = "in_repair", _("Being repaired")
        RETIRED = "retired", _("Retired")
        LOST = "lost", _("Lost")

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="devices")
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="devices", verbose_name=_("Digipunt")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    make_model = models.CharField(_("make and model"), max_length=120)
    serial_number = models.CharField(_("serial number"), max_length=80, blank=True)
    # What is printed on the label and typed (or scanned) at the desk; stored in capitals.
    asset_tag = models.CharField(_("asset tag"), max_length=40)
    source = models.CharField(
        _("where it came from"), max_length=12, choices=Source.choices, default=Source.BOUGHT
    )
    source_note = models.CharField(_("donated or refurbished by"), max_length=120, blank=True)
    # The checklist of what goes with the device ("charger", "bag"), checked at every return.
    accessories = models.JSONField(_("accessories"), default=list, blank=True)
    condition = models.CharField(
        _("condition"), max_length=8, choices=Condition.choices, default=Condition.GOOD
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.AVAILABLE
    )
    notes = models.CharField(_("notes"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Out of lending for good: not counted in the inventory a site lends from.
    OUT_OF_LENDING = (Status.RETIRED, Status.LOST)

    class Meta:
        ordering = ["asset_tag"]
        verbose_name = _("device")
        verbose_name_plural = _("devices")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "asset_tag"], name="device_tag_unique_per_organisation"
            ),
        ]
        indexes = [models.Index(fields=["site", "status"], name="device_site_status")]

    def __str__(self) -> str:
        return f"{self.asset_tag} ({self.make_model})"


class Borrower(models.Model):
    """A resident or an organisation that borrows devices from an organisation's Digipunten."""

    class Kind(models.TextChoices):
        RESIDENT = "resident", _("Resident")
        ORGANISATION = "organisation", _("Organisation")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="borrowers"
    )
    kind = models.CharField(_("borrower"), max_length=12, choices=Kind.choices)
    # Personal data: erased by the retention run (`erased_at`).
    name = models.CharField(_("name"), max_length=120)
    contact_person = models.CharField(_("contact person"), max_length=120, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)  # E.164
    email = models.EmailField(_("email"), blank=True)
    postal_code = models.CharField(_("postal code"), max_length=4, blank=True)
    eligibility_note = models.CharField(
        _("why they may borrow"),
        max_length=200,
        blank=True,
        help_text=_("For example: referred by the social services. No medical or income details."),
    )
    # The language of the messages they get (their turn, reminders).
    language = models.CharField(
        _("messages in"), max_length=4, choices=settings.LANGUAGES, default="nl"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    erased_at = models.DateTimeField(_("personal data erased"), null=True, blank=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("borrower")
        verbose_name_plural = _("borrowers")

    def __str__(self) -> str:
        return self.name if not self.erased_at else str(_("(erased)"))


class Loan(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("On loan")
        RETURNED = "returned", _("Returned")
        LOST = "lost", _("Lost")

    class Reminder(models.IntegerChoices):
        """The reminders a loan gets, in order (`lending.reminders`)."""

        NONE = 0, _("none yet")
        DUE_SOON = 1, _("due soon")
        DUE_TODAY = 2, _("due today")
        OVERDUE_7 = 3, _("a week overdue")
        OVERDUE_21 = 4, _("three weeks overdue")

    # Shown to the borrower and said on the phone; unique, short, without look-alike characters.
    reference = models.CharField(_("reference"), max_length=12, unique=True)
    # SHA-256 of the secret in the borrower's private link (the link itself is never stored).
    token_hash = models.CharField(max_length=64, unique=True)
    device = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="loans")
    borrower = models.ForeignKey(Borrower, on_delete=models.PROTECT, related_name="loans")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="loans")
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default="open")
    checked_out_at = models.DateTimeField(_("lent on"))
    checked_out_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    due_on = models.DateField(_("bring back by"))
    renewals = models.PositiveSmallIntegerField(_("renewals"), default=0)
    # The deposit the rules asked when it was lent (what the signed agreement says).
    deposit_euros = models.PositiveSmallIntegerField(_("deposit in euros"), default=0)
    # The loan agreement the borrower accepted (its version) and when.
    agreement_version = models.PositiveSmallIntegerField(default=1)
    agreement_accepted_at = models.DateTimeField()
    returned_at = models.DateTimeField(_("brought back on"), null=True, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # What was missing at the return, from the device's accessories checklist.
    missing_accessories = models.JSONField(default=list, blank=True)
    return_condition = models.CharField(
        _("condition when returned"), max_length=8, choices=Device.Condition.choices, blank=True
    )
    lost_at = models.DateTimeField(null=True, blank=True)
    # The last reminder sent; a renewal starts again from none.
    reminder_stage = models.PositiveSmallIntegerField(
        _("last reminder"), choices=Reminder.choices, default=Reminder.NONE
    )
    reminded_at = models.DateTimeField(null=True, blank=True)
    # Staff's follow-up of an overdue loan: when, by whom, what was agreed (no personal data).
    followed_up_at = models.DateTimeField(_("followed up on"), null=True, blank=True)
    followed_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    follow_up_note = models.CharField(_("follow-up"), max_length=200, blank=True)

    class Meta:
        ordering = ["-checked_out_at", "-pk"]
        verbose_name = _("loan")
        verbose_name_plural = _("loans")
        constraints = [
            # A device is lent to one borrower at a time, whatever the application does.
            models.UniqueConstraint(
                fields=["device"], condition=Q(status="open"), name="loan_one_open_per_device"
            ),
        ]
        indexes = [
            models.Index(fields=["site", "status", "due_on"], name="loan_site_status_due"),
            models.Index(fields=["borrower", "status"], name="loan_borrower_status"),
        ]

    def __str__(self) -> str:
        return self.reference


class LoanAgreement(models.Model):
    """One version of an organisation's loan agreement, in Dutch, French and English. A version
    is never changed: a new text is a new version, and each loan records the version its
    borrower accepted (`Loan.agreement_version`). Version 1 is the platform's standard text,
    stored the first time the organisation lends, so that every accepted version is kept."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="loan_agreements"
    )
    version = models.PositiveSmallIntegerField(_("version"))
    text_nl = models.TextField(_("text in Dutch"))
    text_fr = models.TextField(_("text in French"))
    text_en = models.TextField(_("text in English"))
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["organisation", "-version"]
        verbose_name = _("loan agreement")
        verbose_name_plural = _("loan agreements")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "version"], name="loan_agreement_version_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} v{self.version}"

    def text_in(self, language: str) -> str:
        return getattr(self, f"text_{language}", "") or self.text_nl


class Wipe(models.Model):
    """That a device's data was erased before it goes to the next person: how, by whom, when."""

    class Method(models.TextChoices):
        FACTORY_RESET = "factory_reset", _("Factory reset")
        REIMAGED = "reimaged", _("Reinstalled from a clean image")
        SIM_RESET = "sim_reset", _("SIM card and hotspot settings reset")
        CHECKED = "checked", _("Checked: no personal data on it")

    device = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="wipes")
    loan = models.ForeignKey(
        Loan, on_delete=models.PROTECT, null=True, blank=True, related_name="wipes"
    )
    method = models.CharField(_("how"), max_length=14, choices=Method.choices)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("by"),
    )
    done_by_label = models.CharField(max_length=150)  # the name, kept when the account goes
    done_at = models.DateTimeField(_("when"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["-done_at", "-pk"]
        verbose_name = _("wipe")
        verbose_name_plural = _("wipes")

    def __str__(self) -> str:
        return f"{self.device.asset_tag}: {self.get_method_display()}"


class DeviceEvent(models.Model):
    """One line of a device's history. Holds no personal data: a loan is named by its reference."""

    class Kind(models.TextChoices):
        ADDED = "added", _("Added to the inventory")
        CHANGED = "changed", _("Details changed")
        LENT = "lent", _("Lent")
        RENEWED = "renewed", _("Loan renewed")
        RETURNED = "returned", _("Brought back")
        WIPED = "wiped", _("Wiped")
        REPAIR = "repair", _("Sent for repair")
        REPAIRED = "repaired", _("Back from repair")
        LOST = "lost", _("Lost")
        RETIRED = "retired", _("Retired")

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    actor_label = models.CharField(max_length=150, blank=True)
    loan = models.ForeignKey(Loan, on_delete=models.SET_NULL, null=True, related_name="+")
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.device_id} {self.kind} {self.at:%Y-%m-%d}"


class LendingRules(models.Model):
    """How an organisation lends: who may borrow, for how long, how many devices at once."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="lending_rules"
    )
    residents_may_borrow = models.BooleanField(_("residents may borrow"), default=True)
    organisations_may_borrow = models.BooleanField(_("organisations may borrow"), default=True)
    loan_days = models.PositiveSmallIntegerField(_("loan length in days"), default=28)
    renewal_days = models.PositiveSmallIntegerField(_("days added by a renewal"), default=14)
    max_renewals = models.PositiveSmallIntegerField(_("renewals allowed"), default=1)
    max_devices = models.PositiveSmallIntegerField(_("devices at once per resident"), default=1)
    deposit_euros = models.PositiveSmallIntegerField(_("deposit in euros"), default=0)
    block_when_overdue = models.BooleanField(
        _("no new loan while a device is overdue"), default=True
    )
    # Group loans to organisations (the Brussels Digibib's rules by default).
    group_min_notice_days = models.PositiveSmallIntegerField(
        _("book group loans at least this many days ahead"), default=7
    )
    group_max_days = models.PositiveSmallIntegerField(_("longest group loan in days"), default=21)
    group_max_per_year = models.PositiveSmallIntegerField(
        _("group loans per organisation per year"), default=8
    )

    class Meta:
        verbose_name = _("lending rules")
        verbose_name_plural = _("lending rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(loan_days__gte=1, loan_days__lte=180), name="lending_loan_days_1_180"
            ),
            models.CheckConstraint(
                condition=Q(max_devices__gte=1, max_devices__lte=50),
                name="lending_max_devices_1_50",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.loan_days} days"


class Booking(models.Model):
    """Devices set aside for an organisation over a range of days (a group loan for a workshop),
    asked ahead under the organisation's rules. The devices are lent at the start as usual."""

    class Status(models.TextChoices):
        BOOKED = "booked", _("Booked")
        CANCELLED = "cancelled", _("Cancelled")

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="device_bookings")
    borrower = models.ForeignKey(Borrower, on_delete=models.PROTECT, related_name="bookings")
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default="booked")
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["starts_on", "pk"]
        verbose_name = _("booking of devices")
        verbose_name_plural = _("bookings of devices")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="booking_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.borrower_id}: {self.starts_on} – {self.ends_on}"


class BookingItem(models.Model):
    """One device of a booking, with the booking's days copied in: the database refuses two
    active items of one device whose days overlap (an exclusion constraint on PostgreSQL, a
    trigger on SQLite; migration 0002)."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="items")
    device = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="booking_items")
    starts_on = models.DateField()
    ends_on = models.DateField()
    active = models.BooleanField(default=True)

    class Meta:
        indexes = [models.Index(fields=["device", "starts_on"], name="bookingitem_device_start")]

    def __str__(self) -> str:
        return f"{self.device_id}: {self.starts_on} – {self.ends_on}"


class Hold(models.Model):
    """A borrower waiting for a kind of device at a site, first come first served. When a device
    of that kind becomes available it is set aside for the first one waiting (`READY`, until
    `pickup_by`), who gets a message; after that day it goes to the next."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        READY = "ready", _("Ready to pick up")
        LENT = "lent", _("Lent")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Not picked up")

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="device_holds")
    kind = models.CharField(_("kind"), max_length=12, choices=Device.Kind.choices)
    borrower = models.ForeignKey(Borrower, on_delete=models.PROTECT, related_name="holds")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default="waiting")
    # The language the message about their turn is written in.
    language = models.CharField(max_length=4, default="nl")
    created_at = models.DateTimeField()
    device = models.ForeignKey(
        Device, on_delete=models.PROTECT, null=True, blank=True, related_name="holds"
    )
    ready_at = models.DateTimeField(null=True, blank=True)
    pickup_by = models.DateField(_("pick up by"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("waiting list entry")
        verbose_name_plural = _("waiting list")
        indexes = [models.Index(fields=["site", "kind", "status"], name="hold_site_kind_status")]
        constraints = [
            # A device is set aside for one person at a time.
            models.UniqueConstraint(
                fields=["device"], condition=Q(status="ready"), name="hold_one_ready_per_device"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.site_id} {self.kind} {self.status}"
