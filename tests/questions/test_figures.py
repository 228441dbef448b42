"""Site figures: the counts on a known set of contacts, the period, the page, the CSV and who may
see them. Pages are read in English (the source language) unless a test is about another one."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode

from network.models import Site, Theme
from questions.figures import site_figures
from questions.models import Contact, Question, VisitorCode
from tests.cast import sign_in, text, url
from tests.questions.registration import concern, theme

pytestmark = pytest.mark.django_db

APRIL = {"from": "2026-04-01", "to": "2026-04-30"}


def contact(site: Site, day: date, *questions: dict[str, Any], **fields: Any) -> Contact:
    """A contact on `day` (straight into the database: figures only read) with its questions;
    one solved eID question when none are given."""
    moment = timezone.make_aware(datetime.combine(day, time(10, 0)))
    made = Contact.objects.create(
        site=site,
        occurred_at=moment,
        day=day,
        channel=fields.pop("channel", "walk_in"),
        duration=fields.pop("duration", "15-30"),
        **fields,
    )
    for question in questions or ({},):
        Question.objects.create(
            contact=made,
            site=site,
            day=day,
            theme=theme(question.get("theme", "eid-itsme")),
            concern=concern(question["concern"]) if question.get("concern") else None,
            outcome=question.get("outcome", "solved"),
            referred_to=question.get("referred_to", ""),
        )
    return made


@pytest.fixture
def april(cast) -> dict[str, Any]:
    """A known April at Gent A, and contacts that must not be counted around it."""
    gent = cast.gent_a
    card = VisitorCode.objects.create(code="7K3M9QXA", organisation=cast.gent)
    other_card = VisitorCode.objects.create(code="7K3M9QXB", organisation=cast.gent)
    contact(
        gent,
        date(2026, 4, 1),
        {"theme": "eid-itsme", "concern": "itsme"},
        {"theme": "taxes", "concern": "myminfin", "outcome": "referred", "referred_to": "ocmw"},
        visitor=card,
        first_visit=True,
        note="Came back for the tax letter",
    )
    contact(gent, date(2026, 4, 15), {"theme": "eid-itsme"}, visitor=card, channel="phone")
    contact(
        gent,
        date(2026, 4, 30),
        {"theme": "banking", "concern": "bank-app", "outcome": "follow_up"},
        visitor=other_card,
        first_visit=False,
        duration="gt60",
    )
    contact(
        gent, date(2026, 4, 30), {"outcome": "referred", "referred_to": "caw"}, first_visit=True
    )
    # Outside the period, or at another site: never in April's figures of Gent A.
    contact(gent, date(2026, 3, 31))
    contact(gent, date(2026, 5, 1))
    contact(cast.gent_b, date(2026, 4, 10))
    contact(cast.aalst, date(2026, 4, 10))
    return {"site": gent}


def counts(breakdown) -> dict[str, int]:
    return {row.code: row.count for row in breakdown.rows}


def figures_url(site: Site, **query: str) -> str:
    base = url("questions:figures", site_id=site.pk)
    return f"{base}?{urlencode(query)}" if query else base


def csv_url(site: Site, **query: str) -> str:
    return f"{url('questions:figures-csv', site_id=site.pk)}?{urlencode(query)}"


def table(html: str, caption: str) -> dict[str, str]:
    """The rows of the table with this caption: row header -> first number cell."""
    found = re.search(rf"<caption>{re.escape(caption)}</caption>(.*?)</table>", html, re.S)
    assert found, caption
    rows = re.findall(r'<th scope="row">(.*?)</th>\s*<td class="number">([^<]*)</td>', found[1])
    return dict(rows)


# --- the counts ------------------------------------------------------------------------------


def test_figures_count_contacts_questions_visitor_codes_and_first_visits(april):
    figures = site_figures(
        site_ids=[april["site"].pk], date_from=date(2026, 4, 1), date_to=date(2026, 4, 30)
    )

    assert figures.contacts == 4
    assert figures.questions == 5
    assert figures.visitor_codes == 2  # one card came twice: counted once
    assert figures.first_visits == 2


def test_questions_are_counted_by_theme_concern_outcome_and_partner(april):
    with translation.override("en"):
        figures = site_figures(
            site_ids=[april["site"].pk], date_from=date(2026, 4, 1), date_to=date(2026, 4, 30)
        )

    themes = counts(figures.breakdown("theme"))
    assert themes["eid-itsme"] == 3
    assert themes["taxes"] == 1
    assert themes["banking"] == 1
    assert sum(themes.values()) == 5
    assert figures.breakdown("theme").rows[0].code == "eid-itsme"  # the most asked first
    concerns = counts(figures.breakdown("concern"))
    assert concerns["itsme"] == 1
    assert concerns["myminfin"] == 1
    assert concerns["bank-app"] == 1
    assert concerns[""] == 2  # "not given"
    assert figures.breakdown("concern").rows[-1].label == "Not given"
    assert counts(figures.breakdown("outcome")) == {
        "solved": 2,
        "partly": 0,
        "referred": 2,
        "follow_up": 1,
    }
    partners = counts(figures.breakdown("referred_to"))
    assert partners["ocmw"] == 1
    assert partners["caw"] == 1
    assert sum(partners.values()) == 2


def test_contacts_are_counted_by_channel_and_duration_with_every_option_shown(april):
    figures = site_figures(
        site_ids=[april["site"].pk], date_from=date(2026, 4, 1), date_to=date(2026, 4, 30)
    )

    assert counts(figures.breakdown("channel")) == {
        "walk_in": 3,
        "appointment": 0,
        "phone": 1,
        "home_visit": 0,
        "mobile": 0,
        "video": 0,
    }
    assert counts(figures.breakdown("duration")) == {"lt15": 0, "15-30": 3, "30-60": 0, "gt60": 1}


def test_a_period_includes_its_first_and_last_day_and_nothing_around_them(cast):
    for day in (date(2026, 3, 31), date(2026, 4, 1), date(2026, 4, 30), date(2026, 5, 1)):
        contact(cast.gent_a, day)

    def total(start: date, end: date) -> int:
        return site_figures(site_ids=[cast.gent_a.pk], date_from=start, date_to=end).contacts

    assert total(date(2026, 4, 1), date(2026, 4, 30)) == 2
    assert total(date(2026, 4, 1), date(2026, 4, 1)) == 1
    assert total(date(2026, 4, 2), date(2026, 4, 29)) == 0
    assert total(date(2026, 3, 31), date(2026, 5, 1)) == 4


def test_a_short_period_is_shown_per_week_and_a_long_one_per_month(april):
    site_ids = [april["site"].pk]
    short = site_figures(site_ids=site_ids, date_from=date(2026, 4, 1), date_to=date(2026, 4, 30))
    long = site_figures(site_ids=site_ids, date_from=date(2026, 1, 1), date_to=date(2026, 6, 30))

    weeks = counts(short.breakdown("contacts_per_week"))
    assert list(weeks)[:2] == ["2026-W14", "2026-W15"]  # 1 April 2026 is a Wednesday of week 14
    assert weeks["2026-W14"] == 1
    assert weeks["2026-W16"] == 1
    assert weeks["2026-W18"] == 2
    assert sum(weeks.values()) == 4
    assert sum(counts(short.breakdown("questions_per_week")).values()) == 5
    months = counts(long.breakdown("contacts_per_month"))
    assert months == {
        "2026-01": 0,
        "2026-02": 0,
        "2026-03": 1,
        "2026-04": 4,
        "2026-05": 1,
        "2026-06": 0,
    }


# --- the page --------------------------------------------------------------------------------


def test_the_page_says_the_totals_in_plain_words_and_shows_a_table_per_breakdown(cast, april):
    response = sign_in(Client(), cast.coordinator).get(figures_url(cast.gent_a, **APRIL))

    html = text(response)
    assert response.status_code == 200
    assert "From 1 April 2026 to 30 April 2026" in html
    assert "4 people helped with 5 questions." in html
    assert "2 different people showed a visitor card" in html
    assert "2 people came here for the first time." in html
    assert table(html, "Questions by theme")["eID and itsme"] == "3"
    assert table(html, "Questions by organisation or app")["Not given"] == "2"
    assert table(html, "Contacts by channel")["Phone"] == "1"
    assert table(html, "Referred questions by kind of partner")["CAW (general welfare work)"] == "1"
    assert '<th scope="col"' in html
    assert "tax letter" not in html  # notes are never shown in figures


def test_names_follow_the_language_of_the_page(cast, april):
    with translation.override("fr"):
        address = reverse("questions:figures", kwargs={"site_id": cast.gent_a.pk})
    html = text(sign_in(Client(), cast.coordinator).get(address, APRIL))

    assert "Impôts (MyMinfin, Tax-on-web)" in html


def test_without_dates_the_page_shows_the_current_month_so_far(cast):
    today = timezone.localdate()
    contact(cast.gent_a, today)
    contact(cast.gent_a, today.replace(day=1) - timedelta(days=1))  # last month

    html = text(sign_in(Client(), cast.coordinator).get(figures_url(cast.gent_a)))

    assert f'value="{today.replace(day=1).isoformat()}"' in html
    assert f'value="{today.isoformat()}"' in html
    assert "1 person helped with 1 question." in html


def test_the_quick_links_choose_this_month_last_month_and_this_year(cast):
    today = timezone.localdate()
    last_month_end = today.replace(day=1) - timedelta(days=1)

    html = text(sign_in(Client(), cast.coordinator).get(figures_url(cast.gent_a)))

    assert f'href="?from={today.replace(day=1)}&to={today}">This month' in html
    assert f'href="?from={last_month_end.replace(day=1)}&to={last_month_end}">Last month' in html
    assert f'href="?from={today.replace(month=1, day=1)}&to={today}">This year' in html


def test_a_period_without_contacts_says_so(cast):
    html = text(sign_in(Client(), cast.coordinator).get(figures_url(cast.gent_a, **APRIL)))

    assert "No one was registered as helped in this period." in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"from": "2026-04-30", "to": "2026-04-01"}, "The end date is before the start date."),
        ({"from": "2023-01-01", "to": "2026-04-01"}, "Choose a period of at most two years."),
        ({"from": "2026-13-01", "to": "2026-04-01"}, "Enter a valid date."),
        ({"from": "yesterday", "to": ""}, "This field is required."),
    ],
)
def test_dates_that_are_not_a_period_give_a_message_and_keep_what_was_typed(cast, query, message):
    response = sign_in(Client(), cast.coordinator).get(figures_url(cast.gent_a, **query))

    html = text(response)
    assert response.status_code == 200
    assert "These dates cannot be counted." in html
    assert message in html
    assert f'value="{query["from"]}"' in html
    assert "<table" not in html


def test_two_whole_years_are_one_period(cast):
    query = {"from": "2024-01-01", "to": "2025-12-31"}
    html = text(sign_in(Client(), cast.coordinator).get(figures_url(cast.gent_a, **query)))

    assert "These dates cannot be counted." not in html
    assert "Contacts per month" in html


def test_the_page_takes_a_fixed_number_of_queries(cast, april, django_assert_max_num_queries):
    client = sign_in(Client(), cast.coordinator)
    client.get(figures_url(cast.gent_a, **APRIL))  # the session's first write is not the page's

    # Measured: session and user (2), the two-factor check (1), the site and the right to see
    # its figures (2), the figures (6), whether the person works at the site (1). The period
    # (a whole year here) and the number of contacts change none of them.
    with django_assert_max_num_queries(12):
        response = client.get(
            figures_url(cast.gent_a, **{"from": "2025-05-01", "to": "2026-04-30"})
        )
    assert response.status_code == 200


# --- the CSV ---------------------------------------------------------------------------------


def read_csv(response) -> list[dict[str, str]]:
    content = response.content.decode("utf-8")
    assert content.startswith("\ufeff")  # so that Excel reads the accents right
    return list(csv.DictReader(io.StringIO(content[1:])))


def test_the_csv_holds_every_count_in_tidy_long_format(cast, april):
    response = sign_in(Client(), cast.coordinator).get(csv_url(cast.gent_a, **APRIL))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    slug = cast.gent_a.slug
    assert response["Content-Disposition"] == (
        f'attachment; filename="figures-{slug}-2026-04-01-2026-04-30.csv"'
    )
    rows = read_csv(response)
    assert list(rows[0]) == ["dimension", "code", "label", "count"]
    found = {(row["dimension"], row["code"]): row for row in rows}
    assert found[("total", "contacts")]["count"] == "4"
    assert found[("total", "questions")]["count"] == "5"
    assert found[("total", "visitor_codes")]["count"] == "2"
    assert found[("theme", "eid-itsme")]["count"] == "3"
    assert found[("theme", "eid-itsme")]["label"] == "eID and itsme"
    assert found[("concern", "")]["label"] == "Not given"
    assert found[("outcome", "referred")]["count"] == "2"
    assert found[("referred_to", "ocmw")]["count"] == "1"
    assert found[("channel", "phone")]["count"] == "1"
    assert found[("duration", "gt60")]["count"] == "1"
    assert found[("contacts_per_week", "2026-W18")]["count"] == "2"
    assert "tax letter" not in response.content.decode()


def test_the_csv_labels_keep_their_accents(cast, april):
    with translation.override("fr"):
        address = reverse("questions:figures-csv", kwargs={"site_id": cast.gent_a.pk})
    rows = read_csv(sign_in(Client(), cast.coordinator).get(address, APRIL))

    labels = {row["code"]: row["label"] for row in rows if row["dimension"] == "theme"}
    assert labels["taxes"] == "Impôts (MyMinfin, Tax-on-web)"


def test_a_csv_of_dates_that_are_not_a_period_is_a_400_that_says_why(cast):
    response = sign_in(Client(), cast.coordinator).get(
        csv_url(cast.gent_a, **{"from": "2026-04-30", "to": "2026-04-01"})
    )

    assert response.status_code == 400
    assert "The end date is before the start date." in response.content.decode()


# --- who may see them ------------------------------------------------------------------------


def test_a_volunteer_may_not_see_the_figures_of_their_own_site(cast):
    client = sign_in(Client(), cast.volunteer)

    assert client.get(figures_url(cast.gent_a)).status_code == 403
    assert client.get(csv_url(cast.gent_a, **APRIL)).status_code == 403


# The role matrix has no `other_org` for these pages (the analyst sees every site), so this
# test checks another organisation's site role by role.
@pytest.mark.parametrize("role", ["volunteer", "coordinator", "org_admin", "referrer", "outsider"])
@pytest.mark.parametrize("name", ["questions:figures", "questions:figures-csv"])
def test_figures_of_another_organisations_site_are_a_404(cast, role, name):
    client = sign_in(Client(), cast.by_role()[role])

    response = client.get(url(name, site_id=cast.aalst.pk), APRIL)

    assert response.status_code == 404


@pytest.mark.parametrize("name", ["questions:figures", "questions:figures-csv"])
def test_the_network_analyst_sees_the_figures_of_every_organisations_sites(cast, april, name):
    client = sign_in(Client(), cast.analyst)

    assert client.get(url(name, site_id=cast.aalst.pk), APRIL).status_code == 200
    assert client.get(url(name, site_id=cast.gent_a.pk), APRIL).status_code == 200


def test_the_analyst_gets_no_menu_link_to_a_site_page_they_cannot_open(cast):
    html = text(sign_in(Client(), cast.analyst).get(figures_url(cast.aalst)))

    assert f'href="{url("workspace:today", site_id=cast.aalst.pk)}"' not in html
    assert "Digipunt Aalst" in html


def test_a_name_that_looks_like_a_formula_is_not_run_by_a_spreadsheet(cast, april):
    # Theme and concern names are editable in the admin: a spreadsheet must show them as text.
    Theme.objects.filter(code="banking").update(name_en='=HYPERLINK("http://evil.example")')

    rows = read_csv(sign_in(Client(), cast.coordinator).get(csv_url(cast.gent_a, **APRIL)))

    [banking] = [row for row in rows if row["code"] == "banking"]
    assert banking["label"] == '\'=HYPERLINK("http://evil.example")'
