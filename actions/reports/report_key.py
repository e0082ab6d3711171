"""The key a report is sent with, so a resend finds the case the first send made.

It is worked out from the conversation's events, which Rasa keeps (the tracker store),
not from the action server's memory or the clock at sending: a retry after a timeout,
a server error or an action server restart sends the same key, and a new report (after
one is sent, cancelled or swapped for another) gets a new one. Pure: no I/O.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

SLOT = "report_service"
# Events after which every slot is empty again (carry_over_slots_to_new_session is false).
RESETS = frozenset({"restart", "reset_slots", "session_started"})


def report_started(events: Iterable[dict[str, Any]]) -> dict[str, Any] | None:
    """The event that began the report now being taken: the last time ``report_service``
    changed to its current value. None when no report is being taken."""
    current: Any = None
    started: dict[str, Any] | None = None
    for event in events:
        kind = event.get("event")
        if kind in RESETS:
            current, started = None, None
        elif kind == "slot" and event.get("name") == SLOT:
            value = event.get("value")
            if value != current:
                current, started = value, (event if value else None)
    return started


def report_key(sender_id: str, events: Iterable[dict[str, Any]]) -> str | None:
    """``client_request_key`` for the report being taken, or None when none is.

    Args:
        sender_id: The conversation's id.
        events: The conversation's events, oldest first (``Tracker.events``).

    Returns:
        ``chat-`` and 32 hex digits, the same for every send of one report.
    """
    started = report_started(events)
    if started is None:
        return None
    seed = f"{sender_id}\n{started.get('value')}\n{started.get('timestamp')!r}"
    return "chat-" + hashlib.sha256(seed.encode()).hexdigest()[:32]
