"""Phone numbers of residents: the usual spellings in, E.164 stored, dialled form out."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from notifications.phones import can_receive_sms, display_phone, normalise_phone

pytestmark = pytest.mark.usefixtures("english")


@pytest.mark.parametrize(
    "typed",
    ["0470 12 34 56", "0470/12.34.56", "+32 470 12 34 56", "0032470123456", "+32(0)470123456"],
)
def test_the_usual_spellings_of_a_belgian_mobile_number_are_one_number(typed):
    assert normalise_phone(typed) == "+32470123456"


def test_a_foreign_number_with_its_country_code_is_kept():
    assert normalise_phone("+31 6 12345678") == "+31612345678"


@pytest.mark.parametrize("typed", ["12", "0470 12 34", "call me", "+32 470 12 34 56 78 90", ""])
def test_what_is_not_a_number_is_refused_at_the_phone_field(typed):
    with pytest.raises(ValidationError) as error:
        normalise_phone(typed)
    assert "Write it like 0470 12 34 56" in error.value.message_dict["phone"][0]


def test_a_landline_gets_no_text_message_and_a_mobile_does():
    assert can_receive_sms("+3292661111") is False  # a Gent landline
    assert can_receive_sms("+32470123456") is True


def test_numbers_are_shown_as_they_are_dialled():
    assert display_phone("+32470123456") == "0470 12 34 56"
    assert display_phone("+31612345678") == "+31 6 12345678"
    assert display_phone("not a number") == "not a number"
