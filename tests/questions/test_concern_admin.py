"""The editable list of organisations and apps in the platform admin: changes are audited, and a
concern is switched off rather than deleted."""

from __future__ import annotations

import pytest

from audit.models import AuditEntry
from questions.models import Concern
from tests.cast import signed_in

pytestmark = pytest.mark.django_db


def test_a_platform_admin_switches_a_concern_off_and_it_is_audited(cast):
    client = signed_in(cast.platform_admin)
    concern = Concern.objects.get(code="bpost")

    listing = client.get("/admin/questions/concern/")
    response = client.post(
        f"/admin/questions/concern/{concern.pk}/change/",
        {
            "name_nl": concern.name_nl,
            "name_fr": concern.name_fr,
            "name_en": "bpost (post office)",
            "position": concern.position,
        },
    )

    assert listing.status_code == 200
    assert response.status_code == 302
    concern.refresh_from_db()
    assert (concern.name_en, concern.is_active, concern.code) == (
        "bpost (post office)",
        False,
        "bpost",
    )
    entry = AuditEntry.objects.get(action="admin_changed", object_type="questions.concern")
    assert entry.changes["is_active"] == [True, False]


def test_a_concern_cannot_be_deleted_in_the_admin(cast):
    client = signed_in(cast.platform_admin)
    concern = Concern.objects.get(code="bpost")

    response = client.post(f"/admin/questions/concern/{concern.pk}/delete/", {"post": "yes"})

    assert response.status_code == 403
    assert Concern.objects.filter(code="bpost").exists()


def test_a_switched_off_concern_is_no_longer_offered_in_the_form(cast):
    Concern.objects.filter(code="bpost").update(is_active=False)

    html = (
        signed_in(cast.volunteer)
        .get(f"/en/staff/sites/{cast.gent_a.pk}/contacts/new/")
        .content.decode()
    )

    assert ">bpost<" not in html
    assert ">itsme<" in html
