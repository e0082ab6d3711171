"""A resident can send a quick burst of messages, but a flood is slowed to a steady rate."""

from __future__ import annotations

import pytest

from live_handoff.ratelimit import TokenBucket


class FakeClock:
    """A clock tests move by hand."""

    def __init__(self) -> None:
        self.times = [1000.0]

    def __call__(self) -> float:
        return self.times[-1]

    def advance(self, seconds: float) -> None:
        self.times.append(self.times[-1] + seconds)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def test_a_new_connection_can_send_a_full_burst_at_once(clock):
    bucket = TokenBucket(rate=0.5, burst=8, clock=clock)
    assert [bucket.take() for _ in range(8)] == [0.0] * 8


def test_after_the_burst_the_wait_until_the_next_token_is_reported(clock):
    bucket = TokenBucket(rate=0.5, burst=2, clock=clock)
    bucket.take()
    bucket.take()
    assert bucket.take() == pytest.approx(2.0)


def test_a_refused_take_does_not_use_up_a_token(clock):
    bucket = TokenBucket(rate=0.5, burst=1, clock=clock)
    bucket.take()
    for _ in range(5):
        assert bucket.take() > 0
    clock.advance(2.0)
    assert bucket.take() == 0.0


def test_the_reported_wait_shrinks_as_time_passes(clock):
    bucket = TokenBucket(rate=1.0, burst=1, clock=clock)
    bucket.take()
    clock.advance(0.25)
    assert bucket.take() == pytest.approx(0.75)


def test_tokens_refill_at_the_rate(clock):
    bucket = TokenBucket(rate=2.0, burst=4, clock=clock)
    for _ in range(4):
        bucket.take()
    clock.advance(1.0)
    assert bucket.take() == 0.0
    assert bucket.take() == 0.0
    assert bucket.take() > 0


def test_a_long_quiet_spell_refills_only_up_to_the_burst(clock):
    bucket = TokenBucket(rate=1.0, burst=3, clock=clock)
    clock.advance(3600)
    assert [bucket.take() == 0.0 for _ in range(4)] == [True, True, True, False]


def test_a_clock_stepping_backwards_does_not_drain_the_bucket(clock):
    bucket = TokenBucket(rate=1.0, burst=2, clock=clock)
    clock.advance(-10)
    assert bucket.take() == 0.0
    assert bucket.take() == 0.0


def test_thirty_a_minute_with_a_burst_of_eight_allows_the_burst_then_one_every_two_seconds(clock):
    bucket = TokenBucket(rate=30 / 60, burst=8, clock=clock)
    allowed = 0
    for _ in range(100):  # 100 messages over 10 seconds
        allowed += bucket.take() == 0.0
        clock.advance(0.1)
    # The burst of 8, plus 4.95 tokens refilled between the first send and the last (9.9 s).
    assert allowed == 12


@pytest.mark.parametrize("rate, burst", [(0, 8), (-1, 8), (1, 0)])
def test_a_bucket_that_could_never_allow_anything_is_refused(rate, burst):
    with pytest.raises(ValueError, match="rate must be positive"):
        TokenBucket(rate=rate, burst=burst)


def test_a_token_given_back_can_be_used_again_at_once(clock):
    bucket = TokenBucket(rate=0.5, burst=2, clock=clock)
    assert [bucket.take() for _ in range(2)] == [0.0, 0.0]
    assert bucket.take() > 0
    bucket.give_back()
    assert bucket.take() == 0.0
    assert bucket.take() > 0


def test_giving_back_never_fills_the_bucket_beyond_its_burst(clock):
    bucket = TokenBucket(rate=1.0, burst=2, clock=clock)
    bucket.give_back()
    bucket.give_back()
    assert [bucket.take() == 0.0 for _ in range(3)] == [True, True, False]
