"""Which unanswered messages of a stopped relay process are asked again, and which the
resident is told about (live_handoff/unanswered.py)."""

from __future__ import annotations

import json

from live_handoff.unanswered import MESSAGE_ID_KEY, Waiting, log_order, parse_entry, plan, replies_in_tracker

NOW = 1_800_000_000_000
MINUTE = 60_000


def waiting(message_id: str, asked: str = "bins", age_ms: int = 1000) -> Waiting:
    return Waiting(message_id, asked, NOW - age_ms)


def test_recent_unanswered_messages_are_asked_again_in_log_order():
    found = plan(
        {"mode": "bot", "answered": "5-0"},
        [waiting("10-2", "third"), waiting("9-0", "first"), waiting("10-1", "second")],
        NOW,
        300,
    )
    assert [w.asked for w in found.reask] == ["first", "second", "third"]
    assert found.notice == [] and found.drop == []


def test_log_order_compares_numbers_not_text():
    assert log_order("10-0") > log_order("9-5")
    assert log_order("1700000000000-10") > log_order("1700000000000-9")


def test_messages_already_answered_need_nothing():
    found = plan({"mode": "bot", "answered": "10-1"}, [waiting("10-1"), waiting("9-0"), waiting("10-2")], NOW, 300)
    assert [w.message_id for w in found.drop] == ["9-0", "10-1"]
    assert [w.message_id for w in found.reask] == ["10-2"]


def test_a_conversation_an_advisor_has_or_that_ended_needs_nothing():
    for mode in ("queued", "advisor", "closed", None):
        conversation = {"mode": mode} if mode else {}
        found = plan(conversation, [waiting("9-0"), waiting("10-0")], NOW, 300)
        assert len(found.drop) == 2 and not found.reask and not found.notice


def test_a_resident_whose_last_message_is_too_old_is_told_once_and_can_try_it_again():
    found = plan(
        {"mode": "bot"},
        [waiting("9-0", "old", 9 * MINUTE), waiting("10-0", "newest", 6 * MINUTE)],
        NOW,
        300,
    )
    assert [w.asked for w in found.notice] == ["old", "newest"]
    assert found.reask == []
    assert found.retry_text == "newest"


def test_a_recent_last_message_has_every_unanswered_message_answered_in_order():
    found = plan(
        {"mode": "bot"},
        [waiting("9-0", "old", 9 * MINUTE), waiting("10-0", "recent", 1000)],
        NOW,
        300,
    )
    assert [w.asked for w in found.reask] == ["old", "recent"]
    assert found.notice == [] and found.retry_text == ""


def test_the_age_limit_is_the_setting():
    item = [waiting("9-0", age_ms=90_000)]
    assert plan({"mode": "bot"}, item, NOW, 60).notice
    assert plan({"mode": "bot"}, item, NOW, 120).reask


def test_stored_entries_are_read_and_unreadable_ones_are_refused():
    raw = json.dumps({"asked": '/faq{"x": 1}', "at": NOW, "owner": "abc"})
    assert parse_entry("9-0", raw) == Waiting("9-0", '/faq{"x": 1}', NOW)
    assert parse_entry("9-0", "not json") is None
    assert parse_entry("9-0", json.dumps({"owner": "abc"})) is None
    assert parse_entry("9-0", json.dumps(["a"])) is None


def user(message_id: str, text: str = "bins") -> dict:
    return {"event": "user", "text": text, "metadata": {MESSAGE_ID_KEY: message_id, "channel": "web"}}


def bot(text: str, **data) -> dict:
    return {"event": "bot", "text": text, "data": data}


LISTEN = {"event": "action", "name": "action_listen"}


def test_an_answer_rasa_finished_before_the_kill_is_read_from_its_tracker():
    route = {"route": {"name": "faq:bins"}}
    events = [
        LISTEN,
        user("9-0", "hello"),
        bot("Hi"),
        LISTEN,
        user("10-0"),
        {"event": "slot", "name": "x"},
        bot(None, custom=route),
        bot("Bins go out on Monday.", buttons=[{"title": "More", "payload": "/more"}]),
        LISTEN,
    ]
    assert replies_in_tracker(events, "10-0") == [
        {"text": None, "custom": route},
        {"text": "Bins go out on Monday.", "buttons": [{"title": "More", "payload": "/more"}]},
    ]
    assert replies_in_tracker(events, "9-0") == [{"text": "Hi"}]


def test_a_message_rasa_never_read_or_is_still_answering_is_asked_again():
    assert replies_in_tracker([LISTEN, user("9-0"), bot("Hi"), LISTEN], "10-0") is None
    assert replies_in_tracker([LISTEN, user("10-0"), bot("Bins go")], "10-0") is None
    assert replies_in_tracker([user("10-0"), user("11-0"), LISTEN], "10-0") is None
