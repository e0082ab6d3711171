"""How long waiting and set-aside messages are kept (pure)."""

from __future__ import annotations

import json

import pytest

from live_handoff import retention
from live_handoff.store import now_ms


@pytest.mark.parametrize("days", [1, 2, 90])
def test_a_waiting_message_is_set_aside_before_it_must_be_deleted(days):
    seconds = days * 86_400
    after = retention.set_aside_after(seconds)
    assert 0 < after < seconds and seconds - after <= 86_400
    left = now_ms() - after * 1000
    assert not retention.waited_too_long(left + 1000, now_ms(), seconds)
    assert retention.waited_too_long(left - 1000, now_ms(), seconds)
    assert not retention.waited_too_long(0, now_ms(), seconds), "an entry without a time is never set aside"


def test_a_set_aside_entry_keeps_the_message_as_it_was_with_its_reason_and_time():
    raw = json.dumps({"left_at": 5, "text": "Call me", "name": "Jo"})
    entry = json.loads(retention.set_aside_entry(raw, "Open311 refused it (400)", 7))
    assert entry == {"reason": "Open311 refused it (400)", "set_aside_at": 7, "message": json.loads(raw)}
    assert retention.left_at(raw) == 5 and retention.left_at("not json") == 0 and retention.left_at("{}") == 0


def test_the_reason_says_when_a_waiting_message_was_set_aside_and_when_it_goes():
    assert retention.waited_reason(90 * 86_400) == (
        "the case system did not accept it within 89 days; it is deleted 90 days after it was left"
    )
    assert retention.waited_reason(86_400).startswith("the case system did not accept it within 12 hours;")
