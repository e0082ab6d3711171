"""The frame loop: a frame refused for the relay's own fault costs the client nothing."""

from __future__ import annotations

from typing import Any

from redis.exceptions import ConnectionError as RedisConnectionError

from live_handoff import frame_loop
from live_handoff.metrics import Metrics
from live_handoff.ratelimit import TokenBucket


class Recorder:
    """Stands in for the socket's Peer: keeps what the loop sends."""

    role = "resident"
    conversation_id = "c_test"
    username = ""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    async def send(self, frame: dict[str, Any]) -> bool:
        self.sent.append(dict(frame))
        return True


def rules(bucket: TokenBucket) -> frame_loop.Rules:
    return frame_loop.Rules(
        schema="resident_client",
        max_text_chars=2000,
        wait=lambda _: bucket.take(),
        too_fast=lambda wait: "slow down",
        unavailable="not saved, send it again",
        internal="oops",
        give_back=lambda _: bucket.give_back(),
    )


async def redis_down(_: dict) -> None:
    raise RedisConnectionError("Redis is down")


MESSAGE = '{"type": "message", "client_id": "m1", "text": "hello"}'


async def test_a_message_refused_because_redis_is_down_can_be_sent_again_at_once():
    bucket = TokenBucket(rate=0.01, burst=1)
    peer = Recorder()
    assert await frame_loop._one(MESSAGE, peer, rules(bucket), redis_down, Metrics(), None)  # type: ignore[arg-type]
    assert await frame_loop._one(MESSAGE, peer, rules(bucket), redis_down, Metrics(), None)  # type: ignore[arg-type]
    assert [f["code"] for f in peer.sent] == ["unavailable", "unavailable"]


async def test_without_the_token_given_back_the_retry_would_be_rate_limited():
    bucket = TokenBucket(rate=0.01, burst=1)
    peer = Recorder()
    keep = frame_loop.Rules(**{**rules(bucket).__dict__, "give_back": None})
    await frame_loop._one(MESSAGE, peer, keep, redis_down, Metrics(), None)  # type: ignore[arg-type]
    await frame_loop._one(MESSAGE, peer, keep, redis_down, Metrics(), None)  # type: ignore[arg-type]
    assert [f["code"] for f in peer.sent] == ["unavailable", "rate_limited"]


async def test_a_bad_frame_gets_an_error_frame_and_the_loop_goes_on():
    peer = Recorder()
    for raw in (
        "[" * 5000,
        '{"type": "message", "client_id": "m2", "text": "\\ud800"}',
        '{"type":"rating","score":NaN}',
    ):
        assert await frame_loop._one(raw, peer, rules(TokenBucket(1, 5)), redis_down, Metrics(), None)  # type: ignore[arg-type]
    assert [f["code"] for f in peer.sent] == ["bad_json", "invalid", "bad_json"]
    assert peer.sent[1]["client_id"] == "m2"
