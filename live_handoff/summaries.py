"""What advisors and waiting residents are shown about conversations: the summary of a
conversation in the queue or in an advisor's chats, a resident's place in the queue, and
the summary of a handoff the resident started with a button. Pure: the rooms read Redis
through ``Store`` and pass the records in."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from live_handoff import queueing
from live_handoff.frames import ConversationSummary, QueuePosition, iso
from live_handoff.store import LoggedEvent


def conversation_summary(cid: str, conversation: dict[str, str], position: int | None = None) -> ConversationSummary:
    """One conversation as advisors' consoles list it.

    Args:
        cid: The conversation's id.
        conversation: Its record (``Store.conversation``).
        position: Its place in the queue, for the queue list.
    """
    item: ConversationSummary = {
        "conversation_id": cid,
        "mode": conversation.get("mode", "bot"),  # type: ignore[typeddict-item]
        "reason": conversation.get("reason") or None,
        "priority": conversation.get("priority") or None,
        "summary": json.loads(conversation.get("summary") or "null"),
        "created_at": iso(conversation.get("created_at")),
    }
    if conversation.get("queued_at"):
        item["queued_at"] = iso(conversation["queued_at"])
    if conversation.get("advisor"):
        item["advisor"] = conversation["advisor"]
    if conversation.get("page"):
        item["page"] = conversation["page"]
    if conversation.get("cases"):
        item["cases"] = json.loads(conversation["cases"])
    if position is not None:
        item["position"] = position
    return item


WaitInputs = tuple[int, int, float]  # free places, advisors available, typical handling seconds


def position_frame(position: int, inputs: WaitInputs) -> QueuePosition:
    """The ``queue`` frame telling a waiting resident their place and the expected wait."""
    wait = queueing.estimate_wait_seconds(position, *inputs)
    ahead = "You're next." if position == 1 else f"You're number {position} in the queue."
    return {
        "type": "queue",
        "position": position,
        "estimated_wait_seconds": wait,
        "text": f"{ahead} "
        + (
            f"Expected wait: {queueing.describe_wait(wait)}."
            if wait is not None
            else queueing.describe_wait(wait) + "."
        ),
    }


def handoff_summary(conversation: dict[str, str], logged: Iterable[LoggedEvent]) -> dict[str, Any]:
    """What the bot learnt, for a handoff the relay starts (the resident pressed a button):
    the last route and the last six turns of the resident and the bot."""
    route = json.loads(conversation.get("route") or "null") or {}
    turns = [
        {"from": item.event["from"], "text": item.event["text"][:1000]}
        for item in logged
        if item.event.get("type") == "message" and item.event.get("from") in ("resident", "bot")
    ]
    return {
        "route": route.get("name", "handoff"),
        "intent": route.get("intent", "handoff"),
        "confidence": float(route.get("confidence", 1.0)),
        "details": {},
        "last_turns": turns[-6:],
    }


def tracker_events(logged: Iterable[LoggedEvent]) -> list[dict[str, Any]]:
    """Rasa tracker events for the advisor's part of a conversation, recorded on hand-back
    so the bot carries on sensibly: any half-finished form is ended, and what the resident
    and the advisor said appears in the tracker."""
    events: list[dict[str, Any]] = [
        {"event": "active_loop", "name": None},
        {"event": "slot", "name": "requested_slot", "value": None},
    ]
    for item in logged:
        event = item.event
        if event.get("type") != "message" or event.get("from") not in ("resident", "advisor"):
            continue
        if event["from"] == "advisor":
            events.append(
                {"event": "bot", "text": event["text"], "metadata": {"from_advisor": event.get("author", "")}}
            )
        else:
            events.append({"event": "action", "name": "action_listen"})
            events.append(
                {
                    "event": "user",
                    "text": event["text"],
                    "parse_data": {"intent": {"name": "handoff", "confidence": 1.0}, "entities": []},
                    "metadata": {"during_handoff": True},
                }
            )
    events.append({"event": "action", "name": "action_listen"})
    return events
