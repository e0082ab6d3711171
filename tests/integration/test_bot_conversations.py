"""The real bot: Rasa server + action server + trained model, through the REST channel."""

import jsonschema

from knowledge_base import load_knowledge_base
from tests.integration.conftest import Conversation, buttons_of, handoff_of, route_of, text_of


def test_a_question_gets_the_article_answer_and_its_route(conversation, schemas):
    kb = load_knowledge_base()
    messages = conversation.say("what day do my bins get collected")
    route = route_of(messages)
    jsonschema.validate({"route": route}, schemas["bot_route"])
    assert route["name"] == "faq:bin-collection-day"
    first_paragraph = kb.article("bin-collection-day").answer.split("\n\n")[0]
    assert first_paragraph in text_of(messages)


def test_safeguarding_gets_999_the_safeguarding_lines_and_a_priority_advisor(conversation, schemas):
    messages = conversation.say("a child at my son's school told me her dad hits her")
    assert route_of(messages)["name"] == "urgent:safeguarding"
    text = text_of(messages)
    assert "999" in text and "01632 960400" in text and "01632 960500" in text
    assert buttons_of(messages) == [{"title": "Talk to an advisor now", "payload": "/handoff"}]

    handoff = handoff_of(conversation.say("/handoff"))
    jsonschema.validate({"handoff": handoff}, schemas["bot_handoff"])
    assert (handoff["reason"], handoff["priority"]) == ("safeguarding", "urgent")
    assert handoff["summary"]["last_turns"][0] == {
        "from": "resident",
        "text": "a child at my son's school told me her dad hits her",
    }


def test_an_emergency_gets_the_emergency_line_at_once(conversation):
    messages = conversation.say("a big tree has fallen across the road outside my house")
    assert route_of(messages)["name"] == "urgent:emergency"
    assert "01632 960999" in text_of(messages)


def test_two_misunderstandings_in_a_row_lead_to_an_advisor_offer_not_a_loop(conversation):
    first = conversation.say("what is the best recipe for banana bread")
    assert route_of(first)["name"] == "out_of_scope"
    assert "can't help with that" in text_of(first)
    second = conversation.say("how many moons does jupiter have")
    assert route_of(second)["name"] == "out_of_scope"
    assert "Rather than keep guessing" in text_of(second)
    assert {"title": "Talk to an advisor", "payload": "/handoff"} in buttons_of(second)
    handoff = handoff_of(conversation.say("/handoff"))
    assert handoff["reason"] == "repeated_misunderstanding"


def test_an_understood_message_resets_the_misunderstanding_count(conversation):
    conversation.say("what is the capital of peru")
    conversation.say("how do i pay my council tax")
    again = conversation.say("what is the capital of peru")
    assert "can't help with that" in text_of(again) and "Rather than keep guessing" not in text_of(again)


def test_tracking_with_a_reference_anywhere_in_the_message(conversation):
    messages = conversation.say("hiya whats happening with nb-2026-000123 please")
    assert route_of(messages)["name"] == "track_request"
    assert "NB-2026-000123" in text_of(messages)


def test_tracking_without_a_reference_asks_for_it(conversation):
    messages = conversation.say("any update on the thing I reported last week")
    assert route_of(messages)["name"] == "track_request"
    assert "NB-2026-000123" in text_of(messages)  # the example of what a reference looks like
    assert "reference" in text_of(messages).lower()


def test_a_problem_report_is_recognised_and_says_what_happens_next(conversation):
    messages = conversation.say("there's a huge pothole on Station Road NB4 2QT")
    assert route_of(messages)["name"] == "request:pothole"
    assert "report a pothole" in text_of(messages)


def test_asking_for_a_person_hands_off_with_a_summary(conversation, schemas):
    messages = conversation.say("can I talk to a real person please")
    assert route_of(messages)["name"] == "handoff"
    handoff = handoff_of(messages)
    jsonschema.validate({"handoff": handoff}, schemas["bot_handoff"])
    assert (handoff["reason"], handoff["priority"]) == ("resident_asked", "normal")


def test_bot_challenge_is_answered_honestly(conversation):
    messages = conversation.say("am i talking to a robot")
    assert route_of(messages)["name"] == "smalltalk:bot_challenge"
    assert "not a person" in text_of(messages)


def test_button_payloads_select_their_route_directly(conversation):
    messages = conversation.say("/faq_council_tax_pay")
    assert route_of(messages) == {"name": "faq:council-tax-pay", "intent": "faq_council_tax_pay", "confidence": 1.0}


def test_an_empty_or_huge_message_still_gets_a_kind_answer(conversation):
    blank = conversation.say("   ")
    assert route_of(blank)["name"] == "out_of_scope" and "can't help with that" in text_of(blank)
    huge = conversation.say("please help me with my council tax bill " * 500)  # 20,000 characters
    assert route_of(huge)["name"] and text_of(huge)


def test_an_answer_edited_by_an_editor_reaches_residents_without_a_restart(servers):
    path = servers.content_dir / "bins-recycling" / "garden-waste.yml"
    original = path.read_text()
    try:
        edited = original.replace("answer: |\n", "answer: |\n  NEW: brown bin collections restart on 2 March.\n\n", 1)
        assert edited != original
        path.write_text(edited)
        reply = Conversation(servers.rasa_url).say("how much is the brown bin garden waste subscription")
        assert route_of(reply)["name"] == "faq:garden-waste"
        assert "NEW: brown bin collections restart on 2 March." in text_of(reply)

        path.write_text("id: garden-waste\nanswer: [broken")  # a broken edit keeps the last good answer
        kept = Conversation(servers.rasa_url).say("how much is the brown bin garden waste subscription")
        assert "NEW: brown bin collections restart on 2 March." in text_of(kept)
    finally:
        path.write_text(original)
