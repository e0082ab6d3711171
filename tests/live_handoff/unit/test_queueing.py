"""Urgent residents are served first, everyone else in turn, and waits are described honestly."""

from __future__ import annotations

import datetime as dt

import pytest

from live_handoff.queueing import PRIORITY_RANK, describe_wait, estimate_wait_seconds, queue_score


def ms(year: int, *rest: int) -> int:
    return int(dt.datetime(year, *rest, tzinfo=dt.timezone.utc).timestamp() * 1000)


# Ordering


def test_a_higher_priority_is_served_before_an_earlier_lower_one():
    early, late = ms(2026, 11, 23, 9, 0), ms(2026, 11, 23, 16, 0)
    assert queue_score("urgent", late) < queue_score("high", early) < queue_score("normal", early)


def test_within_a_priority_whoever_queued_first_is_served_first():
    assert queue_score("normal", ms(2026, 11, 23, 9, 0)) < queue_score("normal", ms(2026, 11, 23, 9, 0) + 1)


def test_scores_are_exact_integers_as_floats_up_to_the_year_2200():
    latest = ms(2200, 1, 1) - 1
    for priority, rank in PRIORITY_RANK.items():
        score = queue_score(priority, latest)
        assert score.is_integer()
        assert int(score) == rank * 10**14 + latest
        # One millisecond apart must still be distinguishable.
        assert queue_score(priority, latest - 1) < score


def test_the_latest_normal_still_comes_after_the_earliest_high():
    assert queue_score("high", ms(2200, 1, 1)) < queue_score("normal", 0)


@pytest.mark.parametrize("priority", ["low", "URGENT", ""])
def test_an_unknown_priority_is_refused(priority):
    with pytest.raises(ValueError, match="unknown priority"):
        queue_score(priority, ms(2026, 11, 23))


def test_a_timestamp_outside_the_priority_band_is_refused():
    with pytest.raises(ValueError, match="not a millisecond timestamp"):
        queue_score("normal", 10**14)
    with pytest.raises(ValueError, match="not a millisecond timestamp"):
        queue_score("normal", -1)


# Estimating


def test_with_no_advisors_there_is_no_estimate():
    assert estimate_wait_seconds(1, 0, 0, 360) is None


def test_with_a_free_slot_the_wait_is_the_time_to_claim():
    assert estimate_wait_seconds(1, 1, 1, 360) == 30
    assert estimate_wait_seconds(3, 3, 2, 360) == 30


def test_behind_the_free_slots_each_round_takes_one_chat_length():
    assert estimate_wait_seconds(1, 0, 1, 360) == 360
    assert estimate_wait_seconds(4, 1, 2, 360) == 720  # 3 ahead of free slots, 2 advisors: 2 rounds
    assert estimate_wait_seconds(5, 0, 2, 300.5) == 901


def test_a_queued_resident_is_never_promised_less_than_a_minute():
    assert estimate_wait_seconds(2, 1, 3, 20) == 60


@pytest.mark.parametrize("args", [(0, 0, 1, 360), (1, -1, 1, 360), (1, 0, -1, 360), (1, 0, 1, -5)])
def test_impossible_queue_figures_are_refused(args):
    with pytest.raises(ValueError, match="bad queue figures"):
        estimate_wait_seconds(*args)


# Describing


@pytest.mark.parametrize(
    "seconds, words",
    [
        (None, "We can't estimate the wait right now"),
        (0, "less than a minute"),
        (30, "less than a minute"),
        (59, "less than a minute"),
        (60, "about 1 minute"),
        (61, "about 2 minutes"),
        (360, "about 6 minutes"),
        (3540, "about 59 minutes"),
        (3541, "about 1 hour"),
        (3600, "about 1 hour"),
        (5399, "about 1 hour"),
        (5400, "about 2 hours"),
        (7200, "about 2 hours"),
        (7201, "over 2 hours"),
        (30000, "over 2 hours"),
    ],
)
def test_waits_are_described_in_plain_words(seconds, words):
    assert describe_wait(seconds) == words
