"""UK postcodes (BS7666) as residents type them: any case, any spacing.

The bot's entity ruler and classifier, the reports' reading of residents' words, the
relay's masking and the Open311 service's validation all use these patterns.
"""

from __future__ import annotations

import re

OUTWARD = r"(?:[A-PR-UWYZ][0-9][0-9]?|[A-PR-UWYZ][A-HK-Y][0-9][0-9]?|[A-PR-UWYZ][0-9][A-HJKSTUW]|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRVWXY])"
INWARD = r"[0-9][ABD-HJLNP-UW-Z]{2}"
# After upper-casing and normalising the space (see ARCHITECTURE.md).
POSTCODE_STRICT = re.compile(
    r"^(GIR 0AA|(?:[A-PR-UWYZ][0-9][0-9]?|[A-PR-UWYZ][A-HK-Y][0-9][0-9]?|"
    r"[A-PR-UWYZ][0-9][A-HJKSTUW]|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRVWXY]) [0-9][ABD-HJLNP-UW-Z]{2})$"
)
# Anywhere in free text, any case, with or without the space.
POSTCODE_IN_TEXT = re.compile(rf"(?<![A-Za-z0-9])(?:{OUTWARD}\s?{INWARD}|GIR\s?0AA)(?![A-Za-z0-9])", re.IGNORECASE)


def normalise_postcode(text: str) -> str | None:
    """``nb42qt`` / ``Nb4  2qt`` -> ``NB4 2QT``; None if it is not a valid UK postcode."""
    compact = re.sub(r"\s+", "", text).upper()
    if len(compact) < 5:
        return None
    candidate = f"{compact[:-3]} {compact[-3:]}"
    return candidate if POSTCODE_STRICT.match(candidate) else None
