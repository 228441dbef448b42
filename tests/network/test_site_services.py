"""Tests for the write services on sites: each validates, saves, and writes one audit entry.

The views are tested through the front door in test_staff_sites.py; these tests call the services
directly, for what a form cannot easily show (what exactly the audit entry records, that a refused
change leaves nothing behind).
"""

from __future__ import annotations

from datetime import date
from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError

from audit.models import AuditEntry
from network import services
from network.hours_document import closure, period
from network.models import Site
from network.week_mask import weekly_slots
from tests import factories

pytestmark = pytest.mark.django_db


def entries_about(site: Site) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(object_type="network.site", object_id=str(site.pk)))


def test_updating_information_saves_and_writes_one_entry_with_the_changed_fields(cast):
    services.site_update_information(
        actor=cast.coordinator,
        site=cast.gent_a,
        data={"name": "Digipunt Gent Centrum", "phone": "09 123 45 67", "walk_in": True},
    )
    cast.gent_a.refresh_from_db()
    assert cast.gent_a.name == "Digipunt Gent Centrum"
    assert cast.gent_a.phone == "09 123 45 67"
    [entry] = entries_about(cast.gent_a)
    assert entry.action == "site.update_information"
    assert entry.actor == cast.coordinator
    assert entry.actor_label == "Koen Coördinator"
    assert entry.site == cast.gent_a
    assert entry.organisation == cast.gent
    # Only what changed: walk_in was already on.
    assert entry.changes == {
        "name": ["Digipunt Gent A", "Digipunt Gent Centrum"],
        "phone": ["", "09 123 45 67"],
    }


def test_languages_and_themes_are_recorded_as_codes(cast):
    services.site_update_information(
        actor=cast.coordinator,
        site=cast.gent_a,
        data={"languages": ",nl,fr,ar,", "themes": [factories.theme("taxes")]},
    )
    cast.gent_a.refresh_from_db()
    assert cast.gent_a.languages == ",nl,fr,ar,"
    assert [t.code for t in cast.gent_a.themes.all()] == ["taxes"]
    [entry] = entries_about(cast.gent_a)
    assert entry.changes == {
        "languages": [["nl"], ["nl", "fr", "ar"]],
        "themes": [["eid-itsme"], ["taxes"]],
    }


def test_information_without_changes_saves_nothing_and_writes_no_entry(cast):
    before = Site.objects.get(pk=cast.gent_a.pk).updated_at
    services.site_update_information(
        actor=cast.coordinator, site=cast.gent_a, data={"name": "Digipunt Gent A"}
    )
    assert entries_about(cast.gent_a) == []
    assert Site.objects.get(pk=cast.gent_a.pk).updated_at == before


def test_invalid_information_is_refused_and_leaves_nothing_behind(cast):
    with pytest.raises(ValidationError) as refused:
        services.site_update_information(
            actor=cast.coordinator,
            site=cast.gent_a,
            data={"name": "Changed", "email": "not an email", "latitude": 99.0},
        )
    assert "email" in refused.value.message_dict
    cast.gent_a.refresh_from_db()
    assert cast.gent_a.name == "Digipunt Gent A"
    assert entries_about(cast.gent_a) == []


def test_a_new_postal_code_moves_the_site_to_its_municipality(cast):
    services.site_update_information(
        actor=cast.org_admin, site=cast.gent_b, data={"postal_code": "9300", "locality": "Aalst"}
    )
    cast.gent_b.refresh_from_db()
    assert cast.gent_b.municipality.refnis == "41002"
    [entry] = entries_about(cast.gent_b)
    assert entry.changes["postal_code"] == ["9000", "9300"]
    assert entry.changes["municipality"][0] != entry.changes["municipality"][1]


def test_an_unknown_postal_code_is_refused_on_the_postal_code(cast):
    with pytest.raises(ValidationError) as refused:
        services.site_update_information(
            actor=cast.coordinator, site=cast.gent_a, data={"postal_code": "0001"}
        )
    assert list(refused.value.message_dict) == ["postal_code"]
    assert entries_about(cast.gent_a) == []


def test_fields_outside_the_information_cannot_be_changed_this_way(cast):
    with pytest.raises(ValueError, match="slug"):
        services.site_update_information(
            actor=cast.coordinator, site=cast.gent_a, data={"slug": "elsewhere"}
        )


def test_setting_opening_hours_records_the_whole_document_before_and_after(cast):
    old = cast.gent_a.opening_hours
    new = {
        "periods": [period(5, "10:00", "12:00")],
        "exceptions": [closure(date(2026, 12, 24), date(2026, 12, 26), "Christmas")],
    }
    services.site_set_opening_hours(actor=cast.coordinator, site=cast.gent_a, document=new)
    cast.gent_a.refresh_from_db()
    assert cast.gent_a.opening_hours == new
    [entry] = entries_about(cast.gent_a)
    assert entry.action == "site.set_opening_hours"
    assert entry.changes == {"opening_hours": [old, new]}


def test_new_opening_hours_move_the_stored_quarter_hours_with_them(cast):
    # "Open now" drops sites in SQL by these quarter hours: a stale mask would hide a site.
    saturdays = {"periods": [period(5, "10:00", "12:00")], "exceptions": []}
    services.site_set_opening_hours(actor=cast.coordinator, site=cast.gent_a, document=saturdays)
    stored = Site.objects.values_list("open_slots", flat=True).get(pk=cast.gent_a.pk)
    assert stored == weekly_slots(saturdays)
    assert stored.strip("0") == "ff"  # Saturday 10:00-12:00 and nothing else


def test_every_save_of_a_site_derives_its_quarter_hours_from_its_hours(cast):
    site = factories.site(opening_hours={"periods": [period(0, "09:00", "10:00")]})
    assert Site.objects.get(pk=site.pk).open_slots == weekly_slots(site.opening_hours)
    site.opening_hours = {}
    site.save(update_fields=["opening_hours"])
    assert Site.objects.get(pk=site.pk).open_slots == "0" * 168


def test_the_migration_fills_the_quarter_hours_of_sites_that_existed_before_it(cast):
    fill_open_slots = import_module("network.migrations.0003_open_slots").fill_open_slots
    Site.objects.update(open_slots="0" * 168)  # as a database from before the column would be
    fill_open_slots(django_apps, None)
    for site in Site.objects.all():
        assert site.open_slots == weekly_slots(site.opening_hours)


def test_invalid_opening_hours_are_refused_and_leave_nothing_behind(cast):
    old = cast.gent_a.opening_hours
    bad = {"periods": [period(0, "12:00", "09:00")], "exceptions": []}
    with pytest.raises(ValidationError) as refused:
        services.site_set_opening_hours(actor=cast.coordinator, site=cast.gent_a, document=bad)
    [message] = refused.value.message_dict["opening_hours"]
    assert "period 1: closing time must be after opening time" in message
    cast.gent_a.refresh_from_db()
    assert cast.gent_a.opening_hours == old
    assert entries_about(cast.gent_a) == []


def test_the_same_opening_hours_again_write_no_entry(cast):
    services.site_set_opening_hours(
        actor=cast.coordinator, site=cast.gent_a, document=cast.gent_a.opening_hours
    )
    assert entries_about(cast.gent_a) == []


def test_marking_verified_sets_the_date_and_writes_one_entry(cast):
    services.site_mark_verified(actor=cast.coordinator, site=cast.gent_a, today=date(2027, 1, 5))
    cast.gent_a.refresh_from_db()
    assert cast.gent_a.last_verified == date(2027, 1, 5)
    [entry] = entries_about(cast.gent_a)
    assert entry.action == "site.mark_verified"
    assert entry.changes == {"last_verified": ["2026-11-01", "2027-01-05"]}


def test_marking_verified_twice_on_one_day_still_says_who_checked(cast):
    for person in (cast.coordinator, cast.org_admin):
        services.site_mark_verified(actor=person, site=cast.gent_a, today=date(2027, 1, 5))
    assert [e.actor for e in entries_about(cast.gent_a)] == [cast.org_admin, cast.coordinator]
