"""How residents are reached: phone numbers read as people type them, stored as E.164, shown
as dialled; an email address checked beside it.

One place for appointments, referrals, lending and learning, so what is typed for one is
accepted and shown the same way everywhere, and the SMS backend gets what it expects.
"""

from __future__ import annotations

import re

import phonenumbers
from django.conf import settings
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
    if phonenumbers.number_type(number) not in PERSONAL_NUMBER_TYPES:
        # 0800, 0900, 070, 078 and the like: a service's number, never a resident's.
        raise ValidationError(
            {
                "phone": _(
                    "This is the number of a service (like 0800 or 0900), not of a person. "
                    "Give your own phone number."
                )
            },
            code="service_number",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# What a person can be reached at; premium-rate, shared-cost, toll-free, pager and the other
# service numbers are refused.
PERSONAL_NUMBER_TYPES = frozenset(
    {
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
        phonenumbers.PhoneNumberType.VOIP,
        phonenumbers.PhoneNumberType.PERSONAL_NUMBER,
    }
)
MOBILE_TYPES = frozenset(
    {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}
)


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
    """Whether a stored (E.164) number gets text messages from us: a mobile number of a country
    in `SMS_ALLOWED_REGIONS` (Belgium by default). Never a landline or a service number, and
    not abroad unless the setting says so: anyone can type any number into a public form."""
    try:
        number = phonenumbers.parse(phone, "BE")
    except phonenumbers.NumberParseException:
        return False
    allowed = {region.upper() for region in settings.SMS_ALLOWED_REGIONS}
    return (
        phonenumbers.number_type(number) in MOBILE_TYPES
        and phonenumbers.region_code_for_number(number) in allowed
    )


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
# A web address in any usual spelling: a scheme, "www.", or a name with a common top-level domain.
LINK_IN_TEXT = re.compile(
    r"(?i)(\b[a-z][a-z0-9+.-]*://|\bwww\.|\b[a-z0-9-]+\.(?:com|be|net|org|eu|info|io|ly|me|co|nl|fr|ru|xyz|top|app|link|site|online|click)\b)"
)


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
    elif LINK_IN_TEXT.search(name) or "@" in name:
        # A name is never a web address or an email address: such "names" are how a form gets
        # someone else's message delivered in the platform's name.
        errors.setdefault("name", []).append(
            _("Write only a name here, without a web or email address.")
        )
    phone, email = clean_phone_and_email(errors, phone or "", email or "", neither=neither)
    return name, phone, email
