"""Status events (live_handoff.status): one builder for every change of mode, each event
as the contract says, naming the advisor or the reason where the change needs them."""

from __future__ import annotations

import pytest

from live_handoff import texts
from live_handoff.protocol import check_outgoing
from live_handoff.status import RULES, status_event


@pytest.mark.parametrize("kind", list(RULES))
@pytest.mark.parametrize("schema", ["resident_server", "advisor_server"])
def test_every_status_event_is_a_contract_status_frame_once_logged(kind, schema):
    event = status_event(kind, name="Sam", reason="resident_asked", at_ms=1_767_225_600_000)
    delivered = {**event, "id": "5-0", **({"conversation_id": "c_" + "a" * 22} if schema == "advisor_server" else {})}
    assert check_outgoing(delivered, schema) == []


def test_an_advisor_joining_names_them_in_the_event_and_the_words():
    event = status_event("joined", name="Sam")
    assert (event["mode"], event["change"], event["advisor"]) == ("advisor", "joined", "Sam")
    assert event["text"] == texts.JOINED.format(name="Sam")


def test_changes_into_the_queue_carry_their_reason():
    assert status_event("queued", reason="crisis")["reason"] == "crisis"
    assert status_event("unavailable", name="Sam", reason="gas")["mode"] == "queued"
    with pytest.raises(ValueError):
        status_event("queued")


def test_a_closed_chat_reopened_by_the_resident_is_a_hand_back_to_the_bot_in_its_own_words():
    event = status_event("reopened")
    assert (event["mode"], event["change"], event["text"]) == ("bot", "handed_back", texts.REOPENED)
    assert "advisor" not in event and "reason" not in event


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("closed_by_resident", texts.CLOSED_BY_RESIDENT),
        ("closed_idle", texts.CLOSED_IDLE),
        ("closed_by_advisor", texts.CLOSED_BY_ADVISOR.format(name="Sam")),
    ],
)
def test_each_way_a_chat_ends_has_its_own_words(kind, text):
    event = status_event(kind, name="Sam")
    assert (event["mode"], event["change"], event["text"]) == ("closed", "closed", text)


def test_the_time_is_the_moment_given():
    assert status_event("wait_cancelled", at_ms=0)["at"] == "1970-01-01T00:00:00+00:00"
