"""Tests for the audit trail: append-only, and readable by organisation admins for their scope.

Entries are written by the services (tested in tests/network/test_site_services.py); these tests
are about keeping and reading them. Text is checked on the English pages.
"""

from __future__ import annotations

import ast
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from django.db.models import QuerySet
from django.test import Client
from django.urls import reverse
from django.utils import translation

from audit.models import AuditEntry
from audit.selectors import entries_for_organisation
from audit.services import log_action
from audit.staff.views import ACTION_LABELS
from network import services
from network.hours_document import closure, period
from tests.cast import sign_in

pytestmark = pytest.mark.django_db

ROLES = (
    "volunteer",
    "coordinator",
    "org_admin",
    "referrer",
    "analyst",
    "platform_admin",
    "outsider",
    "other_coordinator",
)


def audit_url(organisation: Any, lang: str = "en", **query: str) -> str:
    with translation.override(lang):
        path = reverse("audit:organisation-audit", kwargs={"organisation_id": organisation.pk})
    return path + (f"?page={query['page']}" if "page" in query else "")


def page(person, organisation, **query: str) -> str:
    response = sign_in(Client(), person).get(audit_url(organisation, **query))
    assert response.status_code == 200
    return response.content.decode()


# --- append-only ------------------------------------------------------------------------------


def test_an_audit_entry_cannot_be_changed(cast):
    entry = log_action(actor=cast.coordinator, action="site.test", target=cast.gent_a)
    entry.action = "something else"
    with pytest.raises(ValueError, match="append-only"):
        entry.save()
    assert AuditEntry.objects.get(pk=entry.pk).action == "site.test"


def test_an_audit_entry_cannot_be_deleted(cast):
    entry = log_action(actor=cast.coordinator, action="site.test", target=cast.gent_a)
    with pytest.raises(ValueError, match="append-only"):
        entry.delete()
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_the_audit_page_only_reads(cast):
    client = sign_in(Client(), cast.org_admin)
    assert client.post(audit_url(cast.gent)).status_code == 405


# --- who may read it --------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_only_organisation_admins_and_platform_admins_read_an_organisations_trail(cast, role):
    client = sign_in(Client(), cast.by_role()[role])
    gent = client.get(audit_url(cast.gent)).status_code
    aalst = client.get(audit_url(cast.aalst_org)).status_code
    assert gent == (200 if role in ("org_admin", "platform_admin") else 404)
    assert aalst == (200 if role == "platform_admin" else 404)


def test_someone_signed_out_is_sent_to_sign_in(cast, client):
    assert client.get(audit_url(cast.gent)).status_code == 302


# --- what it shows ----------------------------------------------------------------------------


def test_an_organisation_admin_sees_changes_to_its_sites_but_not_to_another_organisations(cast):
    services.site_update_information(
        actor=cast.coordinator, site=cast.gent_a, data={"name": "Digipunt Gent Centrum"}
    )
    services.site_update_information(
        actor=cast.other_coordinator, site=cast.aalst, data={"name": "Digipunt Aalst Station"}
    )
    html = page(cast.org_admin, cast.gent)
    assert "Koen Coördinator" in html
    assert "Changed the information" in html
    assert "Name: Digipunt Gent A → Digipunt Gent Centrum" in html
    assert "Aalst" not in html
    assert "Omar Andere" not in html
    aalst = page(cast.platform_admin, cast.aalst_org)
    assert "Name: Digipunt Aalst → Digipunt Aalst Station" in aalst
    assert "Gent Centrum" not in aalst


def test_changed_opening_hours_are_shown_as_one_line(cast):
    document = {
        "periods": [period(5, "10:00", "12:00")],
        "exceptions": [closure(date(2026, 12, 24), reason="Christmas Eve")],
    }
    services.site_set_opening_hours(actor=cast.coordinator, site=cast.gent_a, document=document)
    html = page(cast.org_admin, cast.gent)
    assert "Changed the opening hours" in html
    assert "Opening hours changed" in html
    assert "Christmas Eve" not in html
    assert "10:00" not in html


def test_a_check_shows_the_dates_in_words(cast):
    services.site_mark_verified(actor=cast.org_admin, site=cast.gent_b, today=date(2027, 1, 5))
    html = page(cast.org_admin, cast.gent)
    assert "Marked the information as checked" in html
    assert "Data last verified: 1 November 2026 → 5 January 2027" in html


def test_yes_no_and_empty_values_read_as_words(cast):
    services.site_update_information(
        actor=cast.coordinator,
        site=cast.gent_a,
        data={"step_free": True, "phone": "09 123 45 67", "languages": ",nl,fr,"},
    )
    html = page(cast.org_admin, cast.gent)
    assert "Step-free entrance: no → yes" in html
    assert "Phone: (empty) → 09 123 45 67" in html
    assert "Languages: nl → nl, fr" in html


def test_entries_for_the_organisation_itself_are_in_its_trail(cast):
    log_action(actor=cast.org_admin, action="team.invite", target=cast.gent, organisation=cast.gent)
    log_action(
        actor=cast.other_coordinator,
        action="team.invite",
        target=cast.aalst_org,
        organisation=cast.aalst_org,
    )
    assert [e.object_label for e in entries_for_organisation(cast.gent)] == ["Stad Gent"]


def test_times_are_shown_in_belgian_time_newest_first(cast):
    older = log_action(
        actor=cast.coordinator, action="site.old", target=cast.gent_a, site=cast.gent_a
    )
    newer = log_action(
        actor=cast.coordinator, action="site.new", target=cast.gent_a, site=cast.gent_a
    )
    # created_at is set on insert; an update of the row (not of the entry object) sets the past.
    winter = datetime(2026, 1, 15, 13, 30, tzinfo=UTC)
    summer = datetime(2026, 7, 15, 13, 30, tzinfo=UTC)
    # The application refuses bulk updates of the trail; the test backdates below it.
    QuerySet.update(AuditEntry.objects.filter(pk=older.pk), created_at=winter)
    QuerySet.update(AuditEntry.objects.filter(pk=newer.pk), created_at=summer)
    html = page(cast.org_admin, cast.gent)
    assert "15 Jul 2026, 15:30" in html  # summer time, UTC+2
    assert "15 Jan 2026, 14:30" in html  # winter time, UTC+1
    assert html.index("site.new") < html.index("site.old")


def test_the_trail_is_shown_fifty_entries_a_page(cast):
    for n in range(51):
        log_action(
            actor=cast.coordinator, action=f"site.step{n:02d}", target=cast.gent_a, site=cast.gent_a
        )
    first = page(cast.org_admin, cast.gent)
    assert first.count('<li class="result">') == 50
    assert "site.step50" in first
    assert "site.step00" not in first
    assert 'rel="next"' in first
    second = page(cast.org_admin, cast.gent, page="2")
    assert "site.step00" in second
    assert "site.step01" not in second


def test_the_audit_page_takes_a_fixed_number_of_queries(cast, django_assert_max_num_queries):
    for n in range(20):
        log_action(
            actor=cast.coordinator, action=f"site.step{n}", target=cast.gent_a, site=cast.gent_a
        )
    client = sign_in(Client(), cast.org_admin)
    with django_assert_max_num_queries(6):
        response = client.get(audit_url(cast.gent))
    assert response.status_code == 200


def test_the_trail_refuses_bulk_updates_and_deletes(cast):
    log_action(actor=cast.org_admin, action="test", target=cast.gent_a, site=cast.gent_a)

    with pytest.raises(ValueError, match="append-only"):
        AuditEntry.objects.filter(site=cast.gent_a).update(action="rewritten")
    with pytest.raises(ValueError, match="append-only"):
        AuditEntry.objects.filter(site=cast.gent_a).delete()
    assert AuditEntry.objects.filter(site=cast.gent_a, action="test").count() == 1


def test_every_action_the_code_logs_has_a_label_on_the_audit_page():
    """A new `log_action(action="...")` without a label would show its code to a coordinator."""
    root = Path(__file__).resolve().parents[2]
    logged: set[str] = set()
    for path in root.glob("*/**/*.py"):
        if path.parts[len(root.parts)] in {".venv", "tests", "bench"}:
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "log_action":
                for keyword in node.keywords:
                    if keyword.arg == "action":
                        logged |= {
                            constant.value
                            for constant in ast.walk(keyword.value)
                            if isinstance(constant, ast.Constant)
                            and isinstance(constant.value, str)
                        }
    assert "contact.register" in logged  # the scan finds what it should
    assert logged - set(ACTION_LABELS) == set()
