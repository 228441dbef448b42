"""One spelling for every way a place name can be written, so lookups compare like with like."""

from __future__ import annotations

import re
import unicodedata

# Hyphens, apostrophes (also U+2019), dots, commas, slashes, spaces: all mere separators.
_SEPARATORS = re.compile(r"[\W_]+")


def normalise(text: str) -> str:
    """Lower case, no accents, every run of non-alphanumeric characters as one space.

    "Molenbeek-Saint-Jean" -> "molenbeek saint jean", "Écaussinnes" -> "ecaussinnes".
    """
    decomposed = unicodedata.normalize("NFKD", text).casefold()
    # Casefolding can itself produce combining marks (e.g. "İ"), so strip accents after it.
    without_accents = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _SEPARATORS.sub(" ", without_accents).strip()
