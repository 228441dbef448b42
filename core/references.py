"""Short references a resident reads out on the phone ("your reference is R-4KXP7")."""

from __future__ import annotations

import secrets

# No 0/O, 1/I/L, 2/Z, 5/S, 6/G, 8/B look-alikes. 23^6 = 148 million: a clash is rare, and the
# services that store a reference simply draw again.
ALPHABET = "ACDEFHJKMNPRTUVWXY34679"
LENGTH = 6


def new_reference(prefix: str = "") -> str:
    """A random reference of LENGTH characters from ALPHABET, after `prefix`."""
    return prefix + "".join(secrets.choice(ALPHABET) for _n in range(LENGTH))
