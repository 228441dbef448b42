"""The editable list of organisations and apps questions are about, in the platform admin.

Registered on `accounts.admin_site.site`; every change is written to the audit trail
(`AuditedAdmin`).
A concern that is no longer offered is switched off ("offered in the form"), never deleted, so
old figures keep their meaning.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from accounts.admin import AuditedAdmin
from accounts.admin_site import site
from questions.models import Concern


@admin.register(Concern, site=site)
class ConcernAdmin(AuditedAdmin):
    list_display = ("name_nl", "name_fr", "name_en", "code", "position", "is_active")
    list_editable = ("position", "is_active")
    list_filter = ("is_active",)
    search_fields = ("code", "name_nl", "name_fr", "name_en")
    ordering = ("position", "code")
    fields = ("name_nl", "name_fr", "name_en", "code", "position", "is_active")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        # The code is what exports and the API use: fixed once the concern exists.
        return ("code",) if obj is not None else ()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
