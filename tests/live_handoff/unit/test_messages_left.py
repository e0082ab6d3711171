"""Messages left for the contact centre (live_handoff.messages_left)."""

from __future__ import annotations

import pytest

from live_handoff.messages_left import MessageRefusedError, checked, contact_key, outbox_entry
from live_handoff.protocol import check_outgoing

GOOD = {"type": "leave_message", "client_id": "m1", "text": "Call me", "phone": "01632 960001"}


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"name": "Jo \ud800"}, "name", "Your name has a character we cannot read"),
        ({"email": "javascript:x@example.zz"}, "email", 'Your email address cannot contain < > or "javascript:"'),
        ({"email": "jo@example"}, "email", "Your email address does not look right"),
        ({"text": "<script>x</script>"}, "text", "Your message cannot contain"),
        ({"text": "hello\x00"}, "text", "Your message has a hidden control character"),
        ({"name": "J" * 101}, "name", "Your name is too long: it can be up to 100 characters and has 101"),
    ],
)
def test_a_message_the_case_system_would_refuse_is_refused_naming_the_field(change, field, words):
    with pytest.raises(MessageRefusedError) as refused:
        checked({**GOOD, **change})
    frame = refused.value.frame()
    assert frame["code"] == "invalid" and frame["field"] == field and frame["client_id"] == "m1"
    assert frame["message"].startswith(words)
    assert check_outgoing(frame, "resident_server") == []  # the contract allows the field


def test_ordinary_messages_pass_and_are_stored_as_they_will_be_sent():
    assert checked({**GOOD, "text": "My bin is 3 < 4 days late", "name": "  Jo   Bloggs "}) == {
        "text": "My bin is 3 < 4 days late",
        "name": "Jo Bloggs",
        "phone": "01632 960001",
        "email": "",
    }


def test_a_resend_is_the_same_outbox_entry():
    frame = {"client_id": "m1", "text": "Call me", "phone": "01632 960001", "call_back": True}
    assert outbox_entry("c_x", frame) == outbox_entry("c_x", dict(frame))
    assert outbox_entry("c_x", frame)["key"] == "c_x:m1"


def test_the_same_person_gets_the_same_code_whatever_the_spelling_and_nobody_gets_one_without_details():
    assert contact_key({"phone": "01632 960001"}, "s") == contact_key({"phone": "01632-960-001"}, "s")
    assert contact_key({"email": "A@Example.org "}, "s") == contact_key({"email": "a@example.org"}, "s")
    assert contact_key({"phone": "01632 960001"}, "s") != contact_key({"phone": "01632 960001"}, "t")
    assert contact_key({}, "s") == ""
