"""Finding the borrower at the desk: by part of a name, a phone number typed any way, or an
email; all of them listed when the organisation has few; never another organisation's."""

from __future__ import annotations

import pytest

from lending.selectors import BORROWERS_LISTED, borrowers_matching
from tests.cast import signed_in, text, url
from tests.lending.helpers import borrower, device

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "query",
    ["peet", "PEETERS", "0470 12 34 56", "+32 470 123 456", "470123", "marie.p@example"],
)
def test_a_borrower_is_found_by_name_phone_or_email(cast, query):
    marie = borrower(cast.gent_a, "Marie Peeters", email="marie.p@example.org")
    borrower(cast.gent_a, "Jan Janssens", phone="+32486000111")
    borrower(cast.aalst, "Marie Peeters van Aalst")

    assert borrowers_matching(cast.gent, query) == [marie]


def test_few_borrowers_are_all_listed_and_many_ask_for_a_search(cast):
    for n in range(BORROWERS_LISTED):
        borrower(cast.gent_a, f"Lener {n:02d}")
    assert len(borrowers_matching(cast.gent, "")) == BORROWERS_LISTED

    borrower(cast.gent_a, "Eén te veel")
    assert borrowers_matching(cast.gent, "") == []
    assert len(borrowers_matching(cast.gent, "Lener")) == BORROWERS_LISTED


def test_the_lending_page_searches_and_lends_to_the_one_found(cast):
    device(cast.gent_a, "LAP-001")
    for n in range(BORROWERS_LISTED + 1):
        borrower(cast.gent_a, f"Lener {n:02d}")
    wanted = borrower(cast.gent_a, "Fatima El Amrani")
    client = signed_in(cast.volunteer)
    page = url("lending:checkout", site_id=cast.gent_a.pk)

    first = text(client.get(page, {"tag": "LAP-001"}))
    assert "Type part of the borrower" in first
    assert "Lener 03" not in first

    found = client.get(page, {"tag": "LAP-001", "q": "amrani"})
    html = found.content.decode()
    assert "Fatima El Amrani" in text(found)
    assert f'value="{wanted.pk}"' in html
    assert "Lener 03" not in text(found)

    nothing = text(client.get(page, {"tag": "LAP-001", "q": "zzz"}))
    assert "No borrower matches “zzz”." in nothing

    lent = client.post(
        page, {"tag": "LAP-001", "borrower": wanted.pk, "agreement": "on", "q": "amrani"}
    )
    assert lent.status_code == 200
    assert wanted.loans.count() == 1


def test_another_organisations_borrower_cannot_be_chosen(cast):
    device(cast.gent_a, "LAP-001")
    theirs = borrower(cast.aalst, "Van Aalst")
    client = signed_in(cast.volunteer)

    refused = client.post(
        url("lending:checkout", site_id=cast.gent_a.pk),
        {"tag": "LAP-001", "borrower": theirs.pk, "agreement": "on"},
    )

    assert refused.status_code == 400
    assert "Choose one of the borrowers listed." in text(refused)
    assert theirs.loans.count() == 0
