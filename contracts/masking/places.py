"""Where residents live: street addresses with a house number, house names with their
street ("Rose Cottage, Mill Lane"), flats, and postcodes. A street named without a house
number or house name ("the lights on Mill Lane are out") is kept: it is where a problem
is, not who someone is."""

from __future__ import annotations

import re

from contracts.postcodes import INWARD, OUTWARD

# Words that follow a house number in ordinary sentences ("3 bins on the road").
STOP_WORDS = (
    "a|an|the|and|or|of|on|in|at|by|to|for|from|with|near|off|up|down|my|our|your|his|her|their|"
    "this|that|these|those|is|are|was|were|be|it|not|no|about|regarding|re|just|still|very|so|"
    "because|urgent|what|why|how|when|where|who|calling|ringing|writing|again|also"
)
WORD = rf"(?!(?i:{STOP_WORDS})\b)[A-Za-z][A-Za-z'’-]*"
_CAPITALISED = r"[A-Z][A-Za-z'’-]*"

# Suffixes that rarely end an ordinary phrase are masked in any case ("12 acacia road",
# "45 high st"); ones that do ("3 bins close by", "2 kids drive") only when capitalised.
_SUFFIX = (
    r"(?:(?i:road|rd|street|st|avenue|ave|lane|crescent|terrace|gardens|grove|mews)"
    r"|Close|Drive|Way|Court|Place|Walk|Hill|Row|Square|Parade|Green|Rise|Vale|Approach|Chase|Mead|"
    r"Meadows?|Paddocks|Park|Gate|End|View|Fields|Heights|Wharf|Quay|Yard|Boulevard|Broadway|Circle|Dale)"
)
_FLAT = r"(?:(?i:flat|apartment|apt|unit)\.?[ \t]*\d{1,4}[A-Za-z]?,?[ \t]+)"
# "12 Acacia Road", "3 The Paddocks", and one-word streets with their suffix joined on
# ("33a kingsway", "2 Northgate").
_STREET = (
    rf"(?:(?:The[ \t]+(?:{WORD}[ \t]+){{0,3}}|(?:{WORD}[ \t]+){{1,4}}){_SUFFIX}\b(?!['’])\.?"
    rf"|(?i:[a-z]{{3,}}(?:way|gate))\b)"
)
# "Flat 2, 12 Acacia Road" and "flat 4 Harbour Court" alike.
_ADDRESS = re.compile(
    rf"(?<![\w.,:/£$-])(?:{_FLAT}|(?i:flat|apartment|apt|unit)\.?[ \t]*)?\d{{1,4}}[A-Za-z]?,?[ \t]+{_STREET}"
)

# A house name counts as an address with a street after it, or after "Flat 2". Names
# ending like "Cottage" need nothing more; others ("The Laurels", "Hillcrest") need a
# lead-in ("I live at", "address is", "send it to") and a comma before the street. Both
# parts capitalised, so "the cottage, mill lane" stays prose, and a street on its own
# ("the potholes on Mill Lane") is kept.
_HOUSE = r"(?:Cottage|House|Farm|Lodge|Barn|Manor|Villa|Bungalow|Mews|Croft|Grange|Cottages|Flats|Mansions)"
_NAMED = rf"(?:{_CAPITALISED}[ \t]+){{1,3}}{_HOUSE}"
_NAMED_STREET = rf"(?:The[ \t]+)?(?:{_CAPITALISED}[ \t]+){{1,3}}{_SUFFIX}\b\.?"
_HOUSE_NAME = re.compile(
    rf"(?<![\w])(?:{_FLAT}{_NAMED}(?:,?[ \t]+{_NAMED_STREET})?|{_NAMED},?[ \t]+{_NAMED_STREET}"
    rf"|{_NAMED}(?=,?[ \t]+\d))"  # "The Coach House, 4 Mill Street": the number is an address below
)
# Where someone lives, without a street: "I live in Rose Cottage", "I live at Hillcrest".
_HOME_LEAD_IN = r"(?i:live[ \t]+at|living[ \t]+at|lives[ \t]+at|my[ \t]+address[ \t]+is|address[ \t]*:)"
_HOME = re.compile(
    rf"(?P<lead>\b(?:{_HOME_LEAD_IN}|(?i:live|living|lives)[ \t]+in)[ \t]+)(?:The[ \t]+)?{_NAMED}\b"
    rf"|(?P<lead2>\b{_HOME_LEAD_IN}[ \t]+)['‘’\"]?(?:The[ \t]+)?{_CAPITALISED}(?:[ \t]+{_CAPITALISED}){{0,2}}['’\"]?"
    rf"(?=[ \t]*(?:[,.!?;]|$))"
)
_NAMED_AFTER_LEAD_IN = re.compile(
    rf"(?P<lead>\b(?i:at|is|from|to|address:?)[ \t]+)['‘’\"]?(?:The[ \t]+)?(?:{_CAPITALISED}[ \t]+){{0,2}}"
    rf"{_CAPITALISED}['’\"]?,[ \t]+{_NAMED_STREET}"
)

_POSTCODE = re.compile(rf"(?<![A-Za-z0-9])(?:{OUTWARD}\s*{INWARD}|GIR\s*0AA)(?![A-Za-z0-9])", re.IGNORECASE)


def _home(match: re.Match[str]) -> str:
    if match.group("lead2") and _STREET_ONLY.search(match.group(0)):
        return match.group(0)  # "I live at Mill Lane": a street alone is kept
    return f"{match.group('lead') or match.group('lead2')}[address]"


_STREET_ONLY = re.compile(rf"\b{_SUFFIX}\b\.?['’\"]?$")


def mask_places(text: str) -> str:
    """Replace addresses and house names with ``[address]`` and postcodes with ``[postcode]``.

    Args:
        text: Resident or log text.

    Returns:
        The text with each place replaced.
    """
    text = _HOUSE_NAME.sub("[address]", text)
    text = _NAMED_AFTER_LEAD_IN.sub(lambda m: f"{m.group('lead')}[address]", text)
    text = _HOME.sub(_home, text)
    text = _ADDRESS.sub("[address]", text)
    return _POSTCODE.sub("[postcode]", text)
