"""Phone numbers that are published, not personal: kept verbatim by masking.

The rule is an explicit list, not a range. The council's own numbers come from Ofcom's
drama range (01632 960000-960999), and so do the made-up numbers residents type in
tests and demonstrations, so keeping the whole range would leak those. ``contracts``
cannot read ``knowledge_base``, so the numbers are listed here and
``tests/unit/test_masking_published.py`` fails when the content publishes one that is
missing (or lists one the content no longer uses).
"""

from __future__ import annotations

import re

# The council's published lines (knowledge_base/content, live_handoff/texts.py).
COUNCIL_NUMBERS = (
    "01632 960000",
    "01632 960100",
    "01632 960110",
    "01632 960120",
    "01632 960200",
    "01632 960210",
    "01632 960220",
    "01632 960300",
    "01632 960400",
    "01632 960500",
    "01632 960600",
    "01632 960610",
    "01632 960620",
    "01632 960700",
    "01632 960710",
    "01632 960720",
    "01632 960800",
    "01632 960810",
    "01632 960820",
    "01632 960999",
)

# National services (knowledge_base/FACTS.md). The short ones (999, 101, 105, 111) are
# too short for any pattern to take; they are listed so the rule is written down once.
NATIONAL_NUMBERS = (
    "999",
    "101",
    "105",
    "111",
    "116 123",
    "0800 111 999",
    "0808 2000 247",
    "0800 1111",
    "0808 800 5000",
    "08000 121 700",
    "0800 58 58 58",
    "0800 068 4141",
    "0800 999 5428",
)

PUBLISHED_NUMBERS = COUNCIL_NUMBERS + NATIONAL_NUMBERS


def _spaced(number: str) -> str:
    digits = re.sub(r"\D", "", number)
    return r"[ \t-]?".join(digits)


_LONG_ENOUGH = sorted((n for n in PUBLISHED_NUMBERS if len(re.sub(r"\D", "", n)) >= 6), key=len, reverse=True)
# Any spacing or dashes, and never part of a longer number ("07700 900 101" is not 101),
# except after 18001, the Text Relay prefix deaf residents dial first (as the content says).
PUBLISHED_IN_TEXT = re.compile(
    r"(?<![\w+])(?<!\d[ \t-])(?:18001[ \t]?)?(?:" + "|".join(_spaced(n) for n in _LONG_ENOUGH) + r")(?![\w]|[ \t-]?\d)"
)
