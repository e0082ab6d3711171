"""How long the relay keeps what residents write, decided without Redis. Pure.

Everything holding personal data expires ``retention`` seconds after its last event
(``RELAY_RETENTION_DAYS``; docs/privacy.md lists every key). Two lists keep receiving new
items, so one key expiry cannot bound their oldest ones: the outbox of messages waiting
for the case system, and the messages set aside (``{prefix}:outbox:rejected``).

A message still waiting when it nears the end of the retention period is set aside with a
reason rather than dropped in silence: ``/health`` and the managers' page then show it, so
a supervisor can act on it before it has to be deleted.
"""

from __future__ import annotations

import json
from typing import Any

DAY = 86_400

# Why a message was set aside when the case system never took it in time.
WAITED_TOO_LONG = "the case system did not accept it within {waited}; it is deleted {kept} after it was left"


def set_aside_after(retention_seconds: int) -> int:
    """Seconds a message may wait for the case system before it is set aside.

    A day before it must be deleted, so a supervisor has a day to act on it; half the
    retention period when that is a day or less.
    """
    return max(retention_seconds - DAY, retention_seconds // 2)


def waited_too_long(left_at_ms: int, now_ms: int, retention_seconds: int) -> bool:
    """A waiting message has waited past ``set_aside_after`` (0 = time unknown: never)."""
    return bool(left_at_ms) and now_ms - left_at_ms > set_aside_after(retention_seconds) * 1000


def waited_reason(retention_seconds: int) -> str:
    """The reason recorded with a message set aside after waiting too long."""
    return WAITED_TOO_LONG.format(waited=_span(set_aside_after(retention_seconds)), kept=_span(retention_seconds))


def _span(seconds: int) -> str:
    if seconds % DAY == 0:
        days = seconds // DAY
        return f"{days} day" if days == 1 else f"{days} days"
    return f"{seconds // 3600} hours"


def left_at(raw: str) -> int:
    """When an outbox entry was left (Unix ms), or 0 for an entry without a time."""
    try:
        value: Any = json.loads(raw).get("left_at", 0)
        return int(value) if isinstance(value, (int, float)) and value > 0 else 0
    except (ValueError, AttributeError):
        return 0


def set_aside_entry(raw: str, reason: str, now_ms: int) -> str:
    """The entry kept for a message set aside: the message as it was, why, and when."""
    try:
        message: Any = json.loads(raw)
    except ValueError:
        message = raw  # kept as it was: a person can still read it
    # ASCII escapes: a lone surrogate (the reason some are set aside) cannot be sent to Redis raw.
    return json.dumps({"reason": reason, "set_aside_at": now_ms, "message": message})


def set_aside_message(raw: str) -> dict[str, Any]:
    """The message left inside an entry set aside, with why and when it was set aside
    (``set_aside_reason``, ``set_aside_at``); entries from before held the bare message.
    {} when it cannot be read."""
    try:
        entry: Any = json.loads(raw)
    except ValueError:
        return {}
    if isinstance(entry, dict) and isinstance(entry.get("message"), dict):
        why = {"set_aside_reason": entry.get("reason", ""), "set_aside_at": entry.get("set_aside_at", 0)}
        return {**entry["message"], **why}
    return entry if isinstance(entry, dict) else {}
