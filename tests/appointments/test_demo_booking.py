"""`make run` shows online booking at work: demo sites that work by appointment take bookings."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from appointments.models import BookingSettings
from network.models import Site
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("territory")]


def test_the_demo_network_takes_bookings_where_it_works_by_appointment():
    real = factories.site(by_appointment=True)
    out = StringIO()

    call_command("load_demo_network", sites=40, stdout=out)

    by_appointment = Site.objects.filter(is_demo=True, by_appointment=True)
    assert by_appointment.exists()
    enabled = BookingSettings.objects.filter(is_enabled=True)
    assert set(enabled.values_list("site", flat=True)) == set(
        by_appointment.values_list("pk", flat=True)
    )
    assert not BookingSettings.objects.filter(site=real).exists()
    assert f"Online booking at {by_appointment.count()} demo sites" in out.getvalue()
    site = by_appointment.filter(is_published=True).first()
    page = Client().get(f"/en/digipunt/{site.slug}/book/")
    assert page.status_code == 200
    assert "Step 1 of 2: choose a time." in page.content.decode()


def test_loading_the_demo_again_keeps_one_booking_setting_per_site():
    call_command("load_demo_network", sites=40, stdout=StringIO())
    call_command("load_demo_network", sites=40, stdout=StringIO())

    demo = Site.objects.filter(is_demo=True, by_appointment=True).count()
    assert BookingSettings.objects.count() == demo
