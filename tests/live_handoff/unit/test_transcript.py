"""The transcript a resident downloads."""

from live_handoff.store import LoggedEvent
from live_handoff.transcript import render


def test_the_transcript_shows_what_the_resident_saw_in_london_time_and_never_notes():
    events = [
        LoggedEvent(
            "1-0", {"type": "message", "at": "2026-07-01T09:00:00+00:00", "from": "resident", "text": "hi"}, "all"
        ),
        LoggedEvent(
            "2-0",
            {
                "type": "message",
                "at": "2026-07-01T09:00:01+00:00",
                "from": "bot",
                "text": "Hello.",
                "buttons": [{"title": "Talk to an advisor", "action": "request_advisor"}],
            },
            "all",
        ),
        LoggedEvent(
            "3-0",
            {
                "type": "status",
                "at": "2026-07-01T09:01:00+00:00",
                "mode": "advisor",
                "text": "Sam has joined the chat.",
            },
            "all",
        ),
        LoggedEvent(
            "4-0", {"type": "note", "at": "2026-07-01T09:02:00+00:00", "author": "Sam", "text": "secret"}, "advisors"
        ),
        LoggedEvent(
            "5-0",
            {
                "type": "message",
                "at": "2026-07-01T09:03:00+00:00",
                "from": "advisor",
                "author": "Sam",
                "text": "How can I help?",
            },
            "all",
        ),
    ]
    text = render("c_abcdefghijklmnopqrstuv", events)
    assert "10:00  You: hi" in text  # 09:00 UTC is 10:00 BST
    assert "10:00  Assistant: Hello." in text and "[Talk to an advisor]" in text
    assert "10:01  -- Sam has joined the chat." in text
    assert "10:03  Sam (advisor): How can I help?" in text
    assert "secret" not in text
