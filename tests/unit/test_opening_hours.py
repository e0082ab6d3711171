import pytest

from knowledge_base.opening_hours import advisor_hours_text


def test_hours_in_words_come_from_the_settings():
    assert advisor_hours_text({}) == "Monday to Friday, 8:30am to 5pm"
    assert advisor_hours_text({"RELAY_OPENING_HOURS": "Mon-Thu 08:30-17:00; Fri 08:30-16:30"}) == (
        "Monday to Thursday, 8:30am to 5pm; Friday, 8:30am to 4:30pm"
    )
    assert advisor_hours_text({"RELAY_HOURS_TEXT": "every day, 8am to 8pm", "RELAY_OPENING_HOURS": "x"}) == (
        "every day, 8am to 8pm"
    )


def test_unreadable_hours_fail_with_the_part_named():
    with pytest.raises(ValueError, match="Funday"):
        advisor_hours_text({"RELAY_OPENING_HOURS": "Funday 09:00-17:00"})


def test_bot_texts_say_the_configured_hours_not_fixed_ones():
    from knowledge_base import load_knowledge_base
    from knowledge_base.replies import render_route

    kb = load_knowledge_base()
    for route in ("handoff", "smalltalk:bot_challenge", "missing_topic"):
        text = render_route(route, kb, advisor_hours="Monday to Saturday, 8am to 8pm").text
        assert "Monday to Saturday, 8am to 8pm" in text and "8:30am to 5pm" not in text, route
    assert "{" not in render_route("out_of_scope", kb, misunderstandings=1).text
