"""How residents are reached: phone numbers read as people type them, stored as E.164, shown
as dialled; an email address checked beside it.

One place for appointments, referrals, lending and learning, so what is typed for one is
accepted and shown the same way everywhere, and the SMS backend gets what it expects.
"""

from __future__ import annotations

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
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


def clean_phone_and_email(
    errors: dict[str, list[str]], phone: str, email: str, *, neither: str
) -> tuple[str, str]:
    """The phone number (as E.164) and email address a resident can be reached at, stripped.

    At least one is needed (`neither` says why, in the caller's words); each that is given must
    be usable. Problems are added to `errors` under "phone" and "email"."""
    phone, email = phone.strip(), email.strip()
    if not phone and not email:
        errors.setdefault("phone", []).append(neither)
    if phone:
        try:
            phone = normalise_phone(phone)
        except ValidationError as error:
            errors.setdefault("phone", []).extend(error.message_dict["phone"])
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors.setdefault("email", []).append(
                _("This is not an email address. Write it like name@example.be.")
            )
    return phone, email


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


NAME_MAX_LENGTH = 120


def clean_person(
    errors: dict[str, list[str]],
    name: str,
    phone: str,
    email: str,
    *,
    missing_name: str,
    neither: str,
) -> tuple[str, str, str]:
    """A resident's name (one line, with a letter in it), and the phone number and email address
    they can be reached at (`clean_phone_and_email`). `missing_name` and `neither` say why each
    is needed, in the caller's words. Problems go to `errors` under "name", "phone", "email"."""
    name = " ".join((name or "").split())
    if not name:
        errors.setdefault("name", []).append(missing_name)
    elif len(name) > NAME_MAX_LENGTH:
        errors.setdefault("name", []).append(
            _("Keep the name under %(max)d characters.") % {"max": NAME_MAX_LENGTH}
        )
    elif not any(character.isalpha() for character in name):
        errors.setdefault("name", []).append(_("Write a name, not a number."))
    phone, email = clean_phone_and_email(errors, phone or "", email or "", neither=neither)
    return name, phone, email
