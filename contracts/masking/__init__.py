"""Mask residents' personal data in text: log lines, reports, public case descriptions.

Logs outlive conversations and are read by people who have no need to see a resident's
phone number or address, so anything that looks personal is replaced with a label such
as ``[phone]``. Masking errs towards hiding: an over-masked log line is an inconvenience,
an under-masked one is a data breach. Kept verbatim: service request references
(``NB-2026-000123``) and conversation ids (``c_...``), because they are how a log line is
traced, and published phone numbers (``contracts.masking.published``).

Labels: ``[email]``, ``[phone]``, ``[postcode]``, ``[address]``, ``[name]``,
``[ni number]``, ``[nhs number]``, ``[card]``, ``[date of birth]``, ``[vehicle]``,
``[reference number]``, ``[account]``, ``[number]``, ``[location]`` (map links and
latitude, longitude pairs).

Hand-written patterns, with check digits from python-stdnum: Presidio, the well-kept
library for the whole job, needs a spaCy English model downloaded at install time, which
this project cannot ship offline, and knows few UK identifiers.
"""

from __future__ import annotations

import re

from contracts.masking.coordinates import mask_coordinates
from contracts.masking.dates import mask_dates_of_birth
from contracts.masking.names import mask_names
from contracts.masking.numbers import mask_long_numbers, mask_numbers, mask_vehicles
from contracts.masking.places import mask_places
from contracts.masking.published import PUBLISHED_IN_TEXT
from contracts.references import REFERENCE_IN_TEXT

__all__ = ["LABELS", "mask"]

LABELS = (
    "[email]",
    "[phone]",
    "[postcode]",
    "[address]",
    "[name]",
    "[ni number]",
    "[nhs number]",
    "[card]",
    "[date of birth]",
    "[vehicle]",
    "[reference number]",
    "[account]",
    "[number]",
    "[location]",
)

_CONVERSATION_ID = re.compile(r"(?<![A-Za-z0-9])c_[A-Za-z0-9_-]{6,}")
# Kept parts wait in the text as private-use characters: no pattern matches them, and
# they hold no digit or letter a number pattern could join onto.
_DIGIT = re.compile(r"\d")
_KEPT = re.compile("\x00([\ue000-\uf8ff])\x00")


def mask(text: str) -> str:
    """Replace personal data in ``text`` with labels.

    Pure and idempotent: masking a masked text changes nothing.

    Args:
        text: A log message, a resident's question or a case description.

    Returns:
        The text with each item replaced by one of ``LABELS``.
    """
    kept: list[str] = []

    def keep(match: re.Match[str]) -> str:
        kept.append(match.group(0))
        return f"\x00{chr(0xE000 + len(kept) - 1)}\x00" if len(kept) <= 0x18FF else match.group(0)

    text = REFERENCE_IN_TEXT.sub(keep, text)
    text = _CONVERSATION_ID.sub(keep, text)
    text = PUBLISHED_IN_TEXT.sub(keep, text)
    # Order matters: identifiers with check digits before the phones and accounts they
    # resemble, places before registrations (postcodes look like them), names last so a
    # lead-in never swallows an email or an address.
    if _DIGIT.search(text):
        text = mask_coordinates(text)  # before the numbers: a coordinate is not a [number]
    if _DIGIT.search(text) or "@" in text:
        text = mask_numbers(text)
        text = mask_dates_of_birth(text)
    text = mask_places(text)  # house names need no digit
    if _DIGIT.search(text):
        text = mask_vehicles(text)
        text = mask_long_numbers(text)
    text = mask_names(text)

    def restore(match: re.Match[str]) -> str:
        index = ord(match.group(1)) - 0xE000
        return kept[index] if index < len(kept) else match.group(0)

    return _KEPT.sub(restore, text) if kept else text
