"""Urgent categories: what a resident in crisis, in danger or reporting a hazard must be told.

Pure: no Rasa, no I/O beyond reading the phrases file when asked. The Rasa component
(``bot/components/urgent_matcher.py``), the routing rule (``knowledge_base/routes.py``),
content checks, the relay and the reports all read the categories from here, so they can
never disagree about which categories exist or which numbers each answer must carry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from contracts.handoff import URGENT_PRIORITY


@dataclass(frozen=True)
class Category:
    """One urgent category.

    Attributes:
        name: the route is ``urgent:<name>``, the intent ``urgent_<name>``, the handoff reason ``<name>``.
        priority: the advisors' queue band for a handoff from this category (contracts/handoff.py).
        numbers: numbers every answer for this category must give (FACTS.md says where each was checked).
        label: how staff read the category (console, reports).
    """

    name: str
    priority: str
    numbers: tuple[str, ...]
    label: str

    @property
    def route(self) -> str:
        return f"urgent:{self.name}"

    @property
    def intent(self) -> str:
        return f"urgent_{self.name}"


# In order of precedence: when a message matches several, the first decides the route and
# the others add their numbers to the answer (a person at risk of suicide who also
# mentions a gas smell hears about both).
CATEGORIES: tuple[Category, ...] = (
    Category(
        "crisis", URGENT_PRIORITY["crisis"], ("999", "116 123", "111"), "Crisis: suicide, self-harm or mental health"
    ),
    Category(
        "domestic_abuse",
        URGENT_PRIORITY["domestic_abuse"],
        ("999", "0808 2000 247", "01632 960210", "01632 960999"),
        "Domestic abuse",
    ),
    Category(
        "safeguarding",
        URGENT_PRIORITY["safeguarding"],
        ("999", "01632 960400", "01632 960300", "01632 960500"),
        "Safeguarding: a child or adult at risk",
    ),
    Category("danger", URGENT_PRIORITY["danger"], ("999", "101"), "Danger: crime, violence or someone hurt now"),
    Category("gas", URGENT_PRIORITY["gas"], ("0800 111 999", "999"), "Gas leak or carbon monoxide"),
    Category("power", URGENT_PRIORITY["power"], ("105", "999"), "Power cut or damaged power line"),
    Category("emergency", URGENT_PRIORITY["emergency"], ("999", "01632 960999"), "Council emergency"),
)
BY_NAME = {c.name: c for c in CATEGORIES}
BY_ROUTE = {c.route: c for c in CATEGORIES}
BY_INTENT = {c.intent: c for c in CATEGORIES}
URGENT_INTENTS = tuple(BY_INTENT)
URGENT_ROUTES = tuple(BY_ROUTE)

_NUMBER_RUN = re.compile(r"(?<![\d£.,])\d[\d ]*\d(?![\d.,]?\d)")


def numbers_in(text: str) -> set[str]:
    """Phone numbers written in ``text``, digits only (``"call **116 123**"`` -> ``{"116123"}``).

    A run of digits and single spaces counts as one number, so ``999`` is only found where it
    stands alone, never inside ``0800 111 999``.
    """
    plain = text.replace("*", " ").replace("\u00a0", " ")
    plain = re.sub(r"\(tel:[^)]*\)", "", plain)  # a Markdown tel: link repeats its number
    return {re.sub(r"\D", "", run) for run in _NUMBER_RUN.findall(plain)}


def missing_numbers(category: str, text: str) -> list[str]:
    """The category's required numbers that ``text`` does not give."""
    found = numbers_in(text)
    return [n for n in BY_NAME[category].numbers if re.sub(r"\D", "", n) not in found]


class UrgentPhrasesError(Exception):
    """The urgent phrases file is missing or holds an invalid pattern."""


def load_phrases(path: Path) -> dict[str, list[str]]:
    """Read and check the phrases file: ``{intent: [regex, ...]}``."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise UrgentPhrasesError(f"{path}: cannot be read: {exc}") from exc
    if not isinstance(data, dict):
        raise UrgentPhrasesError(f"{path}: must map each urgent intent to a list of patterns")
    phrases: dict[str, list[str]] = {}
    for intent, patterns in data.items():
        if intent not in BY_INTENT:
            raise UrgentPhrasesError(f"{path}: {intent!r} is not one of {', '.join(URGENT_INTENTS)}")
        if not isinstance(patterns, list) or not all(isinstance(p, str) and p for p in patterns):
            raise UrgentPhrasesError(f"{path}: {intent} must be a list of non-empty strings")
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise UrgentPhrasesError(f"{path}: {intent}: pattern {pattern!r} is invalid: {exc}") from exc
        phrases[intent] = patterns
    return phrases


def clean(text: str) -> str:
    """What patterns are matched against: curly quotes straightened, spaces collapsed."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    return " ".join(text.split())


class PhraseMatcher:
    """Which urgent categories a message's words name for certain."""

    def __init__(self, phrases: dict[str, list[str]]):
        self._compiled = [
            (category.intent, re.compile(pattern, re.IGNORECASE))
            for category in CATEGORIES
            for pattern in phrases.get(category.intent, [])
        ]

    def match_all(self, text: str) -> list[tuple[str, str]]:
        """``[(intent, matched words)]``, one per category found, in order of precedence."""
        cleaned = clean(text)
        found: dict[str, str] = {}
        for intent, pattern in self._compiled:
            if intent in found:
                continue
            hit = pattern.search(cleaned)
            if hit:
                found[intent] = hit.group(0)
        return list(found.items())

    def match(self, text: str) -> tuple[str, str] | None:
        """``(intent, matched words)`` for the first category found, else None."""
        hits = self.match_all(text)
        return hits[0] if hits else None
