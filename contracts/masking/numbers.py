"""Identifiers in residents' text: email, National Insurance, NHS and card numbers, phones,
benefit and account references, vehicle registrations. Check digits come from
python-stdnum, so a number that only looks like an NHS or card number keeps its own label."""

from __future__ import annotations

import re

from stdnum import luhn
from stdnum.gb import nhs

# Four digits in a run (single separators allowed): every rule here but email needs them.
_FOUR_DIGITS = re.compile(r"\d(?:[ \t./-]?\d){3}")

EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")

# National Insurance: two prefix letters, six digits in any grouping, an optional A-D.
# HMRC never issues D, F, I, Q, U or V first, D, F, I, O, Q, U or V second, nor the
# prefixes below; QQ is its specimen prefix, which residents copy from forms and guidance.
_NI = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]{2})[ \t.-]?(\d\d(?:[ \t.-]?\d){4})(?:[ \t.-]?([A-Da-d]))?(?![A-Za-z0-9])")
_NI_NEVER = {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}
# Two-letter words that may come before a six-digit number in a sentence ("on 123456").
_WORDS = {"am", "an", "as", "at", "be", "by", "do", "go", "he", "in", "is", "it", "me", "my", "no", "of", "on"}
_WORDS |= {"or", "so", "to", "up", "us", "we"}


def _ni(match: re.Match[str]) -> str:
    prefix = match.group(1).upper()
    valid = prefix == "QQ" or (prefix[0] not in "DFIQUV" and prefix[1] not in "DFIOQUV" and prefix not in _NI_NEVER)
    if not valid or (match.group(3) is None and match.group(1).lower() in _WORDS):
        return match.group(0)
    return "[ni number]"


# Cards: 13 to 19 digits starting 2-6 (Visa, Mastercard, Amex, Maestro...), grouped any way.
_CARD = re.compile(r"(?<![\w.,])[2-6](?:[ \t-]?\d){12,18}(?![\w]|[.,]\d)")


# Printed like a card (4-4-4-4) is a card, even mistyped so that Luhn fails.
_CARD_GROUPS = re.compile(r"\d{4}([ -])\d{4}\1\d{4}\1\d{4}")


def _card(match: re.Match[str]) -> str:
    number = match.group(0)
    return "[card]" if luhn.is_valid(re.sub(r"\D", "", number)) or _CARD_GROUPS.fullmatch(number) else number


# NHS numbers: ten digits, usually 3-3-4, with a mod-11 check digit. A leading 0 is a phone.
_NHS = re.compile(r"(?<![\w.,])[1-9]\d\d[ \t-]?\d{3}[ \t-]?\d{4}(?![\w]|[.,]\d)")
_NHS_AFTER_LEAD_IN = re.compile(
    r"(?P<lead>\bNHS[ \t]*(?:number|no\.?|num|#)?[ \t]*(?:is|:)?[ \t]*)\d(?:[ \t-]?\d){9}(?![\w])", re.IGNORECASE
)


def _nhs(match: re.Match[str]) -> str:
    return "[nhs number]" if nhs.is_valid(re.sub(r"\D", "", match.group(0))) else match.group(0)


# UK phones: a national prefix (0 then 2-4 digits) or +44/0044 without the 0, then up to
# three groups ("07700 90 01 23"). Digit counts are checked afterwards, so dates and times
# never match.
_PHONE = re.compile(
    r"""
    (?<![\w+])
    (?:
        (?P<intl>(?:\+|00)44[ \t-]?(?:\(0\)[ \t-]?)?)\d{2,4}
      | \(0[1-9]\d{1,3}\)
      | 0[1-9]\d{1,3}
    )
    (?:[ \t-]?\d{2,6}){1,3}
    (?![\w])
    """,
    re.VERBOSE,
)


def _phone(match: re.Match[str]) -> str:
    prefix = match.group("intl")
    if prefix is not None:
        # After +44 (and an optional "(0)") come the national digits without their 0.
        digits = sum(ch.isdigit() for ch in match.group(0)[len(prefix) :])
        return "[phone]" if 9 <= digits <= 10 else match.group(0)
    digits = sum(ch.isdigit() for ch in match.group(0))
    return "[phone]" if 10 <= digits <= 11 else match.group(0)


# Council tax accounts (CT then digits) before National Insurance, whose CT prefix is
# valid: with a final letter A-D it is a National Insurance number.
_COUNCIL_TAX = re.compile(r"(?<![A-Za-z0-9])CT[ \t-]?\d{4,}(?![A-Za-z0-9])", re.IGNORECASE)

# Benefit and claim references: a scheme's letters then digits (HB/123456, UC-1234567), or
# any code with four or more digits after a lead-in ("claim number 55512345").
_SCHEMES = r"HB|HBC|CTR|CTS|CTRS|UC|PIP|DLA|ESA|JSA|DHP|AA|CA|SP|BEN|CLM|FSM|LWA|SWF|BB"
_BENEFIT = re.compile(
    rf"(?<![A-Za-z0-9])(?:{_SCHEMES})[ \t]?[/-]?[ \t]?\d{{4,}}(?:[/-]\d+)*[A-Za-z]?(?![A-Za-z0-9])", re.I
)
# Other schemes' codes: capitals then five or more digits (FSM20417, LWA-40931). Four
# digits are too often a standard or a model ("ISO-8601").
_CODE = re.compile(r"(?<![A-Za-z0-9/-])[A-Z]{2,4}[/-]?\d{5,}(?:[/-]\d+)*[A-Z]?(?![A-Za-z0-9])")
# Account numbers given with their lead-in, in any grouping ("acc no 500 123 4567").
_ACCOUNT_AFTER_LEAD_IN = re.compile(
    r"(?P<lead>\b(?:acc(?:ount)?|a/c)\.?[ \t]*(?:(?:no|number|num|\#)\.?[ \t]*)?(?:is[ \t]+|:[ \t]*)?)"
    r"\d(?:[ \t-]?\d){5,}(?![\w])",
    re.IGNORECASE,
)
_REFERENCE_AFTER_LEAD_IN = re.compile(
    rf"""(?P<lead>\b(?:claim|benefits?|housing[ \t]benefit|universal[ \t]credit|pension|customer|tenancy|tenant|
        payroll|application|policy|case|DWP|HMRC|{_SCHEMES})[ \t]+(?:(?:reference|ref|number|no|num|id)\.?[ \t]*)+
        (?:is[ \t]+|was[ \t]+|:[ \t]*|\#[ \t]*)?)
        (?:[A-Za-z]{{1,4}}[ \t]?[/-]?[ \t]?)?\d(?:[ \t/-]?\d)*[A-Za-z]?(?![A-Za-z0-9])""",
    re.IGNORECASE | re.VERBOSE,
)


def _reference(match: re.Match[str]) -> str:
    code = match.group(0)[len(match.group("lead")) :]
    if sum(ch.isdigit() for ch in code) < 4:
        return match.group(0)
    return f"{match.group('lead')}[reference number]"


ACCOUNT = re.compile(r"(?<![\w.,])\d{8,10}(?![\w]|[.,]\d)")
# Groups of digits split by spaces ("4929 1234 5678 901"), nine digits or more in all.
_SPACED_NUMBER = re.compile(r"(?<![\w.,:/£$-])\d{2,}(?:[ ]\d{2,}){1,5}(?![\w]|[.,:/-]\d)")


def _spaced(match: re.Match[str]) -> str:
    return "[number]" if sum(ch.isdigit() for ch in match.group(0)) >= 9 else match.group(0)


LONG_NUMBER = re.compile(r"(?<![\w.,])\d{7,}(?![\w]|[.,]\d)")

# Vehicle registrations. Current (2001-): area letters, age digits, three letters, in any
# case, as the letters touch the digits ("ab12cde", "AB12 CDE"). Prefix (1983-2001, "A123
# BCD") and suffix (1963-83, "ABC 123D") shapes also fit road names and ordinary words
# ("the A34 and ..."), so they must be in capitals, or follow "reg" or "registration".
_CURRENT = re.compile(
    r"(?<![A-Za-z0-9])[A-HJ-PR-Ya-hj-pr-y][A-HJ-PR-Ya-hj-pr-y](?:0[1-9]|[1-2]\d|5[0-9]|[67]\d)[ \t]?"
    r"[A-HJ-PR-Za-hj-pr-z]{3}(?![A-Za-z0-9])"
)
_COMMON = {"AND", "THE", "FOR", "WAS", "ARE", "NOT", "BUT", "HAS", "HAD", "YOU", "ALL", "CAN", "OUT", "NOW", "BIN"}
_OLDER = re.compile(
    r"(?<![A-Za-z0-9])(?:[A-HJ-NPR-Y]\d{1,3}[ \t]?[A-Z]{3}|[A-Z]{3}[ \t]?\d{1,3}[A-HJ-NPR-Y])(?![A-Za-z0-9])"
)
_OLDER_AFTER_LEAD_IN = re.compile(
    r"(?P<lead>\b(?:reg|registration|number[ \t]plate|plate|reg[ \t]no\.?|reg[ \t]number)[ \t]*(?:is[ \t]+|was[ \t]+|:[ \t]*)?)"
    r"(?:[A-HJ-NPR-Y][ \t]?\d{1,3}[ \t]?[A-Z]{3}|[A-Z]{3}[ \t]?\d{1,3}[ \t]?[A-HJ-NPR-Y]|[A-Z]{2}[ \t]?\d\d[ \t]?[A-Z]{3})"
    r"(?![A-Za-z0-9])",
    re.IGNORECASE,
)


def _older(match: re.Match[str]) -> str:
    letters = re.sub(r"[^A-Z]", "", match.group(0))
    return match.group(0) if letters[-3:] in _COMMON or letters[:3] in _COMMON else "[vehicle]"


def mask_numbers(text: str) -> str:
    """Replace emails, identity and payment numbers, phones and references with labels.

    Args:
        text: Text whose kept parts (references, published numbers) are already set aside.

    Returns:
        The text with ``[email]``, ``[ni number]``, ``[card]``, ``[nhs number]``,
        ``[phone]``, ``[account]`` and ``[reference number]`` in place of what they name.
    """
    if "@" in text:
        text = EMAIL.sub("[email]", text)
    if not _FOUR_DIGITS.search(text):
        return text  # every rule below needs four digits or more: most log lines stop here
    text = _COUNCIL_TAX.sub("[account]", text)
    text = _ACCOUNT_AFTER_LEAD_IN.sub(lambda m: f"{m.group('lead')}[account]", text)
    # A lead-in says more than a check digit ("claim ID 9876543210" is not an NHS number).
    text = _REFERENCE_AFTER_LEAD_IN.sub(_reference, text)
    text = _NI.sub(_ni, text)
    text = _CARD.sub(_card, text)
    text = _NHS_AFTER_LEAD_IN.sub(lambda m: f"{m.group('lead')}[nhs number]", text)
    text = _NHS.sub(_nhs, text)
    text = _PHONE.sub(_phone, text)
    text = _BENEFIT.sub("[reference number]", text)
    return _CODE.sub("[reference number]", text)


def mask_vehicles(text: str) -> str:
    """Replace UK vehicle registrations with ``[vehicle]`` (run after postcodes).

    Args:
        text: Text whose postcodes are already masked.

    Returns:
        The text with each registration replaced.
    """
    text = _CURRENT.sub("[vehicle]", text)
    text = _OLDER_AFTER_LEAD_IN.sub(lambda m: f"{m.group('lead')}[vehicle]", text)
    return _OLDER.sub(_older, text)


def mask_long_numbers(text: str) -> str:
    """Replace remaining 8-10 digit numbers with ``[account]`` and longer ones with ``[number]``.

    Args:
        text: Text after every more specific rule has run.

    Returns:
        The text with long bare numbers replaced.
    """
    if not _FOUR_DIGITS.search(text):
        return text
    text = LONG_NUMBER.sub("[number]", ACCOUNT.sub("[account]", text))
    return _SPACED_NUMBER.sub(_spaced, text)
