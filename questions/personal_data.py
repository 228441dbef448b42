"""Refuse free text that holds personal data: national register numbers, phone numbers, emails.

Why: staff write a short note with every contact, and those notes are kept for statistics and read
by other people in the network. The visitors of a Digipunt are often vulnerable (older people,
newcomers, people in debt); under the GDPR we may only keep the personal data we need
(data minimisation), and a note is not the place for it. A number or address typed into a note
escapes every rule we apply to personal data elsewhere (who may see it, how long it is kept), so the
platform refuses such a note and says what it found, instead of storing it.

What counts:
- a Belgian national register number (or BIS number), whatever the separators, but only when its
  check digits are right, so other 11-digit numbers (bank references, order numbers) pass;
- a phone number: Belgian numbers in their usual spellings and foreign numbers written with their
  country code. Google's libphonenumber (the `phonenumbers` package) finds and validates them; a
  second pass catches Belgian spellings it misses;
- an email address (local@domain.tld), also written out ("jan (at) gmail (dot) com", "jan at
  gmail dot com", "jan[at]gmail.com");
- numbers typed to slip past a filter: a letter O for a zero, underscores between the digits, a
  national register number grouped 4-4-3 or spaced digit by digit.

Ordinary text must pass: dates, times, amounts, postal codes, short codes and version numbers. The
tests in tests/questions/test_personal_data.py hold both lists. This is a safety net, not a
guarantee: names and street addresses cannot be recognised reliably and are not looked for.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import ngettext

Kind = Literal["national_number", "phone", "email"]


@dataclass(frozen=True)
class Finding:
    """One piece of personal data in a text: what it is and where (text[start:end] == text)."""

    kind: Kind
    start: int
    end: int
    text: str


def find_personal_data(text: str) -> list[Finding]:
    """Every national register number, phone number and email address in `text`, in order.

    A phone number that overlaps a national register number or an email address is left out, so
    "jan0470123456@gmail.com" is reported once, as an email address.
    """
    # Numbers are looked for in a copy where a letter O between digits is a zero and an
    # underscore a space ("O47O_12_34_56"); the copy has the same length, so what is reported
    # is the text as typed.
    digits = _as_digits(text)
    findings = [*_national_numbers(digits), *_email_addresses(text)]
    findings += [
        written
        for written in _written_out_email_addresses(text)
        if not any(_overlap(written, other) for other in findings)
    ]
    findings += [
        phone
        for phone in _phone_numbers(digits)
        if not any(_overlap(phone, other) for other in findings)
    ]
    return sorted(
        (
            Finding(found.kind, found.start, found.end, text[found.start : found.end])
            for found in findings
        ),
        key=lambda finding: (finding.start, finding.end),
    )


# A letter O (or o) touching a digit, in a run of digits, O's and separators.
_LETTER_O = re.compile(r"(?<=[\dOo])[Oo]|[Oo](?=[\dOo])")
_NUMBER_RUN = re.compile(r"[\dOo][\dOo ._/()+-]*[\dOo]")


def _as_digits(text: str) -> str:
    """`text` with every letter O inside a run of digits read as 0 and "_" as a space; the
    same length, so positions stay valid."""

    def zeroes(run: re.Match[str]) -> str:
        found = run.group()
        if sum(character.isdigit() for character in found) < 4:
            return found  # "Oo", "2 of 3", "Office 365": not a number written with O's
        return _LETTER_O.sub("0", found)

    return _NUMBER_RUN.sub(zeroes, text.replace("_", " "))


def validate_no_personal_data(value: str) -> None:
    """Django validator: raise one ValidationError message per kind of personal data found."""
    findings = find_personal_data(value or "")
    errors = []
    for kind in ("national_number", "phone", "email"):
        found = [finding.text for finding in findings if finding.kind == kind]
        if found:
            errors.append(
                ValidationError(
                    _message(kind, len(found)),
                    code=f"personal_data_{kind}",
                    params={"found": ", ".join(found)},
                )
            )
    if errors:
        raise ValidationError(errors)


def _message(kind: Kind, count: int) -> str:
    if kind == "national_number":
        return ngettext(
            "This seems to contain a national register number (%(found)s). Leave it out: "
            "personal data about a visitor must not be written here.",
            "This seems to contain national register numbers (%(found)s). Leave them out: "
            "personal data about a visitor must not be written here.",
            count,
        )
    if kind == "phone":
        return ngettext(
            "This seems to contain a phone number (%(found)s). Leave it out: "
            "personal data about a visitor must not be written here.",
            "This seems to contain phone numbers (%(found)s). Leave them out: "
            "personal data about a visitor must not be written here.",
            count,
        )
    return ngettext(
        "This seems to contain an email address (%(found)s). Leave it out: "
        "personal data about a visitor must not be written here.",
        "This seems to contain email addresses (%(found)s). Leave them out: "
        "personal data about a visitor must not be written here.",
        count,
    )


def _overlap(one: Finding, other: Finding) -> bool:
    return one.start < other.end and other.start < one.end


# --- national register numbers ---------------------------------------------------------------

# Eleven digits with at most one separator between two of them, however grouped: 85073003328,
# 85.07.30-033.28, 85 07 30 033 28, 850730-033-28, 8507 3003 328, 8 5 0 7 3 0 0 3 3 2 8. The
# lookarounds keep it from starting or ending inside a longer run of digits; the check digits
# decide.
_NATIONAL_NUMBER = re.compile(
    r"(?<!\d)(?<!\d[ ./-])"
    r"(\d(?:[ ./-]?\d){10})"
    r"(?!\d)(?![ ./-]\d)"
)
# People born in 2000 or later have their check digits computed on "2" followed by the 9 digits.
_BORN_IN_2000S = 2_000_000_000


def _national_numbers(text: str) -> Iterator[Finding]:
    for match in _NATIONAL_NUMBER.finditer(text):
        if _is_national_number(re.sub(r"\D", "", match.group())):
            yield Finding("national_number", match.start(), match.end(), match.group())


def _is_national_number(digits: str) -> bool:
    """True when the 11 digits have a plausible birth date and right check digits.

    BIS numbers (for people not in the national register) add 20 or 40 to the month and use the
    same check digits; a month or day of 00 means the birth date is not (fully) known.
    """
    month, day = int(digits[2:4]), int(digits[4:6])
    if month > 40:
        month -= 40
    elif month > 20:
        month -= 20
    if month > 12 or day > 31:
        return False
    body, check = int(digits[:9]), int(digits[9:])
    return check in (97 - body % 97, 97 - (_BORN_IN_2000S + body) % 97)


# --- email addresses --------------------------------------------------------------------------

# Pragmatic: local part, "@", at least one dot in the domain and a top-level domain of letters.
# "itsme@home" (no dot) and "@itsme" (no local part) are not addresses.
_EMAIL = re.compile(r"(?<![\w.%+-])[\w.%+-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}(?![\w-])")


def _email_addresses(text: str) -> Iterator[Finding]:
    for match in _EMAIL.finditer(text):
        yield Finding("email", match.start(), match.end(), match.group())


# Addresses written out to fool a filter: "jan (at) gmail (dot) com", "jan[at]gmail.com",
# "jan at gmail dot com", "jan @ gmail . com", and the Dutch and French words for "@" and ".".
# An "at" or "dot" in brackets counts alone; the bare words only together ("meet at home"
# is no address), followed by a top-level domain of letters.
_AT_MARKED = r"\s*(?:@|[(\[{]\s*(?:at|@)\s*[)\]}])\s*"
_AT_WORD = r"\s+(?:at|apenstaartje|arobase|bij)\s+"
_DOT_MARKED = r"\s*(?:\.|[(\[{]\s*(?:dot|punt|point|\.)\s*[)\]}])\s*"
_DOT_WORD = r"\s+(?:dot|punt|point)\s+"
_LOCAL = r"(?<![\w.%+-])[\w.%+-]*\w"
_LABEL = r"[\w-]+"
_TLD = r"[^\W\d_]{2,}(?![\w-])"
_WRITTEN_EMAIL = re.compile(
    rf"(?i){_LOCAL}(?:{_AT_MARKED}{_LABEL}(?:(?:{_DOT_MARKED}|{_DOT_WORD}){_LABEL})*"
    rf"(?:{_DOT_MARKED}|{_DOT_WORD}){_TLD}"
    rf"|{_AT_WORD}{_LABEL}(?:(?:{_DOT_MARKED}|{_DOT_WORD}){_LABEL})*{_DOT_WORD}{_TLD})"
)


def _written_out_email_addresses(text: str) -> Iterator[Finding]:
    for match in _WRITTEN_EMAIL.finditer(text):
        yield Finding("email", match.start(), match.end(), match.group())


# --- phone numbers ----------------------------------------------------------------------------

# Belgian spellings: a prefix (+32, 0032, +32 (0), (09), (0470) or the trunk 0), then the rest of
# the digits with at most one separator between two digits. The lookarounds keep it from starting
# inside a word or after another group of digits (the last groups of an IBAN or a card number,
# "BE68 5390 0754 7034") and from stopping before the number ends.
_BELGIAN_PHONE = re.compile(
    r"(?<![\w+])(?<!\d[ ./-])"
    r"(?:(?:\+|00)32[ ]?(?:\(0\)[ ]?)?|\(0\d{1,3}\)[ ]?|0)"
    r"\d(?:[ ./-]?\d){5,8}"
    r"(?!\d)(?![ ./-]\d)"
)
# A date at the start of a candidate means it is a date followed by some other number
# ("01-03-2024 1 uur"), which libphonenumber can read as a landline.
_DATE = re.compile(
    r"(?:0?[1-9]|[12]\d|3[01])([./-])(?:0?[1-9]|1[0-2])\1(?:\d{4}|\d{2})(?!\d)"
    r"|(?:19|20)\d{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])(?!\d)"
)


def _phone_numbers(text: str) -> list[Finding]:
    """Phone numbers found by libphonenumber and by the Belgian pass, without overlaps."""
    spans = [
        (match.start, match.end)
        for match in phonenumbers.PhoneNumberMatcher(
            text, "BE", leniency=phonenumbers.Leniency.VALID
        )
    ]
    spans += [
        match.span() for match in _BELGIAN_PHONE.finditer(text) if _is_belgian_phone(match.group())
    ]
    findings: list[Finding] = []
    # Longest first where two passes found the same number with different edges.
    for start, end in sorted(spans, key=lambda span: (span[0], span[0] - span[1])):
        finding = Finding("phone", start, end, text[start:end])
        if _DATE.match(finding.text) or any(_overlap(finding, kept) for kept in findings):
            continue
        findings.append(finding)
    return findings


def _is_belgian_phone(candidate: str) -> bool:
    """True for a valid number, or a Belgian one of the right shape in a block not yet in use.

    libphonenumber only knows the number blocks that are handed out, so "09 123 45 67" is not a
    valid number to it; to a person reading the note it is still someone's phone number. A landline
    has 8 digits after the 0, a mobile 9 starting with 45-49.
    """
    try:
        number = phonenumbers.parse(candidate, "BE")
    except phonenumbers.NumberParseException:
        return False
    if phonenumbers.is_valid_number(number):
        return True
    if number.country_code != 32:
        return False
    significant = phonenumbers.national_significant_number(number)
    if significant.startswith("0"):  # too short to be read without its trunk 0
        return False
    return len(significant) == 8 or (len(significant) == 9 and significant[:2] in _MOBILE_PREFIXES)


_MOBILE_PREFIXES = {"45", "46", "47", "48", "49"}
