"""Residents' contact details as people write them, normalised so they can be compared:
the relay's subject access search and the Open311 service's privacy extension find the
same person the same way."""

from __future__ import annotations

import re

# A run that may be a phone number: digits with the spaces, dots, brackets and dashes people
# put between them, optionally starting with +.
PHONE_IN_TEXT = re.compile(r"(?<![\w-])\+?\(?\d[\d\s().-]{7,}\d")
EMAIL_IN_TEXT = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")


def normalise_email(value: str) -> str:
    """An email address trimmed and in lower case ("" when it is not one)."""
    value = (value or "").strip().lower()
    return value if EMAIL_IN_TEXT.fullmatch(value) else ""


def normalise_phone(value: str) -> str:
    """A UK phone number as its digits in national form: ``+44 (0)7700 900123``,
    ``07700-900-123`` and ``447700900123`` are all ``07700900123`` ("" unless it has 10 digits or more, starting 0)."""
    digits = re.sub(r"\D", "", value or "")
    if digits.startswith("44") and len(digits) >= 12:
        digits = digits[2:]
        digits = digits[1:] if digits.startswith("0") else digits
        digits = "0" + digits
    return digits if len(digits) >= 10 and digits.startswith("0") else ""


def phones_in(text: str) -> set[str]:
    """Every phone number written in ``text``, normalised."""
    found = {normalise_phone(m.group()) for m in PHONE_IN_TEXT.finditer(text or "")}
    found.discard("")
    return found


def emails_in(text: str) -> set[str]:
    """Every email address written in ``text``, normalised."""
    return {m.group().lower().strip(".") for m in EMAIL_IN_TEXT.finditer(text or "")}
