"""People, memberships, invitations and the audit trail in the platform admin.

Registered on `accounts.admin_site.site` (platform admins past the second factor). Changes made here
are written to the audit trail like any other; the trail itself is read-only.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db import models, transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.admin_site import site
from accounts.models import Invitation, Membership, TOTPDevice, User
from audit.models import AuditEntry
from audit.services import field_changes, log_action

# Never copied into the trail.
SECRET_FIELDS = {"password", "token_hash"}


class AuditedAdmin(admin.ModelAdmin):
    """Writes an audit entry for every add, change and delete made in the admin."""

    def _scope(self, obj: models.Model) -> dict[str, Any]:
        return {}

    def save_model(self, request: HttpRequest, obj: Any, form: forms.Form, change: bool) -> None:
        names = [name for name in form.changed_data if name not in SECRET_FIELDS]
        before_obj = type(obj).objects.filter(pk=obj.pk).first() if change else None
        before = {name: getattr(before_obj, name, None) for name in names}
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            after = {name: getattr(obj, name, None) for name in names}
            log_action(
                actor=request.user,
                action="admin_changed" if change else "admin_added",
                target=obj,
                changes=field_changes(before, after),
                **self._scope(obj),
            )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            log_action(actor=request.user, action="admin_deleted", target=obj, **self._scope(obj))
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        with transaction.atomic():
            for obj in queryset:
                log_action(
                    actor=request.user, action="admin_deleted", target=obj, **self._scope(obj)
                )
            super().delete_queryset(request, queryset)


class UserCreationAdminForm(AdminUserCreationForm):
    """A new person by email; leaving the password unusable lets them choose one by reset."""

    class Meta:
        model = User
        fields = ("email", "full_name")

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("There is already an account with this email address."))
        return email


class UserChangeAdminForm(UserChangeForm):
    """The password is only shown as a hash summary, with a link to Django's change form."""

    class Meta:
        model = User
        fields = ("email", "full_name", "is_active", "is_staff", "is_superuser")

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("There is already an account with this email address."))
        return email


@admin.register(User, site=site)
class UserAdmin(AuditedAdmin, DjangoUserAdmin):
    form = UserChangeAdminForm
    add_form = UserCreationAdminForm
    list_display = ("email", "full_name", "is_active", "is_staff", "two_factor")
    list_filter = ("is_active", "is_staff", "is_superuser")
    list_select_related = ("totp_device",)
    search_fields = ("email", "full_name")
    ordering = ("email",)
    filter_horizontal = ()
    readonly_fields = ("last_login", "date_joined", "sessions_valid_after")
    fieldsets = (
        (None, {"fields": ("email", "password", "full_name")}),
        (_("Access"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Dates"), {"fields": ("last_login", "date_joined", "sessions_valid_after")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "full_name", "usable_password", "password1", "password2"),
            },
        ),
    )

    @admin.display(boolean=True, description=_("two factors"))
    def two_factor(self, obj: User) -> bool:
        try:
            device: TOTPDevice = obj.totp_device
        except TOTPDevice.DoesNotExist:
            return False
        return device.confirmed_at is not None


@admin.register(Membership, site=site)
class MembershipAdmin(AuditedAdmin):
    list_display = ("user", "role", "organisation", "site", "is_active", "created_at")
    list_filter = ("role", "is_active")
    list_select_related = ("user", "organisation", "site")
    search_fields = ("user__email", "user__full_name", "organisation__name", "site__name")
    raw_id_fields = ("user", "organisation", "site")

    def _scope(self, obj: Membership) -> dict[str, Any]:
        if obj.site_id:
            return {"site": obj.site}
        return {"organisation": obj.organisation}


@admin.register(Invitation, site=site)
class InvitationAdmin(AuditedAdmin):
    """Invitations are made by organisation admins (with a link by email), not here; here one
    can only look, or end an invitation early by moving its expiry."""

    list_display = ("email", "role", "organisation", "site", "created_at", "expires_at")
    list_filter = ("role",)
    list_select_related = ("organisation", "site")
    search_fields = ("email",)
    fields = (
        "email",
        "role",
        "organisation",
        "site",
        "token_hash",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "accepted_by",
    )
    readonly_fields = tuple(name for name in fields if name != "expires_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def _scope(self, obj: Invitation) -> dict[str, Any]:
        if obj.site_id:
            return {"site": obj.site}
        return {"organisation": obj.organisation}


@admin.register(AuditEntry, site=site)
class AuditEntryAdmin(admin.ModelAdmin):
    """The trail is append-only: nobody adds, changes or deletes entries, not even here."""

    list_display = ("created_at", "actor_label", "action", "object_type", "object_label")
    list_filter = ("action", "object_type")
    search_fields = ("actor_label", "object_label", "object_id")
    date_hierarchy = "created_at"
    list_select_related = ("organisation", "site")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
