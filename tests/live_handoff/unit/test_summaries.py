"""What consoles and waiting residents are shown (live_handoff.summaries), as the contract
says, and what Rasa is told about the advisor's part."""

from __future__ import annotations

import json

from live_handoff.protocol import check_outgoing
from live_handoff.store import LoggedEvent
from live_handoff.summaries import conversation_summary, handoff_summary, position_frame, tracker_events

CID = "c_" + "a" * 22
SUMMARY = {"route": "faq:council-tax", "intent": "council_tax", "confidence": 0.9, "details": {}, "last_turns": []}


def test_a_queued_conversation_is_listed_as_the_contract_says():
    conversation = {
        "mode": "queued",
        "reason": "crisis",
        "priority": "urgent",
        "summary": json.dumps(SUMMARY),
        "created_at": "1767225600000",
        "queued_at": "1767225660000",
        "page": "https://x.example/bins",
        "cases": json.dumps(["NB-2026-000042"]),
    }
    item = conversation_summary(CID, conversation, position=1)
    assert item["position"] == 1 and item["cases"] == ["NB-2026-000042"]
    assert check_outgoing({"type": "queue", "items": [item]}, "advisor_server") == []


def test_a_conversation_the_bot_still_has_lists_nulls_not_blanks():
    item = conversation_summary(CID, {"mode": "bot", "created_at": "1767225600000"})
    assert (item["reason"], item["priority"], item["summary"]) == (None, None, None)
    assert "position" not in item and "queued_at" not in item
    assert check_outgoing({"type": "chats", "items": [item]}, "advisor_server") == []


def test_the_next_resident_is_told_they_are_next():
    frame = position_frame(1, (1, 1, 300.0))
    assert frame["text"].startswith("You're next.")
    assert check_outgoing(frame, "resident_server") == []


def test_a_handoff_from_a_button_is_summarised_from_the_last_route_and_turns():
    logged = [
        LoggedEvent(f"{i}-0", {"type": "message", "from": "resident" if i % 2 else "bot", "text": f"t{i}"}, "all")
        for i in range(1, 10)
    ]
    logged.append(LoggedEvent("10-0", {"type": "status", "mode": "bot", "text": "x"}, "all"))
    summary = handoff_summary({"route": json.dumps({"name": "suggest", "intent": "x", "confidence": 0.4})}, logged)
    assert summary["route"] == "suggest" and summary["confidence"] == 0.4
    assert [t["text"] for t in summary["last_turns"]] == ["t4", "t5", "t6", "t7", "t8", "t9"]


def test_rasa_hears_the_resident_and_the_advisor_but_not_the_system_or_notes():
    logged = [
        LoggedEvent("1-0", {"type": "message", "from": "resident", "text": "help"}, "all"),
        LoggedEvent("2-0", {"type": "note", "author": "Sam", "text": "private"}, "advisors"),
        LoggedEvent("3-0", {"type": "message", "from": "system", "text": "queued"}, "all"),
        LoggedEvent("4-0", {"type": "message", "from": "advisor", "author": "Sam", "text": "hello"}, "all"),
    ]
    events = tracker_events(logged)
    assert events[0] == {"event": "active_loop", "name": None}
    assert [e.get("text") for e in events if e["event"] in ("user", "bot")] == ["help", "hello"]
    assert events[-1] == {"event": "action", "name": "action_listen"}
