"""The staff dashboard (`insights:dashboard`): figures of a scope and a period beside the period
before, who sees which scope, downloads, the month form's errors, a partnership's Digibank tiers,
accessible charts and the impact estimate.

Contacts are registered through `questions.services.contact_register` at the cast's sites in the
two whole months before today's month, then `insights.rollups.refresh()` sums them into tallies.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext

from funding.models import Programme
from insights import rollups
from insights.figures import add_months
from network.models import Partnership
from questions import services as question_services
from questions.models import Outcome
from tests import factories
from tests.cast import Cast, signed_in, text, url
from tests.funding import helpers as funding_helpers
from tests.lending import helpers as lending_helpers

pytestmark = pytest.mark.django_db

CONTACTS = "Contacts: a person helped once"
QUESTIONS = "Questions answered"


def _months() -> tuple[date, date]:
    """The last whole month (this period) and the one before it (the period before)."""
    this_month = timezone.localdate().replace(day=1)
    return add_months(this_month, -1), add_months(this_month, -2)


def _at(month: date) -> datetime:
    return datetime(month.year, month.month, 15, 12, 0, tzinfo=ZoneInfo(settings.TIME_ZONE))


def register(cast: Cast, site, when: datetime | None, themes, *, people: int = 1, **fields):
    data = question_services.ContactInput(
        channel="walk_in",
        duration="lt15",
        questions=[
            question_services.QuestionInput(theme=theme, outcome=Outcome.SOLVED) for theme in themes
        ],
        occurred_at=when,
        people=people,
        **fields,
    )
    return question_services.contact_register(actor=cast.platform_admin, site=site, data=data)


@pytest.fixture
def themes():
    return factories.theme("eid-itsme"), factories.theme("banking")


@pytest.fixture
def seeded(cast, themes):
    """This period (last month): 3 contacts, 5 questions (eID 3, banking 2), all in Gent.
    The period before: 2 contacts, 2 questions (eID 1 in Gent, banking 1 in Aalst)."""
    eid, banking = themes
    current, before = _months()
    register(cast, cast.gent_a, _at(current), [eid, banking], people=2)
    register(cast, cast.gent_b, _at(current), [eid])
    register(cast, cast.gent_a, _at(before), [eid])
    register(cast, cast.aalst, _at(before), [banking])
    rollups.refresh()
    return current, before


def dashboard(client, lang: str = "en", **query: str):
    return client.get(url("insights:dashboard", lang), query)


def _period(current: date) -> dict[str, str]:
    return {"from": f"{current:%Y-%m}", "to": f"{current:%Y-%m}"}


def _row(page: str, label: str) -> tuple[str, str]:
    match = re.search(
        rf'<th scope="row">{re.escape(label)}</th><td class="number">([^<]*)</td>'
        r'<td class="number">([^<]*)</td>',
        page,
    )
    assert match, f"no row {label!r}"
    return match[1], match[2]


# --- the figures -------------------------------------------------------------------------------


def test_the_analyst_sees_the_network_this_period_beside_the_period_before(cast, seeded, themes):
    current, _before = seeded
    response = dashboard(signed_in(cast.analyst), scope="network", **_period(current))

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    page = text(response)
    assert _row(page, CONTACTS) == ("3", "2")
    assert _row(page, QUESTIONS) == ("5", "2")
    result = response.context["figures"]
    assert result.headline("contacts").current == 3
    assert result.headline("contacts").previous == 2
    assert result.headline("contacts").change == 50
    eid, banking = themes
    assert {row[0]: row[1:] for row in result.table("themes").rows} == {
        eid.name_en: (3, 1),
        banking.name_en: (2, 1),
    }


def test_without_months_the_last_twelve_whole_months_are_shown(cast, seeded):
    response = dashboard(signed_in(cast.analyst))

    assert response.status_code == 200
    # Both months are among the last twelve: 5 contacts this period, none before.
    assert _row(text(response), CONTACTS) == ("5", "0")


def test_a_site_scope_counts_that_site_only(cast, seeded):
    current, _before = seeded
    response = dashboard(
        signed_in(cast.analyst), scope=f"site:{cast.gent_a.pk}", **_period(current)
    )

    assert _row(text(response), CONTACTS) == ("2", "1")


# --- who sees which scope ----------------------------------------------------------------------


def test_the_organisation_admin_sees_their_organisation_and_its_sites(cast, seeded):
    current, _before = seeded
    client = signed_in(cast.org_admin)

    default = dashboard(client, **_period(current))
    assert default.status_code == 200
    assert default.context["scope"].code == f"organisation:{cast.gent.pk}"
    assert _row(text(default), CONTACTS) == ("3", "1")
    own = (f"organisation:{cast.gent.pk}", f"site:{cast.gent_a.pk}", f"site:{cast.gent_b.pk}")
    for scope in own:
        assert dashboard(client, scope=scope).status_code == 200, scope
    menu = re.search(r'<select name="scope".*?</select>', text(default), flags=re.S)[0]
    offered = set(re.findall(r'<option value="([^"]+)"', menu))
    assert offered == {
        f"organisation:{cast.gent.pk}",
        f"site:{cast.gent_a.pk}",
        f"site:{cast.gent_b.pk}",
    }


@pytest.mark.parametrize(
    "scope",
    [
        lambda cast: f"organisation:{cast.aalst_org.pk}",
        lambda cast: f"site:{cast.aalst.pk}",
        lambda cast: "network",
        lambda cast: f"municipality:{cast.gent_a.municipality_id}",
        lambda cast: f"province:{cast.gent_a.municipality.province_id}",
    ],
    ids=["other-organisation", "other-site", "network", "municipality", "province"],
)
def test_a_scope_outside_the_organisation_admins_is_a_404(cast, scope):
    response = dashboard(signed_in(cast.org_admin), scope=scope(cast))

    assert response.status_code == 404


@pytest.mark.parametrize("role", ["volunteer", "referrer", "outsider"])
def test_someone_without_the_figures_right_is_refused(cast, role):
    person = cast.by_role()[role]

    assert dashboard(signed_in(person)).status_code == 403
    assert dashboard(signed_in(person), scope=f"site:{cast.gent_a.pk}").status_code == 403


def test_anonymous_is_sent_to_sign_in(cast, client):
    response = dashboard(client)

    assert response.status_code == 302
    assert url("accounts:login") in response.url


@pytest.mark.parametrize(
    "scope",
    [
        "site:abc",
        "region:",
        "network:1",
        "organisation:",
        "site:-1",
        "site:99999",
        "planet:3",
        ":",
        "site:\u00b2",  # a superscript two: a digit to str.isdigit, not to int()
        "region:\x00",
        "municipality:1100",
        "orgonly:1",
    ],
)
def test_a_garbage_scope_is_a_404_not_an_error(cast, scope):
    assert dashboard(signed_in(cast.analyst), scope=scope).status_code == 404


# --- downloads ---------------------------------------------------------------------------------


def test_the_themes_table_downloads_as_csv_with_the_figures_of_the_page(cast, seeded, themes):
    current, _before = seeded
    response = dashboard(
        signed_in(cast.analyst), scope="network", export="csv", table="themes", **_period(current)
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert ".csv" in response["Content-Disposition"]
    body = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0] == ["Theme", "This period", "Period before"]
    assert {row[0]: row[1:] for row in rows[1:]} == {
        themes[0].name_en: ["3", "1"],
        themes[1].name_en: ["2", "1"],
    }


def test_the_themes_table_downloads_as_xlsx_with_the_same_figures(cast, seeded, themes):
    current, _before = seeded
    response = dashboard(
        signed_in(cast.analyst), scope="network", export="xlsx", table="themes", **_period(current)
    )

    assert response.status_code == 200
    assert ".xlsx" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [tuple(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == ("Theme", "This period", "Period before")
    assert {row[0]: row[1:] for row in rows[1:]} == {
        themes[0].name_en: (3, 1),
        themes[1].name_en: (2, 1),
    }


def test_the_headlines_download_as_on_the_page(cast, seeded):
    current, _before = seeded
    client = signed_in(cast.analyst)
    response = dashboard(
        client, scope="network", export="csv", table="headlines", **_period(current)
    )

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [CONTACTS, "3", "2"] in rows


@pytest.mark.parametrize(
    "query", [{"export": "csv", "table": "nope"}, {"export": "pdf", "table": "themes"}]
)
def test_an_unknown_table_or_format_is_a_404(cast, seeded, query):
    assert dashboard(signed_in(cast.analyst), scope="network", **query).status_code == 404


def test_an_organisation_admin_cannot_download_another_organisations_figures(cast, seeded):
    response = dashboard(
        signed_in(cast.org_admin), scope=f"site:{cast.aalst.pk}", export="csv", table="themes"
    )

    assert response.status_code == 404


# --- the month form ----------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_a_month_that_does_not_exist_is_explained_and_kept(cast, seeded, lang):
    response = dashboard(signed_in(cast.analyst), lang, **{"from": "2026-13", "to": "2026-12"})

    assert response.status_code == 200
    page = text(response)
    with translation.override(lang):
        message = gettext("Write a month as year-month, for example 2026-01.")
        notice = gettext(
            "These months cannot be shown. Change them and try again. Below are the last 12 months."
        )
    assert message in page
    assert notice in page
    assert re.search(r'<input[^>]*name="from"[^>]*value="2026-13"', page)
    assert 'aria-invalid="true"' in page
    # The last 12 months are shown instead.
    assert _row(page, gettext_in(lang, CONTACTS)) == ("5", "0")


def gettext_in(lang: str, message: str) -> str:
    with translation.override(lang):
        return gettext(message)


def test_a_last_month_before_the_first_is_explained_and_kept(cast, seeded):
    response = dashboard(signed_in(cast.analyst), **{"from": "2026-05", "to": "2026-02"})

    assert response.status_code == 200
    page = text(response)
    assert "The last month comes before the first." in page
    assert re.search(r'<input[^>]*name="to"[^>]*value="2026-02"', page)
    assert re.search(r'<input[^>]*name="from"[^>]*value="2026-05"', page)


@pytest.mark.parametrize(
    "months",
    [
        {"from": "garbage", "to": ""},
        {"from": "1999-01", "to": "1999-02"},
        {"from": "2020-01", "to": "2026-01"},  # more than 36 months
        {"from": "2026-00"},
        {"to": "99999-1"},
    ],
)
def test_no_month_input_makes_an_error_page(cast, months):
    response = dashboard(signed_in(cast.analyst), **months)

    assert response.status_code == 200
    assert 'role="alert"' in text(response)


def test_only_one_month_given_is_fine(cast, seeded):
    current, before = seeded
    response = dashboard(signed_in(cast.analyst), **{"from": f"{before:%Y-%m}"})

    assert response.status_code == 200
    assert 'role="alert"' not in text(response)
    # From the month before last up to last month (not beyond the last whole month).
    assert response.context["period"].first == before
    assert response.context["period"].last == current


# --- a partnership's Digibank tiers ------------------------------------------------------------


def test_a_partnership_shows_the_users_reached_and_the_tier(cast, themes):
    eid, _banking = themes
    today = timezone.localdate()
    current, _before = _months()
    partnership = Partnership.objects.create(name="Digibank Gent", kind=Partnership.Kind.DIGIBANK)
    partnership.organisations.add(cast.gent)
    tiered = funding_helpers.programme(
        "Digibanken tiers",
        starts_on=today - timedelta(days=400),
        ends_on=today + timedelta(days=365),
        tiers=[{"users": 2, "amount": "1000"}, {"users": 5, "amount": "2000"}],
    )
    funding_helpers.grant(
        cast.gent,
        item=tiered,
        starts_on=tiered.starts_on,
        ends_on=tiered.ends_on,
    )
    # Counted: two first visits without a card, one new visitor card, one new borrower.
    register(cast, cast.gent_a, _at(current), [eid], people=2, first_visit=True)
    (code,) = question_services.visitor_codes_issue(
        actor=cast.org_admin, organisation=cast.gent, count=1
    )
    register(cast, cast.gent_b, _at(current), [eid], visitor_code=code.code)
    # Not counted: someone coming back without a card; a first visit outside the partnership.
    register(cast, cast.gent_a, _at(current), [eid], first_visit=False)
    register(cast, cast.aalst, _at(current), [eid], first_visit=True)
    site = cast.gent_a
    lending_helpers.lend(
        cast.org_admin,
        site,
        lending_helpers.device(site, tag="TIER-1"),
        lending_helpers.borrower(site, name="Lena Lener"),
    )
    rollups.refresh()

    response = dashboard(signed_in(cast.analyst), scope=f"partnership:{partnership.pk}")

    assert response.status_code == 200
    (reach,) = response.context["reach"]
    assert (reach.uncoded, reach.visitors, reach.borrowers) == (2, 1, 1)
    assert reach.users == 4
    page = " ".join(text(response).split())
    assert "4 users reached from" in page
    assert "Tier 1 reached (2 users: € 1,000)." in page
    # 5 users for the next tier: one more.
    assert "1 more user to the next tier (5)." in page
    # Half way from tier 1 (2 users) to tier 2 (5): (4 - 2) / (5 - 2) = 66 %.
    assert 'max="100" value="66"' in page
    assert "Of which: 1 visitor cards, 2 first visits without a card, 1 borrowers." in page

    # The organisation admin of a member sees it too; the other organisation's coordinator not.
    assert (
        dashboard(signed_in(cast.org_admin), scope=f"partnership:{partnership.pk}").status_code
        == 200
    )
    assert (
        dashboard(
            signed_in(cast.other_coordinator), scope=f"partnership:{partnership.pk}"
        ).status_code
        == 404
    )


def test_a_partnership_without_a_tiered_programme_shows_no_tiers(cast):
    partnership = Partnership.objects.create(name="Samen digitaal", kind=Partnership.Kind.OTHER)
    partnership.organisations.add(cast.gent)
    funding_helpers.grant(cast.gent, item=funding_helpers.programme("Plain"))
    assert Programme.objects.get(name="Plain").tiers == []

    response = dashboard(signed_in(cast.analyst), scope=f"partnership:{partnership.pk}")

    assert response.status_code == 200
    assert response.context["reach"] == []
    assert 'id="tiers"' not in text(response)


# --- charts and the impact estimate ------------------------------------------------------------


def test_every_chart_has_a_text_alternative_and_its_table_after_it(cast, seeded):
    current, _before = seeded
    page = text(dashboard(signed_in(cast.analyst), scope="network", **_period(current)))

    figures = re.findall(r'<figure class="evidence".*?</figure>', page, flags=re.S)
    charts = [figure for figure in figures if "<svg" in figure]
    assert len(charts) >= 3  # months, themes, outcomes at least
    for figure in charts:
        svg = re.search(r"<svg[^>]*>", figure)[0]
        assert 'role="img"' in svg
        labelled = re.search(r'aria-labelledby="([^"]+)"', svg)
        assert labelled, svg
        for ident in labelled[1].split():
            assert f'id="{ident}"' in figure
        assert re.search(r"<svg.*?<title[^>]*>[^<]+</title>", figure, flags=re.S)
        assert "<desc" in figure
        assert figure.index("</svg>") < figure.index("<table")
    # No chart outside its figure.
    assert page.count('role="img"') == sum(f.count('role="img"') for f in figures)


def test_the_impact_estimate_says_it_is_an_estimate_and_where_the_ratio_comes_from(cast, seeded):
    current, _before = seeded
    funding_helpers.grant(
        cast.gent,
        starts_on=current - timedelta(days=365),
        ends_on=current + timedelta(days=365),
        amount="7310.00",
    )

    response = dashboard(signed_in(cast.analyst), scope="network", **_period(current))

    page = " ".join(text(response).split())
    assert "Impact: an estimate" in page
    assert "This is an estimate, not a measured result." in page
    assert settings.IMPACT_RETURN_SOURCE in page
    if settings.IMPACT_RETURN_URL:
        assert f'href="{settings.IMPACT_RETURN_URL}"' in page
    estimate = response.context["impact"]
    assert estimate.spent > 0
    assert estimate.contacts == 3
    assert f"{estimate.ratio} euro for each euro" in page


def test_the_impact_estimate_shows_grants_only_to_who_may_read_them(cast, seeded):
    # A site's or a partnership's share of the grants would reveal grants of organisations the
    # reader may not see: the estimate is for network-wide readers and an organisation's own.
    current, _before = seeded
    funding_helpers.grant(
        cast.gent,
        starts_on=current - timedelta(days=365),
        ends_on=current + timedelta(days=365),
    )
    partnership = Partnership.objects.create(name="Digibank Test", kind="digibank")
    partnership.organisations.add(cast.gent, cast.aalst_org)

    def shown(person, scope):
        response = dashboard(signed_in(person), scope=scope, **_period(current))
        assert response.status_code == 200
        return response.context["impact"] is not None

    assert shown(cast.analyst, f"site:{cast.gent_a.pk}")
    assert shown(cast.org_admin, f"organisation:{cast.gent.pk}")
    assert not shown(cast.org_admin, f"partnership:{partnership.pk}")
    assert not shown(cast.coordinator, f"site:{cast.gent_a.pk}")
