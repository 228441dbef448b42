"""People who work in Digipunt and what they may do: users, memberships and roles.

A person signs in with an email address. What they may see and do follows only from their
memberships (`Membership`): a role at one site, at an organisation (all its sites), or across the
network (analysts and platform admins). `accounts.permissions` turns that into decisions.
"""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from network.models import Organisation, Site


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **fields: object) -> User:
        if not email:
            raise ValueError("A user needs an email address")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **fields: object) -> User:
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields: object) -> User:
        fields.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A member of staff or a volunteer. `is_staff` means platform admin (the Django admin)."""

    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("name"), max_length=150)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("platform admin"), default=False)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)
    # "Log out everywhere": sessions that started before this moment are no longer accepted.
    sessions_valid_after = models.DateTimeField(null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class Role(models.TextChoices):
    VOLUNTEER = "volunteer", _("Volunteer (digihelper)")
    COORDINATOR = "coordinator", _("Site coordinator")
    ORG_ADMIN = "org_admin", _("Organisation admin")
    REFERRER = "referrer", _("Referrer")
    ANALYST = "analyst", _("Network analyst")
    PLATFORM_ADMIN = "platform_admin", _("Platform admin")


# Roles that act across the whole network rather than for one site or organisation.
NETWORK_ROLES = (Role.ANALYST, Role.PLATFORM_ADMIN)


class MembershipQuerySet(models.QuerySet["Membership"]):
    def active(self) -> MembershipQuerySet:
        return self.filter(is_active=True, user__is_active=True)


class Membership(models.Model):
    """A role for a person at a site, at an organisation (all its sites), or network-wide."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("organisation"),
    )
    site = models.ForeignKey(
        Site,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("site"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["role"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            # At most one of organisation and site; neither only for the network-wide roles.
            models.CheckConstraint(
                condition=Q(organisation__isnull=True) | Q(site__isnull=True),
                name="membership_one_scope",
            ),
            models.CheckConstraint(
                condition=Q(organisation__isnull=False)
                | Q(site__isnull=False)
                | Q(role__in=[r.value for r in NETWORK_ROLES]),
                name="membership_network_roles_only_without_scope",
            ),
            # One membership per person and scope (NULLs are distinct in a plain unique index).
            models.UniqueConstraint(
                fields=["user", "site"],
                condition=Q(site__isnull=False),
                name="membership_one_per_site",
            ),
            models.UniqueConstraint(
                fields=["user", "organisation"],
                condition=Q(organisation__isnull=False),
                name="membership_one_per_organisation",
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=Q(organisation__isnull=True, site__isnull=True),
                name="membership_one_per_network_role",
            ),
        ]

    def __str__(self) -> str:
        scope = self.site or self.organisation or _("the network")
        return f"{self.user} — {self.get_role_display()} — {scope}"


class Invitation(models.Model):
    """A single-use link that lets a new person create their account with a given membership.

    Only a hash of the token is stored, so a leaked database does not leak working links.
    """

    email = models.EmailField(_("email address"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    site = models.ForeignKey(
        Site, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(organisation__isnull=True) | Q(site__isnull=True),
                name="invitation_one_scope",
            ),
        ]

    def __str__(self) -> str:
        return self.email


class TOTPDevice(models.Model):
    """The authenticator app of a person: the shared secret, confirmed once a code matched."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="totp_device")
    secret = models.CharField(max_length=64)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # The time step of the last accepted code: the same code is never accepted twice.
    last_used_step = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"TOTP {self.user}"


class RecoveryCode(models.Model):
    """One-time codes for when the phone is lost; only their hashes are stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=128)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"recovery code of {self.user}"


class FailedLogin(models.Model):
    """A failed sign-in, to throttle guessing per account and per address (purged after a day)."""

    email = models.CharField(max_length=254, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"{self.email} {self.created_at:%Y-%m-%d %H:%M}"


class ApiToken(models.Model):
    """A secret that lets another tool of an organisation post data (contacts) to the API.

    Only a SHA-256 hash is stored; the token is shown once when it is made. `prefix` (the first
    characters) lets people tell their tokens apart. Revoked tokens stay for the audit trail.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100, help_text=_("Which tool uses it."))
    prefix = models.CharField(max_length=12)
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
