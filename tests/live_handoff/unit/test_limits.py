"""The limits per address and in total: what is allowed, how long a refusal says to wait,
how logins slow down without ever locking a correct password out, and their settings."""

from __future__ import annotations

import asyncio

import pytest

from live_handoff import limits
from live_handoff.protocol import check_outgoing
from live_handoff.ratelimit import SocketCount, TurnSlots
from live_handoff.settings import Settings, SettingsError


def test_a_window_allows_up_to_its_limit_and_then_says_how_long_is_left():
    assert limits.window_wait(1, 3, 600_000) == 0.0
    assert limits.window_wait(3, 3, 600_000) == 0.0
    assert limits.window_wait(4, 3, 599_500) == 599.5


def test_a_refusal_never_says_to_retry_in_under_a_second_even_when_the_window_is_ending():
    assert limits.window_wait(4, 3, 20) == 1.0
    assert limits.window_wait(4, 3, -1) == 1.0


def test_logins_are_not_slowed_down_for_the_first_free_failures():
    assert [limits.login_delay(n, 5, 60) for n in range(5)] == [0.0] * 5


def test_logins_then_wait_one_second_doubling_up_to_the_maximum_and_never_lock_out():
    assert [limits.login_delay(n, 5, 60) for n in range(5, 13)] == [1, 2, 4, 8, 16, 32, 60, 60]
    assert limits.login_delay(10_000, 5, 60) == 60  # however many failures: a wait, not a lock


def test_the_login_schedule_lists_the_waits_in_milliseconds_until_the_maximum():
    assert limits.login_schedule(2, 5) == [0, 0, 1000, 2000, 4000, 5000]
    assert limits.login_schedule(1, 1) == [0, 1000]


def test_retry_after_headers_are_whole_seconds_rounded_up_and_never_zero():
    assert limits.retry_after_header(0.01) == "1"
    assert limits.retry_after_header(1.2) == "2"
    assert limits.retry_after_header(60) == "60"


@pytest.mark.parametrize(
    ("mode", "close"), [("bot", True), ("closed", True), (None, True), ("queued", False), ("advisor", False)]
)
def test_an_idle_socket_is_closed_only_when_nobody_is_waiting_on_it(mode, close):
    assert limits.should_close_idle(mode) is close


def test_waits_are_said_in_words_residents_read():
    assert limits.in_words(1) == "1 second"
    assert limits.in_words(29.2) == "30 seconds"
    assert limits.in_words(60) == "1 minute"
    assert limits.in_words(545) == "10 minutes"


@pytest.mark.parametrize(
    "limit", [limits.NEW_CONVERSATIONS, limits.SOCKETS, limits.LEFT_MESSAGES, limits.RESIDENT_MESSAGES]
)
def test_every_refusal_is_a_rate_limited_error_frame_the_contract_allows(limit):
    frame = limits.refusal(limit, 42.0, "m-1")
    assert frame["code"] == "rate_limited" and frame["retry_after"] == 42.0 and frame["client_id"] == "m-1"
    assert "42 seconds" in frame["message"]
    assert check_outgoing(frame, "resident_server") == []


def test_the_idle_error_frame_is_in_the_contract():
    frame = {"type": "error", "code": "idle", "message": "This chat went quiet."}
    assert check_outgoing(frame, "resident_server") == []


def test_the_defaults_are_far_above_a_library_and_far_below_a_script():
    defaults = Settings.from_env({}).limits
    assert defaults == limits.Limits()
    # The script: 4,000 conversations in 3.3 s, 1,006 left messages in 6.7 s, 1,000 sockets.
    assert 100 <= defaults.new_conversations < 4000
    assert 20 <= defaults.left_messages < 1006
    assert 50 <= defaults.sockets < 1000


def test_every_limit_is_read_from_its_variable():
    env = {
        "RELAY_LIMIT_NEW_CONVERSATIONS": "7",
        "RELAY_LIMIT_SOCKETS": "8",
        "RELAY_LIMIT_LEFT_MESSAGES": "9",
        "RELAY_LIMIT_RESIDENT_MESSAGES": "10",
        "RELAY_LIMIT_BOT_TURNS": "11",
        "RELAY_LIMIT_PHOTOS": "13",
        "RELAY_LIMIT_LOGIN_FAILURES": "3",
        "RELAY_LIMIT_LOGIN_ADDRESS_FAILURES": "12",
        "RELAY_LIMIT_LOGIN_MAX_DELAY_SECONDS": "30",
        "RELAY_HTTP_HEADER_TIMEOUT_SECONDS": "5",
        "RELAY_HTTP_BODY_TIMEOUT_SECONDS": "15.5",
        "RELAY_IDLE_MINUTES": "20",
    }
    assert Settings.from_env(env).limits == limits.Limits(7, 8, 9, 10, 11, 13, 3, 12, 30.0, 5.0, 15.5, 20.0)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("RELAY_LIMIT_NEW_CONVERSATIONS", "0"),
        ("RELAY_LIMIT_SOCKETS", "many"),
        ("RELAY_LIMIT_BOT_TURNS", "2.5"),
        ("RELAY_HTTP_HEADER_TIMEOUT_SECONDS", "0"),
        ("RELAY_IDLE_MINUTES", "-1"),
    ],
)
def test_a_malformed_limit_stops_start_up_naming_its_variable(name, value):
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({name: value})


def test_sockets_per_address_are_counted_until_given_back():
    counts = SocketCount()
    assert counts.take("192.0.2.1", 2) and counts.take("192.0.2.1", 2)
    assert not counts.take("192.0.2.1", 2)
    assert counts.take("198.51.100.1", 2)  # another address has its own count
    counts.give_back("192.0.2.1")
    assert counts.open("192.0.2.1") == 1 and counts.take("192.0.2.1", 2)


async def test_turns_over_the_cap_are_told_once_and_wait_for_a_slot_rather_than_being_dropped():
    slots = TurnSlots(1)
    told: list[str] = []
    order: list[str] = []
    release = asyncio.Event()

    async def turn(name: str, hold: bool) -> None:
        async def waiting() -> None:
            told.append(name)

        async with slots.slot(waiting):
            order.append(name)
            if hold:
                await release.wait()

    first = asyncio.create_task(turn("first", True))
    await asyncio.sleep(0)
    second = asyncio.create_task(turn("second", False))
    await asyncio.sleep(0.01)
    assert order == ["first"] and told == ["second"] and slots.busy
    release.set()
    await asyncio.gather(first, second)
    assert order == ["first", "second"] and not slots.busy
