"""What a resident reads when nobody can take their chat: for an urgent category, that
category's numbers come first, from the knowledge base or, failing that, from the relay."""

from __future__ import annotations

import pytest

from knowledge_base import load_knowledge_base
from knowledge_base.urgent import CATEGORIES, missing_numbers
from live_handoff import texts

NAMES = [category.name for category in CATEGORIES]
CLOSED = "not available right now"
BUSY = "no advisors are free"


@pytest.fixture(scope="module")
def kb_urgent():
    return load_knowledge_base().messages["urgent"]


@pytest.mark.parametrize("category", CATEGORIES, ids=NAMES)
@pytest.mark.parametrize("open_now", [False, True], ids=["closed", "busy"])
def test_without_knowledge_base_text_every_urgent_category_still_gets_all_its_numbers_first(category, open_now):
    told = texts.no_advisor(category.name, open_now, "tomorrow at 8:30am")
    assert missing_numbers(category.name, told) == []
    numbers_part, rest = told.split("\n\n", 1)
    assert numbers_part == texts.URGENT_NO_ADVISOR_FALLBACK[category.name]
    assert missing_numbers(category.name, numbers_part) == []  # before "not available", not after it
    assert (CLOSED if not open_now else BUSY) in rest


def test_there_is_a_fallback_for_exactly_the_urgent_categories():
    assert set(texts.URGENT_NO_ADVISOR_FALLBACK) == set(NAMES) == set(texts.URGENT_REASONS)


@pytest.mark.parametrize(
    "category, says",
    [
        ("crisis", ["Samaritans", "116 123", "NHS 111", "999"]),
        (
            "domestic_abuse",
            ["National Domestic Abuse Helpline", "0808 2000 247", "01632 960210", "01632 960999", "999"],
        ),
        ("safeguarding", ["01632 960400", "01632 960300", "01632 960500", "999"]),
        ("danger", ["999", "101"]),
        ("gas", ["National Gas Emergency Service", "0800 111 999", "999"]),
        ("power", ["105", "999"]),
        ("emergency", ["01632 960999", "999"]),
    ],
)
def test_each_fallback_names_the_services_as_well_as_their_numbers(category, says):
    fallback = texts.URGENT_NO_ADVISOR_FALLBACK[category]
    for words in says:
        assert words in fallback, (category, words)


@pytest.mark.parametrize("name", NAMES)
def test_the_knowledge_base_text_is_what_residents_read_first(name, kb_urgent):
    kb_text = kb_urgent[name]["no_advisor"]
    told = texts.no_advisor(name, False, "tomorrow at 8:30am", urgent_text=kb_text)
    assert told.startswith(kb_text.strip())
    assert told.index(kb_text.strip()) < told.index(CLOSED)
    assert missing_numbers(name, told) == []


def test_a_knowledge_base_text_that_lost_a_number_is_replaced_by_the_fallback():
    edited = "Samaritans are there any time. If your life is at risk, call **999**."  # 116 123 and 111 gone
    told = texts.no_advisor("crisis", False, "tomorrow", urgent_text=edited)
    assert edited not in told and told.startswith(texts.URGENT_NO_ADVISOR_FALLBACK["crisis"])


@pytest.mark.parametrize("kb_text", [None, "", "   \n"])
def test_an_empty_knowledge_base_text_means_the_fallback(kb_text):
    assert texts.urgent_no_advisor("gas", kb_text) == texts.URGENT_NO_ADVISOR_FALLBACK["gas"]


@pytest.mark.parametrize("reason", [None, "resident_asked", "complaint", "bot_unavailable"])
def test_an_ordinary_request_is_told_only_about_the_advisors_and_leaving_a_message(reason):
    told = texts.no_advisor(reason, False, "tomorrow at 8:30am", urgent_text="call **999**")
    assert told.startswith("Our advisors are not available right now")
    assert "999" not in told and "leave a message" in told


def test_advisors_get_the_knowledge_base_guide_as_it_is_written(kb_urgent):
    guide = kb_urgent["crisis"]["advisor_guide"]
    assert texts.advisor_guide("crisis", guide) == guide.strip()


@pytest.mark.parametrize("name", NAMES)
def test_without_a_guide_advisors_are_still_given_the_numbers_as_plain_text(name):
    guide = texts.advisor_guide(name, None)
    assert missing_numbers(name, guide) == [] and "**" not in guide
