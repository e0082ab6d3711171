"""Handoffs to a live advisor: reasons, priorities, and the reason and priority of a
handoff a resident asks for straight after a route.

The enums are those of ``schemas/bot_handoff.schema.json`` (a test keeps them equal). The
bot's handoff payloads and the relay's button handoffs both take their urgency from
:data:`ROUTE_URGENCY`, and ``knowledge_base/urgent.py`` takes each urgent category's
queue band from :data:`URGENT_PRIORITY`.
"""

from __future__ import annotations

PRIORITIES = ("urgent", "high", "normal")

# Urgent category -> the advisors' queue band: people at risk first, hazards next.
URGENT_PRIORITY = {
    "crisis": "urgent",
    "domestic_abuse": "urgent",
    "safeguarding": "urgent",
    "danger": "urgent",
    "gas": "high",
    "power": "high",
    "emergency": "high",
}

REASONS = ("resident_asked", *URGENT_PRIORITY, "complaint", "repeated_misunderstanding", "service_unavailable")

# After any urgent route the category's name is the reason and its band the priority.
ROUTE_URGENCY: dict[str, tuple[str, str]] = {
    **{f"urgent:{name}": (name, priority) for name, priority in URGENT_PRIORITY.items()},
    "complaint": ("complaint", "normal"),
}
DEFAULT_URGENCY = ("resident_asked", "normal")


def reason_after(route_name: str) -> tuple[str, str]:
    """(reason, priority) of a handoff the resident asks for after the route ``route_name``."""
    return ROUTE_URGENCY.get(route_name, DEFAULT_URGENCY)
