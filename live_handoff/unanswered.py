"""What to do with resident messages a relay process acknowledged but never had the bot
answer (it was killed mid-turn): ask the bot again, in log order, or tell the resident
honestly that the message was not answered and offer "Try again".

Pure: no network. ``store_turns.TurnStore`` keeps the messages waiting for the bot and
hands a relay process those whose owner has stopped; ``rooms.bot_turns`` acts on the plan.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Waiting:
    """A resident message waiting for the bot: its log id, what the bot is asked (the text,
    or the payload of the button pressed), and when it was acknowledged (Unix ms)."""

    message_id: str
    asked: str
    at_ms: int


@dataclass
class Plan:
    """For one conversation: which messages to ask again (log order), which the resident
    is told about (one notice for all of them), which need nothing (already answered, or
    the conversation is no longer the bot's)."""

    reask: list[Waiting] = field(default_factory=list)
    notice: list[Waiting] = field(default_factory=list)
    drop: list[Waiting] = field(default_factory=list)

    @property
    def retry_text(self) -> str:
        """What "Try again" sends after the notice: the newest message it covers."""
        return self.notice[-1].asked if self.notice else ""


def log_order(message_id: str) -> tuple[int, ...]:
    """Sort key of a Redis stream id (``1700000000000-3``)."""
    return tuple(int(part) for part in message_id.split("-"))


def parse_entry(message_id: str, raw: str) -> Waiting | None:
    """One stored entry (``{"asked", "at", "owner"}``), or None when it is unreadable."""
    try:
        entry: Any = json.loads(raw)
        return Waiting(message_id, str(entry["asked"]), int(entry["at"]))
    except (ValueError, KeyError, TypeError):
        return None


def plan(conversation: dict[str, str], waiting: list[Waiting], now_ms: int, reask_within_seconds: float) -> Plan:
    """Decide, for the unanswered messages of one conversation left by a stopped process.

    Args:
        conversation: the conversation hash (``mode``, ``answered`` = last message answered).
        waiting: its messages waiting for the bot, in any order.
        now_ms: the time now (Unix ms).
        reask_within_seconds: a message older than this is not worth answering late.

    Returns:
        The plan. The age of the newest unanswered message decides for all of them: a
        resident who wrote recently is still there and gets every answer in order; one
        whose last message is old is told once, instead of receiving stale answers.
    """
    result = Plan()
    answered = log_order(conversation.get("answered") or "0-0")
    still = []
    for item in sorted(waiting, key=lambda w: log_order(w.message_id)):
        if conversation.get("mode") != "bot" or log_order(item.message_id) <= answered:
            # An advisor has the chat (they see the message) or it has ended, or the bot
            # has already answered it: nothing to do.
            result.drop.append(item)
        else:
            still.append(item)
    if not still:
        return result
    if now_ms - still[-1].at_ms > reask_within_seconds * 1000:
        result.notice = still
    else:
        result.reask = still
    return result


# What Rasa already did ---------------------------------------------------------------

# The metadata key that carries the relay's message id into Rasa's tracker (each user
# event keeps the metadata it came with), so a re-ask can tell whether Rasa read it.
MESSAGE_ID_KEY = "relay_message_id"


def replies_in_tracker(events: list[dict[str, Any]], message_id: str) -> list[dict[str, Any]] | None:
    """The bot's replies to ``message_id`` when Rasa has read and fully answered it, in the
    REST channel's shape (``{"text", "buttons", "custom"}``), else None.

    A process killed after Rasa answered, but before the answer was logged: asking again
    would have Rasa read the message twice (a form would take it as the answer to its own
    question); the answer is taken from the tracker instead. "Fully" means Rasa went back
    to listening after the replies (``action_listen``); until then it is still answering.
    """
    found = None
    for index, event in enumerate(events):
        if event.get("event") == "user" and (event.get("metadata") or {}).get(MESSAGE_ID_KEY) == message_id:
            found = index
    if found is None:
        return None
    replies = []
    for event in events[found + 1 :]:
        kind = event.get("event")
        if kind == "user":
            return None  # another message came first: not a finished answer to this one
        if kind == "bot":
            data = event.get("data") or {}
            reply: dict[str, Any] = {"text": event.get("text")}
            for name in ("buttons", "custom"):
                if data.get(name):
                    reply[name] = data[name]
            replies.append(reply)
        if kind == "action" and event.get("name") == "action_listen":
            return replies
    return None
