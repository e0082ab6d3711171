"""Spreading conversations over several Rasa processes: the same one while it is up, the next when it is down."""

from __future__ import annotations

import pytest

from live_handoff import bot_choice
from live_handoff.settings import Settings, SettingsError

URLS = ("http://127.0.0.1:5005", "http://127.0.0.1:5006", "http://127.0.0.1:5007")
CONVERSATIONS = [f"c_{n:022d}" for n in range(3000)]


def test_a_conversation_always_goes_to_the_same_process():
    assert all(bot_choice.ranked(c, URLS) == bot_choice.ranked(c, reversed(URLS)) for c in CONVERSATIONS[:200])


def test_conversations_are_spread_evenly_over_the_processes():
    firsts = [bot_choice.ranked(c, URLS)[0] for c in CONVERSATIONS]
    shares = [firsts.count(url) / len(firsts) for url in URLS]
    assert all(0.29 < share < 0.38 for share in shares), shares


def test_losing_a_process_moves_only_its_conversations():
    before = {c: bot_choice.ranked(c, URLS)[0] for c in CONVERSATIONS}
    after = {c: bot_choice.ranked(c, URLS[:2])[0] for c in CONVERSATIONS}
    moved = [c for c in CONVERSATIONS if before[c] != after[c]]
    assert moved and all(before[c] == URLS[2] for c in moved)


def test_a_process_marked_down_is_tried_last_and_the_next_one_in_the_conversations_order_first():
    conversation = CONVERSATIONS[0]
    first, second, third = bot_choice.ranked(conversation, URLS)
    down = bot_choice.mark_down({}, first, now=100.0, seconds=10)
    assert bot_choice.order(conversation, URLS, down, now=105.0) == [second, third, first]


def test_a_process_is_tried_first_again_once_its_time_down_is_over_or_it_answered():
    conversation = CONVERSATIONS[1]
    preference = bot_choice.ranked(conversation, URLS)
    down = bot_choice.mark_down({}, preference[0], now=100.0, seconds=10)
    assert bot_choice.order(conversation, URLS, down, now=110.0) == preference
    assert bot_choice.order(conversation, URLS, bot_choice.mark_up(down, preference[0]), now=101.0) == preference


def test_when_every_process_is_marked_down_the_one_back_soonest_is_tried_first():
    conversation = CONVERSATIONS[2]
    down = {URLS[0]: 130.0, URLS[1]: 110.0, URLS[2]: 120.0}
    assert bot_choice.order(conversation, URLS, down, now=100.0) == [URLS[1], URLS[2], URLS[0]]


@pytest.mark.parametrize(("failure", "retry"), [("not_sent", True), ("refused", True), ("ambiguous", False)])
def test_a_turn_moves_on_only_when_the_failed_process_surely_did_not_take_it(failure, retry):
    assert bot_choice.retry_elsewhere(failure) is retry


def test_rasa_url_takes_a_comma_separated_list():
    settings = Settings.from_env({"RASA_URL": "http://a:5005/, http://b:5005"})
    assert settings.rasa_url == "http://a:5005,http://b:5005"
    assert bot_choice.parse_urls(settings.rasa_url) == ("http://a:5005", "http://b:5005")


@pytest.mark.parametrize("value", ["http://a:5005,,http://b:5005", "a:5005", "http://a:5005,http://a:5005/", "http://"])
def test_a_malformed_rasa_url_stops_start_up_naming_the_variable(value):
    with pytest.raises(SettingsError, match="^RASA_URL: "):
        Settings.from_env({"RASA_URL": value})
