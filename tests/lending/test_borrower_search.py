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

    found = client.post(page, {"tag": "LAP-001", "q": "amrani", "find": "1"})
    html = found.content.decode()
    assert "Fatima El Amrani" in text(found)
    assert f'value="{wanted.pk}"' in html
    assert "Lener 03" not in text(found)

    nothing = text(client.post(page, {"tag": "LAP-001", "q": "zzz", "find": "1"}))
    # A search in the address is not read: names stay out of the logs.
    assert "Lener 03" not in text(client.get(page, {"tag": "LAP-001", "q": "Lener"}))
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


def test_the_lending_page_has_no_id_twice(cast):
    import re
    from collections import Counter

    device(cast.gent_a, "LAP-001")
    borrower(cast.gent_a)
    client = signed_in(cast.volunteer)

    lending = client.get(url("lending:checkout", site_id=cast.gent_a.pk), {"tag": "LAP-001"})
    # The desk leads to the device's page, which has the same two forms.
    device_page = client.get(
        url("lending:desk", site_id=cast.gent_a.pk), {"tag": "LAP-001"}, follow=True
    )
    for page in (lending, device_page):
        assert "Find the borrower" in text(page)
        ids = Counter(re.findall(r'\bid="([^"]+)"', page.content.decode()))
        assert [name for name, n in ids.items() if n > 1] == []


def test_a_borrowers_details_are_corrected_and_the_audit_names_no_one(cast):
    from audit.models import AuditEntry

    client = signed_in(cast.volunteer)
    client.post(
        url("lending:borrowers", site_id=cast.gent_a.pk),
        {
            "kind": "resident",
            "name": "Fatima El Amrani",
            "phone": "0470 12 34 56",
            "language": "nl",
        },
    )
    who = cast.gent.borrowers.get()
    page = url("lending:borrower", site_id=cast.gent_a.pk, borrower_id=who.pk)
    assert "Fatima El Amrani" in text(client.get(page))

    refused = client.post(page, {"kind": "resident", "name": "Fatima El Amrani", "language": "fr"})
    assert refused.status_code == 400
    assert "Give a phone number or an email address" in text(refused)

    saved = client.post(
        page,
        {
            "kind": "resident",
            "name": "Fatima El Amrani",
            "phone": "0486 11 22 33",
            "language": "fr",
        },
    )
    assert saved.status_code == 302
    who.refresh_from_db()
    assert (who.phone, who.language) == ("+32486112233", "fr")
    labels = " ".join(AuditEntry.objects.values_list("object_label", flat=True))
    assert "Fatima" not in labels
    entry = AuditEntry.objects.get(action="borrower.update")
    assert entry.changes == {"fields": ["language", "phone"]}
