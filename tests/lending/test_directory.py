"""The directory follows the inventory: a site that keeps its devices here lends (in the finder,
on its public page, in the HSDS and GeoJSON open data) while it has devices to lend, and says
which kinds; a site without an inventory keeps what its team ticked."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from lending import services
from lending.models import Device
from network.finder import Filters, find_sites
from network.models import Site
from territory.selectors import Place
from tests import factories
from tests.cast import signed_in, text, url
from tests.lending.helpers import borrower

pytestmark = pytest.mark.django_db

MONDAY_10 = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Europe/Brussels"))
GENT = Place(
    label="Gent",
    municipality_refnis="44021",
    municipality_name_nl="Gent",
    municipality_name_fr="Gand",
    latitude=51.0543,
    longitude=3.7174,
    in_network=True,
)


def lenders() -> list[str]:
    result = find_sites(GENT, Filters(service="lending"), now=MONDAY_10)
    return [hit.site.name for hit in result.hits]


def lending_service(client, site: Site) -> dict | None:
    body = client.get("/api/hsds/services", {"lang": "en", "per_page": 100}).json()
    wanted = f"Device lending — {site.name}"
    return next((s for s in body["contents"] if s["name"] == wanted), None)


def add(site: Site, actor, tag: str, kind: str = Device.Kind.LAPTOP) -> Device:
    return services.device_add(
        actor=actor,
        site=site,
        data={"asset_tag": tag, "kind": kind, "make_model": "Lenovo", "accessories": []},
    )


def test_a_site_that_adds_devices_lends_them_everywhere_the_directory_shows(cast, client):
    site = cast.gent_a
    Site.objects.filter(pk=site.pk).update(offers_lending=False)
    assert site.name not in lenders()

    add(site, cast.coordinator, "LAP-1")
    add(site, cast.coordinator, "HOT-1", Device.Kind.HOTSPOT)

    site.refresh_from_db()
    assert site.offers_lending is True
    assert site.device_kind_codes == ["laptop", "hotspot"]
    assert site.name in lenders()
    service = lending_service(client, site)
    assert service is not None
    assert "Devices to borrow: Laptop, Mobile hotspot." in service["description"]
    features = client.get("/api/sites.geojson").json()["features"]
    [feature] = [f for f in features if f["properties"]["name"] == site.name]
    assert feature["properties"]["device_kinds"] == ["laptop", "hotspot"]
    page = text(client.get(url("network:site", slug=site.slug)))
    assert "Devices to borrow: Laptop, Mobile hotspot" in page


def test_a_site_whose_last_device_is_retired_or_lost_no_longer_lends(cast, client):
    site = cast.gent_a
    laptop = add(site, cast.coordinator, "LAP-1")
    tablet = add(site, cast.coordinator, "TAB-1", Device.Kind.TABLET)

    services.device_set_aside(actor=cast.coordinator, device=laptop, status=Device.Status.RETIRED)
    site.refresh_from_db()
    assert site.device_kind_codes == ["tablet"]

    who = borrower(site)
    loan, _token = services.loan_checkout(
        actor=cast.volunteer, site=site, asset_tag="TAB-1", borrower=who, agreement_accepted=True
    )
    site.refresh_from_db()
    assert site.offers_lending is True  # a device on loan is still the site's to lend
    services.loan_mark_lost(actor=cast.volunteer, loan=loan)

    site.refresh_from_db()
    tablet.refresh_from_db()
    assert tablet.status == Device.Status.LOST
    assert site.offers_lending is False
    assert site.device_kinds == ""
    assert site.name not in lenders()
    assert lending_service(client, site) is None


def test_a_site_without_an_inventory_keeps_what_its_team_ticked(cast):
    ticked = factories.site(name="Ticked lending", offers_lending=True)

    assert "Ticked lending" in lenders()
    assert ticked.lending_from_inventory is False
    assert ticked.device_kind_codes == []


def test_an_import_and_a_change_of_kind_update_the_kinds(cast):
    site = cast.gent_a
    header = "asset_tag,kind,make_model\n"
    upload = SimpleUploadedFile("d.csv", (header + "T-1,tablet,iPad\n").encode(), "text/csv")
    signed_in(cast.coordinator).post(url("lending:import", site_id=site.pk), {"file": upload})
    site.refresh_from_db()
    assert site.device_kind_codes == ["tablet"]

    tablet = Device.objects.get(asset_tag="T-1")
    services.device_update(actor=cast.coordinator, device=tablet, data={"kind": "smartphone"})

    site.refresh_from_db()
    assert site.device_kind_codes == ["smartphone"]


def test_the_site_form_leaves_lending_to_the_inventory(cast):
    from tests.network.test_staff_sites import information_data

    add(cast.gent_a, cast.coordinator, "LAP-1")
    client = signed_in(cast.coordinator)
    form = text(client.get(url("network:site-edit", site_id=cast.gent_a.pk)))
    assert "Set by your device inventory" in form

    data = information_data(cast.gent_a, name="Digipunt Gent Centrum")
    data.pop("offers_lending", None)  # an unticked box is not sent
    response = client.post(url("network:site-edit", site_id=cast.gent_a.pk), data)

    assert response.status_code == 302
    cast.gent_a.refresh_from_db()
    assert cast.gent_a.name == "Digipunt Gent Centrum"
    assert cast.gent_a.offers_lending is True


def test_the_demo_devices_are_in_the_directory(cast):
    from lending.demo import demo_devices_load

    Site.objects.filter(pk=cast.gent_a.pk).update(is_demo=True, offers_lending=True)
    demo_devices_load()

    cast.gent_a.refresh_from_db()
    assert cast.gent_a.device_kind_codes == ["laptop", "tablet", "hotspot"]


def test_a_lost_device_found_and_repaired_is_lent_again_in_the_directory(cast):
    site = cast.gent_a
    laptop = add(site, cast.coordinator, "LAP-1")
    services.device_set_aside(actor=cast.coordinator, device=laptop, status=Device.Status.LOST)
    site.refresh_from_db()
    assert site.offers_lending is False

    services.device_set_aside(actor=cast.coordinator, device=laptop, status=Device.Status.IN_REPAIR)
    site.refresh_from_db()
    assert site.device_kind_codes == ["laptop"]
    services.device_repaired(actor=cast.coordinator, device=laptop)
    site.refresh_from_db()
    assert site.offers_lending is True
