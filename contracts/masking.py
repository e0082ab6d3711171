"""Mask residents' personal data in text: log lines, reports, public case descriptions.

Logs outlive conversations and are read by people who have no need to see a resident's
phone number or address, so anything that looks personal is replaced with a label such
as ``[phone]``. Masking errs towards hiding: an over-masked log line is an inconvenience,
an under-masked one is a data breach. Service request references (``NB-2026-000123``) and
conversation ids (``c_...``) are kept, because they are how a log line is traced.
"""

from __future__ import annotations

import re

from contracts.postcodes import INWARD, OUTWARD
from contracts.references import REFERENCE_IN_TEXT

# Kept verbatim; swapped out first so no later pattern can eat part of one.
_CONVERSATION_ID = re.compile(r"(?<![A-Za-z0-9])c_[A-Za-z0-9_-]{6,}")

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")

# Words that follow a house number or a lead-in in ordinary sentences ("3 bins on the
# road", "this is about my bin") and so are not part of a street or a name.
_STOP_WORDS = (
    "a|an|the|and|or|of|on|in|at|by|to|for|from|with|near|off|up|down|my|our|your|his|her|their|"
    "this|that|these|those|is|are|was|were|be|it|not|no|about|regarding|re|just|still|very|so|"
    "because|urgent|what|why|how|when|where|who|calling|ringing|writing|again|also"
)
_WORD = rf"(?!(?i:{_STOP_WORDS})\b)[A-Za-z][A-Za-z'’-]*"

# Suffixes that rarely end an ordinary phrase are masked in any case ("12 acacia road");
# ones that do ("3 bins close by", "2 kids drive") only when capitalised.
_SUFFIX = (
    r"(?:(?i:road|rd|street|avenue|ave|lane|crescent|terrace|gardens|grove)"
    r"|St|Close|Drive|Way|Court|Place|Walk|Hill)"
)
_ADDRESS = re.compile(rf"(?<![\w.,:/£$-])\d{{1,4}}[A-Za-z]?,?[ \t]+(?:{_WORD}[ \t]+){{1,4}}{_SUFFIX}\b\.?")

_POSTCODE = re.compile(rf"(?<![A-Za-z0-9])(?:{OUTWARD}\s*{INWARD}|GIR\s*0AA)(?![A-Za-z0-9])", re.IGNORECASE)

# UK numbers: a national prefix (0 then 2-4 digits) or +44/0044 without the 0, then one or
# two groups. Digit counts are checked afterwards, so dates such as 01-02-2026 10:30 (whose
# first group is too short) and times never match.
_PHONE = re.compile(
    r"""
    (?<![\w+])
    (?:
        (?P<intl>(?:\+|00)44[ \t-]?(?:\(0\)[ \t-]?)?)\d{2,4}
      | \(0[1-9]\d{1,3}\)
      | 0[1-9]\d{1,3}
    )
    (?:[ \t-]?\d{3,6}){1,2}
    (?![\w])
    """,
    re.VERBOSE,
)

_COUNCIL_TAX = re.compile(r"(?<![A-Za-z0-9])CT[ \t-]?\d{4,}(?!\d)", re.IGNORECASE)
_ACCOUNT = re.compile(r"(?<![\w.,])\d{8,10}(?![\w]|[.,]\d)")
_LONG_NUMBER = re.compile(r"(?<![\w.,])\d{7,}(?![\w]|[.,]\d)")

_TITLE = r"(?:(?i:mr|mrs|ms|miss|mx|dr)\.?[ \t]+)?"
_NAME = re.compile(
    rf"(?P<lead>\b(?i:my[ \t]+name[ \t]+is|i[’']?m[ \t]+called|i[ \t]+am[ \t]+called|this[ \t]+is|name[ \t]*:)[ \t]*)"
    rf"{_TITLE}{_WORD}(?:[ \t]+{_WORD})?\b"
)


def _phone(match: re.Match[str]) -> str:
    prefix = match.group("intl")
    if prefix is not None:
        # After +44 (and an optional "(0)") come the national digits without their 0.
        digits = sum(ch.isdigit() for ch in match.group(0)[len(prefix) :])
        return "[phone]" if 9 <= digits <= 10 else match.group(0)
    digits = sum(ch.isdigit() for ch in match.group(0))
    return "[phone]" if 10 <= digits <= 11 else match.group(0)


def mask(text: str) -> str:
    """Replace personal data in ``text`` with labels.

    Masks email addresses, UK phone numbers, postcodes, council tax account numbers,
    other long numbers, street addresses and names given after "my name is", "I'm
    called", "this is" or "name:". Request references and conversation ids are kept.

    Args:
        text: A log message.

    Returns:
        The message with each item replaced by ``[email]``, ``[phone]``, ``[postcode]``,
        ``[account]``, ``[number]``, ``[address]`` or ``[name]``.
    """
    kept: list[str] = []

    def keep(match: re.Match[str]) -> str:
        kept.append(match.group(0))
        # NUL never occurs in log text and matches none of the patterns below.
        return f"\x00{len(kept) - 1}\x00"

    text = REFERENCE_IN_TEXT.sub(keep, text)
    text = _CONVERSATION_ID.sub(keep, text)
    # Order matters: whole structures before the numbers inside them, names last so a
    # lead-in never swallows an email or an address.
    text = _EMAIL.sub("[email]", text)
    text = _ADDRESS.sub("[address]", text)
    text = _POSTCODE.sub("[postcode]", text)
    text = _PHONE.sub(_phone, text)
    text = _COUNCIL_TAX.sub("[account]", text)
    text = _ACCOUNT.sub("[account]", text)
    text = _LONG_NUMBER.sub("[number]", text)
    text = _NAME.sub(lambda m: f"{m.group('lead')}[name]", text)
    return re.sub(r"\x00(\d+)\x00", lambda m: kept[int(m.group(1))], text)
