"""Platform admins keep the funders and programmes in the platform admin, with an audit entry."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from audit.models import AuditEntry
from funding.models import Funder, PolicyDomain
from tests.cast import signed_in
from tests.funding.helpers import grant, programme

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_a_platform_admin_lists_and_adds_funders_programmes_and_grants(cast):
    client = signed_in(cast.platform_admin)
    item = programme()
    grant(cast.gent, item=item, site=cast.gent_a)

    for model in ("funder", "programme", "grant"):
        assert client.get(f"/admin/funding/{model}/").status_code == 200
        assert client.get(f"/admin/funding/{model}/add/").status_code == 200
    added = client.post(
        "/admin/funding/funder/add/",
        {"name": "Provincie Vlaams-Brabant", "policy_domain": PolicyDomain.LOCAL_BUDGET},
    )

    assert added.status_code == 302
    funder = Funder.objects.get(name="Provincie Vlaams-Brabant")
    assert AuditEntry.objects.filter(action="admin_added", object_id=str(funder.pk)).exists()


def test_a_programme_takes_its_funders_policy_domain_and_checks_its_tiers(cast):
    item = programme(tiers=[{"users": 250, "amount": "15000.00"}])

    assert item.policy_domain == PolicyDomain.WORK_SOCIAL_ECONOMY
    item.tiers = [{"users": 500, "amount": "1"}, {"users": 250, "amount": "2"}]
    with pytest.raises(ValidationError, match="goes up tier by tier"):
        item.full_clean()
