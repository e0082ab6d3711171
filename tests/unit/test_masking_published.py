"""Masking keeps the phone numbers the council publishes: its list must match the
numbers in the knowledge base, the relay's texts and the national services' facts."""

from __future__ import annotations

import re

from bot.processes import ROOT
from contracts.masking import mask
from contracts.masking.published import COUNCIL_NUMBERS, NATIONAL_NUMBERS

# A UK number as content writes it: 0 then 9 or 10 more digits in groups.
_NUMBER = re.compile(r"(?<![\d+])0\d{2,4}(?:[ ]\d{2,6}){1,3}(?![\d])")


def digits(number: str) -> str:
    return re.sub(r"\D", "", number)


def published() -> set[str]:
    sources = [*ROOT.glob("knowledge_base/content/**/*.yml"), ROOT / "live_handoff" / "texts.py"]
    found = set()
    for path in sources:
        for number in _NUMBER.findall(path.read_text(encoding="utf-8")):
            if len(digits(number)) in (10, 11):
                found.add(digits(number))
    return found


def test_every_number_the_content_publishes_is_kept_by_masking():
    listed = {digits(n) for n in COUNCIL_NUMBERS + NATIONAL_NUMBERS}
    assert "01632960000" in published()  # the contact centre: the search finds numbers
    missing = sorted(published() - listed)
    assert not missing, f"add these to contracts/masking/published.py: {missing}"


def test_every_council_number_listed_is_still_published():
    unused = sorted({digits(n) for n in COUNCIL_NUMBERS} - published())
    assert not unused, f"no longer in the content, remove from contracts/masking/published.py: {unused}"


def test_each_listed_number_survives_masking():
    for number in COUNCIL_NUMBERS + NATIONAL_NUMBERS:
        assert mask(f"call {number} today") == f"call {number} today"
