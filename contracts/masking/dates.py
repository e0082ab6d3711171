"""Dates of birth, in numbers or words. Ordinary event dates ("missed on 01/12/2026",
"on 3 March") are kept: a date is a birth date when a lead-in says so ("DOB", "born",
"birthday"...) or when its year is before ``BIRTH_YEARS_BEFORE``."""

from __future__ import annotations

import re

# Residents mention events of the last few years (a missed bin, a claim, a move); a full
# date further back is most likely someone's birth date. A fixed year keeps masking pure
# and repeatable; move it on every few years.
BIRTH_YEARS_BEFORE = 2012

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DAY = r"(?:0?[1-9]|[12]\d|3[01])(?:st|nd|rd|th)?"
_YEAR = r"(?:19\d\d|20\d\d|['’]\d\d)"  # "3 March 10 bins" is not 2010
_NUMERIC = r"(?:0?[1-9]|[12]\d|3[01])[/.-](?:0?[1-9]|1[0-2])[/.-](?:19\d\d|20\d\d|\d\d)"
_ISO = r"(?:19|20)\d\d-(?:0?[1-9]|1[0-2])-(?:0?[1-9]|[12]\d|3[01])"
_WORDS_DATE = (
    rf"(?:(?:the[ \t]+)?{_DAY}(?:[ \t]+of)?[ \t]+{_MONTH}(?:,?[ \t]+{_YEAR})?"
    rf"|{_MONTH}[ \t]+(?:the[ \t]+)?{_DAY}(?:,?[ \t]+{_YEAR})?)"
)
_ANY_DATE = rf"(?:{_ISO}|{_NUMERIC}|{_WORDS_DATE}|{_MONTH}[ \t]+(?:19|20)\d\d|(?:19|20)\d\d)"

_LEAD_IN = re.compile(
    rf"""(?P<lead>\b(?:d\.?[ \t]?o\.?[ \t]?b\b\.?|date[ \t]+of[ \t]+birth|birth[ \t]?date|born|birthday|b['’]?day)
        (?:[ \t]+(?:is|was|on|in|of|=))*[ \t]*[:=-]?[ \t]*)
        (?P<date>{_ANY_DATE})(?![\w/.-]\d)(?![A-Za-z0-9])""",
    re.IGNORECASE | re.VERBOSE,
)
# Substrings every lead-in contains: a cheap test before the search.
_LEAD_IN_WORDS = ("d.o.b", "dob", "d o b", "birth", "born", "day")
_FULL_DATE = re.compile(
    rf"(?<![\w/.-])(?P<date>{_ISO}|{_NUMERIC}|{_WORDS_DATE})(?![A-Za-z0-9]|[/.-]\d)",
    re.IGNORECASE,
)


def _year(date: str) -> int | None:
    found = re.findall(r"(?:^|\D)((?:19|20)\d\d)(?!\d)", date)
    if found:
        return int(found[0])
    short = re.search(r"[/.'’-](\d\d)$", date)
    if short:
        two = int(short.group(1))
        # Two-digit years: "80" is 1980; "26" is 2026.
        return 1900 + two if two >= 30 else 2000 + two
    return None


def _full(match: re.Match[str]) -> str:
    year = _year(match.group("date"))
    return "[date of birth]" if year is not None and year < BIRTH_YEARS_BEFORE else match.group(0)


def mask_dates_of_birth(text: str) -> str:
    """Replace dates of birth with ``[date of birth]``, keeping their lead-in.

    Args:
        text: Resident or log text.

    Returns:
        The text with each date after a birth lead-in, and each full date before
        ``BIRTH_YEARS_BEFORE``, replaced.
    """
    low = text.lower()
    if any(word in low for word in _LEAD_IN_WORDS):
        text = _LEAD_IN.sub(lambda m: f"{m.group('lead')}[date of birth]", text)
    return _FULL_DATE.sub(_full, text)
