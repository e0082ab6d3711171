"""A small, hand-written month of events (October 2026) whose figures the tests work out
by hand. Times are UTC; October 2026 is BST (UTC+1) until 01:00 UTC on Sunday 25th, GMT
after. c00 is in September (local time) and only matters for repeat contact."""

from __future__ import annotations

import datetime as dt

from insight.events import Event

UTC = dt.timezone.utc


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


def conversation(cid: str, start: str, *steps: tuple) -> list[Event]:
    """Events of one conversation: ``steps`` are (seconds after the start, kind, fields)."""
    begin = at(start)
    events = [Event(begin, "conversation_started", cid, {"page": "https://www.northbridge.gov.uk/"})]
    for seconds, kind, fields in steps:
        events.append(Event(begin + dt.timedelta(seconds=seconds), kind, cid, dict(fields)))
    return events


def route(name: str) -> dict:
    return {"route": name, "confidence": 0.9}


UNANSWERED_SCRIPT = "<script>alert(1)</script> where is my polling station"


def small_log() -> list[Event]:
    events: list[Event] = []
    add = events.extend
    # Wed 30 Sep 23:30 local: before the period; creates the case c03 chases.
    add(
        conversation(
            "c00",
            "2026-09-30T22:30:00",
            (10, "route", route("request:pothole")),
            (300, "case_created", {"service_code": "pothole", "reference": "NB-2026-000100"}),
        )
    )
    # Thu 1 Oct 00:30 local (23:30 UTC the day before): in the period. Resolved by the bot.
    add(
        conversation(
            "c01",
            "2026-09-30T23:30:00",
            (5, "route", route("smalltalk:greet")),
            (20, "route", route("faq:bin-collection-day")),
            (60, "closed", {"by": "resident"}),
            (70, "rating", {"score": 5, "advisor": ""}),
        )
    )
    # Thu 1 Oct 09:05: FAQ, then an advisor (wait 60 s, handling 300 s); rated 4, then 5.
    add(
        conversation(
            "c02",
            "2026-10-01T08:05:00",
            (10, "route", route("faq:council-tax-pay")),
            (40, "route", route("handoff")),
            (41, "handoff", {"reason": "resident_asked", "priority": "normal", "outcome": "queued"}),
            (
                101,
                "claimed",
                {"advisor": "a.patel", "waited_seconds": 60.0, "reason": "resident_asked", "priority": "normal"},
            ),
            (401, "advisor_finished", {"how": "advisor", "advisor": "a.patel", "handled_seconds": 300.0}),
            (402, "closed", {"by": "advisor"}),
            (420, "rating", {"score": 4, "advisor": "a.patel"}),
            (430, "rating", {"score": 5, "advisor": "a.patel"}),
        )
    )
    # Fri 2 Oct 10:00: chases c00's case, created 1 day 10 h before: repeat (reference).
    add(
        conversation(
            "c03",
            "2026-10-02T09:00:00",
            (15, "reference_mentioned", {"reference": "NB-2026-000100"}),
            (16, "route", route("track_request")),
        )
    )
    # Fri 2 Oct 11:00: reports a missed bin.
    add(
        conversation(
            "c04",
            "2026-10-02T10:00:00",
            (10, "route", route("request:missed_bin")),
            (60, "case_created", {"service_code": "missed_bin", "reference": "NB-2026-000101"}),
        )
    )
    # Sat 3 Oct 20:00: not understood twice, closed, leaves a message.
    add(
        conversation(
            "c05",
            "2026-10-03T19:00:00",
            (10, "route", route("out_of_scope")),
            (11, "unanswered", {"text": "Can I get a skip permit?"}),
            (40, "route", route("out_of_scope")),
            (41, "unanswered", {"text": "how do I apply for a skip permit"}),
            (60, "handoff", {"reason": "repeated_misunderstanding", "priority": "normal", "outcome": "closed"}),
            (200, "message_left", {"reference": "NB-2026-000102", "queued": False, "contact": "aaaa1111"}),
        )
    )
    # Mon 5 Oct 09:10: complaint (wait 120 s, transferred, handling 600 s), rated 2.
    add(
        conversation(
            "c06",
            "2026-10-05T08:10:00",
            (10, "route", route("complaint")),
            (30, "handoff", {"reason": "complaint", "priority": "normal", "outcome": "queued"}),
            (
                150,
                "claimed",
                {"advisor": "j.okafor", "waited_seconds": 120.0, "reason": "complaint", "priority": "normal"},
            ),
            (300, "transferred", {"advisor": "j.okafor", "to": "s.murray"}),
            (750, "advisor_finished", {"how": "resident", "advisor": "s.murray", "handled_seconds": 600.0}),
            (751, "closed", {"by": "resident"}),
            (800, "rating", {"score": 2, "advisor": "s.murray"}),
        )
    )
    # Mon 5 Oct 09:40: safeguarding (wait 30 s, handling 900 s).
    add(
        conversation(
            "c07",
            "2026-10-05T08:40:00",
            (10, "route", route("urgent:safeguarding")),
            (12, "handoff", {"reason": "safeguarding", "priority": "urgent", "outcome": "queued"}),
            (
                42,
                "claimed",
                {"advisor": "l.chen", "waited_seconds": 30.0, "reason": "safeguarding", "priority": "urgent"},
            ),
            (942, "advisor_finished", {"how": "advisor", "advisor": "l.chen", "handled_seconds": 900.0}),
            (943, "closed", {"by": "advisor"}),
        )
    )
    # Tue 6 Oct 21:00: asks for an advisor when closed; message with c05's contact code,
    # 3 days after c05's: repeat (contact).
    add(
        conversation(
            "c08",
            "2026-10-06T20:00:00",
            (10, "route", route("handoff")),
            (11, "handoff", {"reason": "resident_asked", "priority": "normal", "outcome": "closed"}),
            (120, "message_left", {"reference": "NB-2026-000103", "queued": False, "contact": "aaaa1111"}),
        )
    )
    # Wed 7 Oct 13:00: the bot is down once, then answers two articles.
    add(
        conversation(
            "c09",
            "2026-10-07T12:00:00",
            (10, "bot_unavailable", {}),
            (100, "route", route("faq:parking-permits")),
            (160, "route", route("faq:blue-badge")),
        )
    )
    # Mon 12 Oct 10:00: chases c04's case, created 9 days 23 h before: outside the 7 days.
    add(
        conversation(
            "c10",
            "2026-10-12T09:00:00",
            (10, "reference_mentioned", {"reference": "NB-2026-000101"}),
            (11, "route", route("track_request")),
        )
    )
    # Tue 13 Oct 14:00: a question the bot cannot answer, then leaves.
    add(
        conversation(
            "c11",
            "2026-10-13T13:00:00",
            (10, "route", route("out_of_scope")),
            (11, "unanswered", {"text": "when is the next election"}),
        )
    )
    # Wed 14 Oct 10:30: only says hello.
    add(conversation("c12", "2026-10-14T09:30:00", (5, "route", route("smalltalk:greet"))))
    # Thu 15 Oct 11:00: queues, gives up waiting.
    add(
        conversation(
            "c13",
            "2026-10-15T10:00:00",
            (10, "route", route("handoff")),
            (11, "handoff", {"reason": "resident_asked", "priority": "normal", "outcome": "queued"}),
            (200, "wait_cancelled", {}),
        )
    )
    # Tue 20 Oct 12:00: reports a pothole, then a question the bot cannot answer.
    add(
        conversation(
            "c16",
            "2026-10-20T11:00:00",
            (10, "route", route("request:pothole")),
            (90, "case_created", {"service_code": "pothole", "reference": "NB-2026-000104"}),
            (120, "route", route("out_of_scope")),
            (121, "unanswered", {"text": "When are the council elections?"}),
        )
    )
    # Wed 21 Oct 15:00: advisor (wait 600 s, handling 180 s), rated 5.
    add(
        conversation(
            "c17",
            "2026-10-21T14:00:00",
            (10, "route", route("faq:housing-repairs")),
            (30, "route", route("handoff")),
            (31, "handoff", {"reason": "resident_asked", "priority": "normal", "outcome": "queued"}),
            (
                631,
                "claimed",
                {"advisor": "a.patel", "waited_seconds": 600.0, "reason": "resident_asked", "priority": "normal"},
            ),
            (811, "advisor_finished", {"how": "advisor", "advisor": "a.patel", "handled_seconds": 180.0}),
            (812, "closed", {"by": "advisor"}),
            (830, "rating", {"score": 5, "advisor": "a.patel"}),
        )
    )
    # Thu 22 Oct 08:45: no advisor free; message saved for later (case service down).
    add(
        conversation(
            "c18",
            "2026-10-22T07:45:00",
            (10, "route", route("handoff")),
            (11, "handoff", {"reason": "resident_asked", "priority": "normal", "outcome": "no_advisor"}),
            (100, "message_left", {"queued": True, "contact": "bbbb2222"}),
        )
    )
    # Mon 26 Oct 09:10 GMT (clocks went back): advisor (wait 240 s, handling 420 s), handed back.
    add(
        conversation(
            "c14",
            "2026-10-26T09:10:00",
            (10, "route", route("faq:council-tax-pay")),
            (30, "route", route("handoff")),
            (31, "handoff", {"reason": "resident_asked", "priority": "normal", "outcome": "queued"}),
            (
                271,
                "claimed",
                {"advisor": "r.evans", "waited_seconds": 240.0, "reason": "resident_asked", "priority": "normal"},
            ),
            (691, "advisor_finished", {"how": "handed_back", "advisor": "r.evans", "handled_seconds": 420.0}),
        )
    )
    # Sat 31 Oct 23:30 GMT: unanswered (with markup), then an article; rated 3 after midnight.
    add(
        conversation(
            "c15",
            "2026-10-31T23:30:00",
            (10, "route", route("out_of_scope")),
            (11, "unanswered", {"text": UNANSWERED_SCRIPT}),
            (60, "route", route("faq:bin-collection-day")),
            (1500, "closed", {"by": "resident"}),
            (1510, "rating", {"score": 3, "advisor": ""}),
        )
    )
    # Not conversations, or not started in the log: ignored by the figures.
    events.append(Event(at("2026-10-05T07:30:00"), "presence", None, {"advisor": "a.patel", "status": "available"}))
    events.append(
        Event(
            at("2026-10-06T09:00:00"),
            "case_status_changed",
            None,
            {"reference": "NB-2026-000101", "extended_status": "FIXED", "advisor": "a.patel"},
        )
    )
    events.append(Event(at("2026-10-08T09:00:00"), "route", "c_unknown", route("faq:council-tax-pay")))
    return events


# Urgent contacts: a separate small log, so the hand-worked figures above stay as they are.
CRISIS_TEXT = "I don't want to be here any more, nothing helps"  # the bot missed it: out_of_scope
SIGNPOSTED_TEXT = "everything is on top of me and the bills keep coming"  # no urgent words; crisis numbers added
AFTER_CRISIS_TEXT = "where do I pay my rent"  # harmless words, but said in an urgent contact
UNANSWERED_SIGNPOSTS_TEXT = "someone keeps shouting at the children upstairs"  # signposts on the event itself
CONTENT_GAP_TEXT = "can I get a skip permit"


def urgent_log() -> list[Event]:
    """Eight urgent contacts and one ordinary question, in October 2026.

    By category (conversations; routed, signposted, missed; handoff requests):
    crisis 3 (u03; u02; u01; 1 handoff), domestic_abuse 2 (u06 u07; -; -; 3 handoffs),
    danger 1 (-; u09; -), gas 2 (u04 u05), power 1 (-; u05; -); safeguarding and emergency 0.
    Unanswered questions: 5, of which 4 are left out (u01 u02 u03 u09) and 1 shown (u08).
    """
    events: list[Event] = []
    add = events.extend
    add(
        conversation(
            "u01",
            "2026-10-05T20:00:00",
            (10, "route", route("out_of_scope")),
            (11, "unanswered", {"text": CRISIS_TEXT}),
            (40, "handoff", {"reason": "repeated_misunderstanding", "priority": "normal", "outcome": "closed"}),
        )
    )
    add(
        conversation(
            "u02",
            "2026-10-06T10:00:00",
            (10, "route", {**route("faq:council-tax-arrears"), "signposts": ["crisis"]}),
            (60, "route", {**route("out_of_scope"), "signposts": ["crisis"]}),
            (61, "unanswered", {"text": SIGNPOSTED_TEXT}),
        )
    )
    add(
        conversation(
            "u03",
            "2026-10-07T09:00:00",
            (10, "route", route("urgent:crisis")),
            (60, "route", route("handoff")),
            (61, "handoff", {"reason": "crisis", "priority": "urgent", "outcome": "queued"}),
            (90, "claimed", {"advisor": "l.chen", "waited_seconds": 29.0, "reason": "crisis", "priority": "urgent"}),
            (1290, "advisor_finished", {"how": "handed_back", "advisor": "l.chen", "handled_seconds": 1200.0}),
            (1400, "route", route("out_of_scope")),
            (1401, "unanswered", {"text": AFTER_CRISIS_TEXT}),
        )
    )
    add(conversation("u04", "2026-10-08T18:00:00", (10, "route", route("urgent:gas"))))
    add(conversation("u05", "2026-10-09T18:00:00", (10, "route", {**route("urgent:gas"), "signposts": ["power"]})))
    add(
        conversation(
            "u06",
            "2026-10-12T11:00:00",
            (10, "route", route("urgent:domestic_abuse")),
            (40, "route", route("handoff")),
            (41, "handoff", {"reason": "domestic_abuse", "priority": "urgent", "outcome": "queued"}),
            (
                50,
                "claimed",
                {"advisor": "a.patel", "waited_seconds": 9.0, "reason": "domestic_abuse", "priority": "urgent"},
            ),
        )
    )
    add(
        conversation(
            "u07",
            "2026-10-13T22:00:00",
            (10, "route", route("urgent:domestic_abuse")),
            (40, "handoff", {"reason": "domestic_abuse", "priority": "urgent", "outcome": "closed"}),
            (200, "handoff", {"reason": "domestic_abuse", "priority": "urgent", "outcome": "closed"}),
        )
    )
    add(
        conversation(
            "u08",
            "2026-10-14T12:00:00",
            (10, "route", route("out_of_scope")),
            (11, "unanswered", {"text": CONTENT_GAP_TEXT}),
        )
    )
    add(
        conversation(
            "u09",
            "2026-10-15T12:00:00",
            (10, "route", route("out_of_scope")),
            (11, "unanswered", {"text": UNANSWERED_SIGNPOSTS_TEXT, "signposts": ["danger"]}),
        )
    )
    return events
