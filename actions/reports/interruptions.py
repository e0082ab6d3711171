"""Messages that are not answers to the report form's question. Pure: no I/O.

While a report is being taken, every message is first offered to the form as an answer.
These are the exceptions: urgent matters (never missed), a question about something else,
and buttons from earlier messages.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from bot.components.patterns import POSTCODE_IN_TEXT
from knowledge_base import urgent
from knowledge_base.routes import URGENT_ROUTES, decide_route, is_information_question, route_for_intent

CONTINUE = "continue"  # the resident pressed "carry on" for the report already under way
QUESTION_START = (
    "when ",
    "what ",
    "how ",
    "where ",
    "who ",
    "why ",
    "can ",
    "could ",
    "do ",
    "does ",
    "is ",
    "are ",
    "will ",
    "which ",
    "any ",
)
# Inside a report, a message that only the model (not an urgent phrase) thinks urgent
# interrupts only for the categories a report's answers never describe. "It's on the
# road" or "a danger to cyclists" answers the question asked, though out of context it
# sounds like a council emergency or danger; a real one mid-report ("a car has fallen in
# the hole", "someone's been stabbed") still matches an urgent phrase and interrupts.
MODEL_ONLY_CATEGORIES = frozenset({"crisis", "domestic_abuse", "safeguarding", "gas"})
# A question about something else is answered (and the report waits) at this confidence.
QUESTION_CONFIDENCE = 0.7
# A message that is not worded as a question still interrupts when the model is this sure
# it is about something else, but only while the form asks for something a sentence about
# another topic cannot be (a postcode, contact details, a choice, send or change). Answers
# to "where is it?" and "what is the problem?" name places and things ("by the library",
# "the bins are overflowing") that sound like other topics, so there a question is needed.
STATEMENT_CONFIDENCE = 0.85
NOT_SENTENCE_SLOTS = frozenset({"report_postcode", "report_contact", "report_confirmation", "report_attribute"})
EMAIL_OR_PHONE = re.compile(r"@|\b0\d{3}\s?\d{3}\s?\d{3,4}\b|\+44")


def interruption(
    message: dict[str, Any], report_service: str | None, article_ids: Iterable[str], requested_slot: str | None = None
) -> str | None:
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
    other_topic = route.startswith("faq:") or route in ("complaint", "track_request")
    if not other_topic or len(lowered.split()) < 3:
        return None
    is_question = (
        lowered.rstrip(" .!").endswith("?") or lowered.startswith(QUESTION_START) or is_information_question(text)
    )
    if is_question and confidence >= QUESTION_CONFIDENCE:
        return route
    answer_like = POSTCODE_IN_TEXT.search(text) or EMAIL_OR_PHONE.search(text)
    if requested_slot in NOT_SENTENCE_SLOTS and confidence >= STATEMENT_CONFIDENCE and not answer_like:
        return route
    return None
