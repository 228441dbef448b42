"""Visitor cards through the pages: make them, print them, reload without making new ones."""

from __future__ import annotations

import re

import pytest

from audit.models import AuditEntry
from questions import visitor_codes
from questions.models import VisitorCode
from tests.cast import signed_in, text, url

pytestmark = pytest.mark.django_db


def cards_url(site) -> str:
    return url("questions:visitor-codes", site_id=site.pk)


def token_of(html: str) -> str:
    return re.search(r'name="form_token" value="([0-9a-f]+)"', html)[1]


def test_the_form_proposes_ten_cards(cast):
    html = text(signed_in(cast.coordinator).get(cards_url(cast.gent_a)))

    assert 'name="count" value="10"' in html
    assert "no name is ever stored with the code" in html


def test_a_coordinator_makes_cards_for_the_organisation_and_gets_a_page_to_print(cast):
    client = signed_in(cast.coordinator)
    token = token_of(text(client.get(cards_url(cast.gent_a))))

    response = client.post(cards_url(cast.gent_a), {"count": "3", "form_token": token})

    assert response.status_code == 302
    assert response.url == f"{cards_url(cast.gent_a)}?print={token}"
    page = client.get(response.url)
    html = text(page)
    codes = list(VisitorCode.objects.filter(organisation=cast.gent).values_list("code", flat=True))
    assert len(codes) == 3
    shown = re.findall(r'<p class="card-code">([0-9A-Z-]+)</p>', html)
    assert sorted(shown) == sorted(visitor_codes.display(code) for code in codes)
    assert html.count("<svg") == 3
    assert html.count("Show this card at a Digipunt. It does not say who you are.") == 3
    assert AuditEntry.objects.get(action="visitor_codes.issue").changes["count"] == 3


def test_reloading_or_resending_shows_the_same_cards_without_making_new_ones(cast):
    client = signed_in(cast.coordinator)
    token = token_of(text(client.get(cards_url(cast.gent_a))))
    first = client.post(cards_url(cast.gent_a), {"count": "2", "form_token": token})

    again = client.post(cards_url(cast.gent_a), {"count": "2", "form_token": token})
    reloaded = client.get(first.url)

    assert again.url == first.url
    assert VisitorCode.objects.count() == 2
    assert text(reloaded).count('class="card-code"') == 2


def test_a_wrong_number_of_cards_is_refused_and_kept(cast):
    response = signed_in(cast.coordinator).post(
        cards_url(cast.gent_a), {"count": "500", "form_token": "abc"}
    )

    html = text(response)
    assert response.status_code == 200
    assert "Enter a number from 1 to 200." in html
    assert 'name="count" value="500"' in html
    assert VisitorCode.objects.count() == 0


def test_someone_elses_cards_cannot_be_opened(cast):
    owner = signed_in(cast.coordinator)
    token = token_of(text(owner.get(cards_url(cast.gent_a))))
    printed = owner.post(cards_url(cast.gent_a), {"count": "2", "form_token": token}).url

    html = text(signed_in(cast.org_admin).get(printed))

    assert 'class="card-code"' not in html
    assert "Those cards are no longer here." in html


def test_a_volunteer_may_not_make_cards(cast):
    response = signed_in(cast.volunteer).post(cards_url(cast.gent_a), {"count": "2"})

    assert response.status_code == 403
    assert VisitorCode.objects.count() == 0
