"""Build the handoff payload the relay intercepts (contract: contracts/bot-messages.md).

Pure: takes what the tracker knows, returns a JSON-ready dict.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from contracts.handoff import ROUTE_URGENCY

# Why the resident is being passed to a person, from the route of the message before
# "talk to an advisor" (buttons offer it after these routes): as the relay decides for the
# buttons (contracts/handoff.py), and after out of scope, because the bot did not understand.
REASON_AFTER_ROUTE = {
    **ROUTE_URGENCY,
    "out_of_scope": ("repeated_misunderstanding", "normal"),
}
MAX_TURNS = 6


def last_turns(events: Iterable[dict[str, Any]], limit: int = MAX_TURNS) -> list[dict[str, str]]:
    """The last few resident and bot messages, oldest first."""
    turns = [
        {"from": "resident" if e["event"] == "user" else "bot", "text": e.get("text") or ""}
        for e in events
        if e.get("event") in ("user", "bot") and e.get("text")
    ]
    return turns[-limit:]


def build_handoff(
    *,
    default_reason: str,
    default_priority: str,
    previous_route: str | None,
    route: str,
    intent: str,
    confidence: float,
    details: dict[str, str],
    events: Iterable[dict[str, Any]],
) -> dict[str, Any]:
    """The ``{"handoff": {...}}`` custom payload."""
    reason, priority = REASON_AFTER_ROUTE.get(previous_route or "", (default_reason, default_priority))
    return {
        "handoff": {
            "reason": reason,
            "priority": priority,
            "summary": {
                "route": previous_route or route,
                "intent": intent,
                "confidence": round(confidence, 4),
                "details": {k: v for k, v in details.items() if v},
                "last_turns": last_turns(events),
            },
        }
    }
