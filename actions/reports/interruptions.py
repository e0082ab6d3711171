"""Messages that are not answers to the report form's question. Pure: no I/O.

While a report is being taken, every message is first offered to the form as an answer.
These are the exceptions: urgent matters (never missed), a question about something else,
and buttons from earlier messages.
"""

from __future__ import annotations

from typing import Any, Iterable

from knowledge_base import urgent
from knowledge_base.routes import URGENT_ROUTES, decide_route, route_for_intent

CONTINUE = "continue"  # the resident pressed "carry on" for the report already under way
QUESTION_START = ("when ", "what ", "how ", "where ", "who ", "why ", "can ", "could ", "do ", "does ", "is ",
                  "are ", "will ", "which ", "any ")
# Inside a report, a message that only the model (not an urgent phrase) thinks urgent
# interrupts only for the categories a report's answers never describe. "It's on the
# road" or "a danger to cyclists" answers the question asked, though out of context it
# sounds like a council emergency or danger; a real one mid-report ("a car has fallen in
# the hole", "someone's been stabbed") still matches an urgent phrase and interrupts.
MODEL_ONLY_CATEGORIES = frozenset({"crisis", "domestic_abuse", "safeguarding", "gas"})


def interruption(message: dict[str, Any], report_service: str | None, article_ids: Iterable[str]) -> str | None:
    """The route to answer instead of taking ``message`` as a form answer, CONTINUE, or None."""
    text = (message.get("text") or "").strip()
    intent = (message.get("intent") or {}).get("name") or ""
    article_ids = list(article_ids)
    if text.startswith("/"):
        if intent == f"request_{report_service}":
            return CONTINUE
        return route_for_intent(intent, article_ids)
    route, top_intent, confidence = decide_route(message, article_ids)
    if route in URGENT_ROUTES:
        if message.get("urgent_phrase"):
            return route
        return route if urgent.BY_ROUTE[route].name in MODEL_ONLY_CATEGORIES else None
    lowered = text.lower()
    is_question = lowered.endswith("?") or lowered.startswith(QUESTION_START)
    other_topic = route.startswith("faq:") or route in ("complaint", "track_request")
    if other_topic and confidence >= 0.8 and is_question and len(lowered.split()) >= 3:
        return route
    return None
