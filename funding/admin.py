"""Funders, programmes and grants in the platform admin.

Platform admins keep the funders and their programmes here (organisation admins record their own
grants on the staff pages, through `funding.services`). Registered on `accounts.admin_site.site`;
every change is written to the audit trail (`AuditedAdmin`).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models

from accounts.admin import AuditedAdmin
from accounts.admin_site import site
from funding.models import Funder, Grant, Programme


@admin.register(Funder, site=site)
class FunderAdmin(AuditedAdmin):
    list_display = ("name", "policy_domain", "is_demo")
    list_filter = ("policy_domain", "is_demo")
    search_fields = ("name",)
    fields = ("name", "policy_domain", "website")
    # An address typed without a scheme is taken as https (Django 6's default).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Programme, site=site)
class ProgrammeAdmin(AuditedAdmin):
    list_display = ("name", "funder", "policy_domain", "starts_on", "ends_on", "is_demo")
    list_filter = ("policy_domain", "funder", "is_demo")
    search_fields = ("name", "funder__name")
    list_select_related = ("funder",)
    fields = ("funder", "name", "policy_domain", "starts_on", "ends_on", "tiers", "description")


@admin.register(Grant, site=site)
class GrantAdmin(AuditedAdmin):
    list_display = ("programme", "organisation", "site", "amount", "starts_on", "ends_on")
    list_filter = ("programme__funder", "programme", "is_demo")
    search_fields = ("organisation__name", "site__name", "programme__name")
    list_select_related = ("programme__funder", "organisation", "site")
    raw_id_fields = ("organisation", "site")
    fields = (
        "programme",
        "organisation",
        "site",
        "amount",
        "starts_on",
        "ends_on",
        "services",
        "weekly_hours",
        "note",
    )

    def _scope(self, obj: Any) -> dict[str, Any]:
        return {"organisation": obj.organisation}
