"""Patterns for things residents type that the bot must recognise exactly.

Shared by the spaCy entity ruler (which extracts them as entities) and by the intent
classifier (which sees a placeholder instead of each value, so that one reference or
postcode is as good as another).
"""

from __future__ import annotations

import re

# BS7666 postcode, after upper-casing and normalising the space (see ARCHITECTURE.md).
POSTCODE_STRICT = re.compile(
    r"^(GIR 0AA|(?:[A-PR-UWYZ][0-9][0-9]?|[A-PR-UWYZ][A-HK-Y][0-9][0-9]?|"
    r"[A-PR-UWYZ][0-9][A-HJKSTUW]|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRVWXY]) [0-9][ABD-HJLNP-UW-Z]{2})$"
)
OUTWARD = r"(?:[A-PR-UWYZ][0-9][0-9]?|[A-PR-UWYZ][A-HK-Y][0-9][0-9]?|[A-PR-UWYZ][0-9][A-HJKSTUW]|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRVWXY])"
INWARD = r"[0-9][ABD-HJLNP-UW-Z]{2}"
# Anywhere in free text, any case, with or without the space.
POSTCODE_IN_TEXT = re.compile(rf"(?<![A-Za-z0-9])(?:{OUTWARD}\s?{INWARD}|GIR\s?0AA)(?![A-Za-z0-9])", re.IGNORECASE)

# Request references: NB-2026-000123 (any case; hyphens, spaces or nothing between parts).
REFERENCE_IN_TEXT = re.compile(r"(?<![A-Za-z0-9])NB[-\s]?(20[0-9]{2})[-\s]?([0-9]{6})(?![0-9])", re.IGNORECASE)


# Something a resident meant as a reference, even if mistyped: "NB-2026-12", "nb 2026".
# Checked after postcodes are removed: NB is also this council's postcode area.
ATTEMPTED_REFERENCE = re.compile(r"(?<![A-Za-z0-9])NB[-\s]?20[0-9]{0,2}(?:[-\s]?[0-9]+)*(?![A-Za-z0-9])", re.IGNORECASE)


def normalise_postcode(text: str) -> str | None:
    """``nb42qt`` / ``Nb4  2qt`` -> ``NB4 2QT``; None if it is not a valid UK postcode."""
    compact = re.sub(r"\s+", "", text).upper()
    if len(compact) < 5:
        return None
    candidate = f"{compact[:-3]} {compact[-3:]}"
    return candidate if POSTCODE_STRICT.match(candidate) else None


def looks_like_a_reference(text: str) -> bool:
    """True if the resident seems to have typed a reference, even a malformed one."""
    return bool(ATTEMPTED_REFERENCE.search(POSTCODE_IN_TEXT.sub(" ", text or "")))


def normalise_reference(text: str) -> str | None:
    """``nb 2026 000123`` -> ``NB-2026-000123``; None if it is not a reference."""
    match = REFERENCE_IN_TEXT.search(text)
    return f"NB-{match.group(1)}-{match.group(2)}" if match else None


def mask_identifiers(text: str) -> str:
    """Replace references and postcodes with placeholder words for classification."""
    text = REFERENCE_IN_TEXT.sub(" zzreference ", text)
    text = POSTCODE_IN_TEXT.sub(" zzpostcode ", text)
    return ATTEMPTED_REFERENCE.sub(" zzreference ", text)
