"""Messages left for the contact centre (live_handoff.messages_left)."""

from __future__ import annotations

from live_handoff.messages_left import contact_key, outbox_entry, refused


def test_web_code_is_refused_before_the_case_system_sees_it():
    assert refused({"text": "<script>x</script>"}) and refused({"text": "hi", "name": "javascript:x"})
    assert not refused({"text": "My bin is 3 < 4 days late"})


def test_a_resend_is_the_same_outbox_entry():
    frame = {"client_id": "m1", "text": "Call me", "phone": "01632 960001", "call_back": True}
    assert outbox_entry("c_x", frame) == outbox_entry("c_x", dict(frame))
    assert outbox_entry("c_x", frame)["key"] == "c_x:m1"


def test_the_same_person_gets_the_same_code_whatever_the_spelling_and_nobody_gets_one_without_details():
    assert contact_key({"phone": "01632 960001"}, "s") == contact_key({"phone": "01632-960-001"}, "s")
    assert contact_key({"email": "A@Example.org "}, "s") == contact_key({"email": "a@example.org"}, "s")
    assert contact_key({"phone": "01632 960001"}, "s") != contact_key({"phone": "01632 960001"}, "t")
    assert contact_key({}, "s") == ""
