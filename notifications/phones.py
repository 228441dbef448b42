"""Phone numbers of residents: read as people type them, stored as E.164, shown as dialled.

One place for appointments and referrals (and later lending), so a number typed for one is
accepted and shown the same way everywhere, and the SMS backend gets what it expects.
"""

from __future__ import annotations

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def normalise_phone(text: str) -> str:
    """A Belgian or international phone number as E.164 (+32470123456), or ValidationError on
    `phone`.

    Accepts the usual spellings: 0470 12 34 56, 0470/12.34.56, +32 470 12 34 56, 0032470123456.
    """
    message = _(
        "This is not a phone number we can use. Write it like 0470 12 34 56 or +32 470 12 34 56."
    )
    try:
        number = phonenumbers.parse(text, "BE")
    except phonenumbers.NumberParseException:
        raise ValidationError({"phone": message}, code="invalid_phone") from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError({"phone": message}, code="invalid_phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def can_receive_sms(phone: str) -> bool:
    """Whether a stored (E.164) number can get a text message: not a landline."""
    try:
        number = phonenumbers.parse(phone, "BE")
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.number_type(number) != phonenumbers.PhoneNumberType.FIXED_LINE


def display_phone(e164: str) -> str:
    """+32470123456 as people write it: 0470 12 34 56 (Belgian), +33 6 12 34 56 78 (other)."""
    try:
        number = phonenumbers.parse(e164, "BE")
    except phonenumbers.NumberParseException:
        return e164
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if number.country_code == 32
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, style)
