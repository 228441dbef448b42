"""An organisation admin adds a Digipunt: the form, the service, the audit entry, the scope."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AuditEntry
from network.models import Site
from tests.cast import sign_in
from tests.network.test_staff_sites import information_data

pytestmark = pytest.mark.django_db


def create_url(organisation) -> str:
    return reverse("network:site-create", kwargs={"organisation_id": organisation.pk})


def new_site_data(cast, **changes):
    """The edit form's data of an existing site, renamed and moved to Aalst."""
    data = information_data(
        cast.gent_a, name="Digipunt Nieuw", postal_code="9300", locality="Aalst"
    )
    data.update(latitude="50.9378", longitude="4.0403", email="nieuw@example.org")
    data.update(changes)
    return data


def test_an_organisation_admin_adds_a_digipunt_that_then_needs_opening_hours(cast):
    client = sign_in(Client(), cast.org_admin)

    response = client.post(create_url(cast.gent), new_site_data(cast))

    created = Site.objects.get(name="Digipunt Nieuw")
    assert response.status_code == 302
    assert response.url == reverse("network:site-hours", kwargs={"site_id": created.pk})
    assert created.organisation == cast.gent
    assert created.municipality_id == "41002"  # the postal code decides: Aalst
    assert created.opening_hours == {"periods": [], "exceptions": []}
    assert created.slug == "digipunt-nieuw-aalst"
    entry = AuditEntry.objects.get(action="site.created")
    assert entry.actor == cast.org_admin
    assert entry.organisation == cast.gent
    assert entry.changes["name"] == [None, "Digipunt Nieuw"]


def test_a_second_digipunt_with_the_same_name_gets_its_own_web_address(cast):
    client = sign_in(Client(), cast.org_admin)

    client.post(create_url(cast.gent), new_site_data(cast))
    client.post(create_url(cast.gent), new_site_data(cast))

    slugs = sorted(Site.objects.filter(name="Digipunt Nieuw").values_list("slug", flat=True))
    assert slugs == ["digipunt-nieuw-aalst", "digipunt-nieuw-aalst-2"]


def test_bad_input_keeps_what_was_typed_and_adds_nothing(cast):
    client = sign_in(Client(), cast.org_admin)

    response = client.post(create_url(cast.gent), new_site_data(cast, postal_code="0000"))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="Digipunt Nieuw"' in html
    assert 'value="0000"' in html
    assert not Site.objects.filter(name="Digipunt Nieuw").exists()
    assert not AuditEntry.objects.filter(action="site.created").exists()


@pytest.mark.parametrize("role", ["coordinator", "volunteer", "other_coordinator", "analyst"])
def test_only_organisation_admins_may_add_a_digipunt(cast, role):
    client = sign_in(Client(), cast.by_role()[role])

    response = client.post(create_url(cast.gent), new_site_data(cast))

    assert response.status_code == 404
    assert not Site.objects.filter(name="Digipunt Nieuw").exists()


def test_the_create_form_requires_a_csrf_token(cast):
    client = sign_in(Client(enforce_csrf_checks=True), cast.org_admin)

    response = client.post(create_url(cast.gent), new_site_data(cast))

    assert response.status_code == 403
    assert not Site.objects.filter(name="Digipunt Nieuw").exists()
