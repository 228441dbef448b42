"""Visitor codes: random card numbers that let a returning visitor be counted once.

A code has 8 characters from Crockford's base-32 alphabet (no I, L, O or U, so nothing is misread
on a printed card): 7 random ones and a check character (Luhn mod 32), which catches a mistyped
character and two swapped neighbours before they could be counted as another visitor. It is
written in two groups of four ("7K3M-9QXA") and read back whatever the case, spaces or dashes.
"""

from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_VALUE = {char: index for index, char in enumerate(ALPHABET)}
# Characters people write for the ones the alphabet leaves out.
_LOOK_ALIKES = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})
RANDOM_LENGTH = 7
LENGTH = RANDOM_LENGTH + 1


def _check_character(body: str) -> str:
    """Luhn mod N over the alphabet (N = 32)."""
    total = 0
    factor = 2
    for char in reversed(body):
        addend = factor * _VALUE[char]
        factor = 1 if factor == 2 else 2
        total += addend // 32 + addend % 32
    return ALPHABET[(32 - total % 32) % 32]


def generate() -> str:
    """A new random code in its stored form (8 characters, no dash)."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
    return body + _check_character(body)


def normalise(text: str) -> str | None:
    """The stored form of what someone typed, or None when it cannot be a valid code."""
    cleaned = "".join(ch for ch in text.upper() if ch not in " -.\t").translate(_LOOK_ALIKES)
    if len(cleaned) != LENGTH or any(ch not in _VALUE for ch in cleaned):
        return None
    if _check_character(cleaned[:-1]) != cleaned[-1]:
        return None
    return cleaned


def display(code: str) -> str:
    """How a code is printed and shown: two groups of four."""
    return f"{code[:4]}-{code[4:]}"
