"""The public network report (`insights:report`) and its open data (`insights:report-csv`):
anonymous, cacheable by anyone, counts under 5 hidden, no personal data."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from insights import rollups
from insights.figures import add_months
from questions import services as question_services
from questions.models import Outcome
from tests import factories
from tests.cast import Cast, text, url

pytestmark = pytest.mark.django_db

NOTE = "Zocht het formulier Quokkaplan"


def _last_month() -> date:
    return add_months(timezone.localdate().replace(day=1), -1)


def register(cast: Cast, site, theme, *, people: int, note: str = "") -> None:
    month = _last_month()
    data = question_services.ContactInput(
        channel="walk_in",
        duration="lt15",
        questions=[question_services.QuestionInput(theme=theme, outcome=Outcome.SOLVED)],
        occurred_at=datetime(month.year, month.month, 10, 11, tzinfo=ZoneInfo(settings.TIME_ZONE)),
        people=people,
        note=note,
    )
    question_services.contact_register(actor=cast.platform_admin, site=site, data=data)


@pytest.fixture
def seeded(cast):
    """Last month: 6 contacts about eID (shown), 2 about banking (hidden), 8 in all."""
    eid, banking = factories.theme("eid-itsme"), factories.theme("banking")
    register(cast, cast.gent_a, eid, people=6, note=NOTE)
    register(cast, cast.aalst, banking, people=2)
    rollups.refresh()
    return eid, banking


def _cells(page: str, label: str) -> list[str]:
    """The cells after the row heading `label` (a hidden cell reads "–")."""
    match = re.search(rf'<th scope="row">{re.escape(label)}</th>(.*?)</tr>', page, flags=re.S)
    assert match, f"no row {label!r}"
    cells = re.findall(r"<td[^>]*>(.*?)</td>", match[1], flags=re.S)
    return [re.sub(r'<span class="visually-hidden">[^<]*</span>|<[^>]+>', "", c) for c in cells]


def test_the_report_is_public_cacheable_and_sets_no_cookie(cast, seeded):
    client = Client()
    response = client.get(url("insights:report"))

    assert response.status_code == 200
    assert not response.cookies
    assert "public" in response["Cache-Control"]
    assert "no-store" not in response["Cache-Control"]
    assert "Set-Cookie" not in response
    assert not client.cookies


@pytest.mark.parametrize("lang", ["nl", "fr", "en"])
def test_the_report_answers_in_every_language(cast, seeded, lang):
    response = Client().get(url("insights:report", lang))

    assert response.status_code == 200
    assert f'lang="{lang}"' in response.content.decode()


def test_counts_under_five_are_hidden_and_five_or_more_shown(cast, seeded):
    eid, banking = seeded
    page = text(Client().get(url("insights:report")))

    # Last 12 months beside the 12 before.
    assert _cells(page, "Contacts: a person helped once") == ["8", "0"]
    assert _cells(page, eid.name_en) == ["6", "0"]
    assert _cells(page, banking.name_en) == ["–", "0"]
    assert "hidden-cell" in page
    assert "Counts under 5 are hidden." in page


def test_the_open_data_has_the_same_figures_with_hidden_cells_empty(cast, seeded):
    eid, banking = seeded
    response = Client().get(url("insights:report-csv"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert "public" in response["Cache-Control"]
    assert not response.cookies
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    value = {(r["table"], r["row"], r["column"]): r["value"] for r in rows}
    assert value[("reach", "Contacts: a person helped once", "Last 12 months")] == "8"
    assert value[("reach", "Questions answered", "Last 12 months")] == "8"
    assert value[("themes", eid.name_en, "This period")] == "6"
    assert value[("themes", banking.name_en, "This period")] == ""
    assert value[("themes", banking.name_en, "Period before")] == "0"
    assert value[
        ("coverage", next(r["row"] for r in rows if r["table"] == "coverage"), "Residents")
    ]


def test_the_report_shows_no_personal_data(cast, seeded):
    page = text(Client().get(url("insights:report")))
    data = Client().get(url("insights:report-csv")).content.decode("utf-8-sig")

    for leaked in (NOTE, "Quokkaplan", cast.platform_admin.full_name, cast.platform_admin.email):
        assert leaked not in page
        assert leaked not in data


def test_the_report_says_the_impact_is_an_estimate(cast, seeded):
    page = " ".join(text(Client().get(url("insights:report"))).split())

    assert "This is an estimate, not a measured result." in page
    assert settings.IMPACT_RETURN_SOURCE in page


def test_the_report_links_its_print_stylesheet_and_open_data(cast, seeded):
    page = text(Client().get(url("insights:report")))

    assert re.search(r'<link rel="stylesheet" href="[^"]*report-print[^"]*" media="print">', page)
    assert f'href="{url("insights:report-csv")}"' in page
