from actions.handoff import build_handoff, last_turns


def events(n):
    out = []
    for i in range(n):
        out.append({"event": "user", "text": f"resident {i}"})
        out.append({"event": "action", "name": "action_route_message"})
        out.append({"event": "bot", "text": f"bot {i}"})
    return out


def test_last_turns_keeps_the_six_most_recent_messages_in_order():
    turns = last_turns(events(5))
    assert len(turns) == 6
    assert turns[0] == {"from": "resident", "text": "resident 2"}
    assert turns[-1] == {"from": "bot", "text": "bot 4"}


def handoff_after(previous_route):
    return build_handoff(
        default_reason="resident_asked",
        default_priority="normal",
        previous_route=previous_route,
        route="handoff",
        intent="handoff",
        confidence=1.0,
        details={"postcode": "NB4 2QT", "reference": ""},
        events=events(1),
    )["handoff"]


def test_handoff_after_safeguarding_is_urgent():
    payload = handoff_after("urgent:safeguarding")
    assert (payload["reason"], payload["priority"]) == ("safeguarding", "urgent")
    assert payload["summary"]["route"] == "urgent:safeguarding"


def test_handoff_after_misunderstandings_says_so():
    assert handoff_after("out_of_scope")["reason"] == "repeated_misunderstanding"


def test_direct_request_for_a_person_is_normal_priority_and_keeps_given_details_only():
    payload = handoff_after(None)
    assert (payload["reason"], payload["priority"]) == ("resident_asked", "normal")
    assert payload["summary"]["details"] == {"postcode": "NB4 2QT"}
