"""What a routed bot turn teaches content editors: questions the bot could not answer,
and which offered article a resident chose. Pure; ``BotTurns`` records what it returns."""

from __future__ import annotations

import json
from typing import Any

from live_handoff import masking

# The conversation field holding the last offer of suggestions, until the next routed turn.
OFFERED = "offered"


EditorEvent = tuple[str, dict[str, Any]]  # (kind, fields) for Store.record


def editor_events(route: dict[str, Any], asked: str, offered: str) -> tuple[list[EditorEvent], str | None]:
    """What one routed turn teaches editors: events to record, and the offer to remember.

    Pure. Questions are masked (they reach the editors' page); nothing is kept from a turn
    that carried urgent numbers (what a resident in crisis wrote is not for editors). An
    offer lasts one routed turn: the resident presses one of its buttons next, or moves on.

    Args:
        route: The turn's route metadata (contracts/README.md, "Routes").
        asked: What the relay sent the bot: the resident's words, or a button's payload.
        offered: The conversation's remembered offer (JSON), or "".

    Returns:
        ``(events, remember)``: events as ``(kind, fields)`` for ``Store.record``;
        ``remember`` is the new offer (JSON), "" to forget the old one, None to leave it.
    """
    name = str(route.get("name") or "")
    typed = bool(asked) and not asked.startswith("/")  # a payload is a button, not words
    remember = "" if offered else None
    if route.get("signposts") or name.startswith("urgent:"):
        return [], remember
    if name in ("out_of_scope", "missing_topic") and typed:
        # What the bot could not answer, so editors can write new articles.
        fields: dict[str, Any] = {"text": masking.mask(asked)[:300]}
        topic = route.get("topic")
        if name == "missing_topic" and isinstance(topic, str) and topic.strip():
            fields["topic"] = topic.strip()[:80]
        return [("unanswered", fields)], remember
    if name == "suggest" and typed:
        suggestions = [s for s in route.get("suggestions") or [] if isinstance(s, str) and s.startswith("faq:")][:3]
        if suggestions:
            remember = json.dumps({"question": masking.mask(asked)[:300], "suggestions": suggestions})
        return [], remember
    if name.startswith("faq:") and offered and asked.startswith("/"):
        try:
            offer = json.loads(offered)
            # Masked again: an offer remembered by an earlier version was masked by its
            # (weaker) rules, and masking a masked question changes nothing.
            chosen = masking.mask(str(offer["question"]))[:300] if name in list(offer["suggestions"]) else ""
        except (ValueError, KeyError, TypeError):
            chosen = ""  # a field written by another version: forget it
        if chosen:
            return [("suggestion_chosen", {"question": chosen, "route": name})], remember
    return [], remember
