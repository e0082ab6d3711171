"""Patterns for things residents type that the bot must recognise exactly.

Shared by the spaCy entity ruler (which extracts them as entities) and by the intent
classifier (which sees a placeholder instead of each value, so that one reference or
postcode is as good as another).
"""

from __future__ import annotations

import re

from contracts.postcodes import INWARD, OUTWARD, POSTCODE_IN_TEXT, POSTCODE_STRICT, normalise_postcode
from contracts.references import REFERENCE_IN_TEXT

# UK postcodes are shared with the Open311 service and the relay: one definition, in contracts/.
__all__ = [
    "INWARD",
    "OUTWARD",
    "POSTCODE_IN_TEXT",
    "POSTCODE_STRICT",
    "normalise_postcode",
    "REFERENCE_IN_TEXT",
    "ATTEMPTED_REFERENCE",
    "looks_like_a_reference",
    "normalise_reference",
    "mask_identifiers",
]


# Something a resident meant as a reference, even if mistyped: "NB-2026-12", "nb 2026".
# Checked after postcodes are removed: NB is also this council's postcode area.
ATTEMPTED_REFERENCE = re.compile(r"(?<![A-Za-z0-9])NB[-\s]?20[0-9]{0,2}(?:[-\s]?[0-9]+)*(?![A-Za-z0-9])", re.IGNORECASE)


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
