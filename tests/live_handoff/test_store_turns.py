"""Messages waiting for the bot, against a real Redis (live_handoff/store_turns.py), and
what a relay does with those a stopped process left (BotTurns.recover)."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace

from prometheus_client import generate_latest

from live_handoff import texts
from live_handoff.keys import RELAY
from live_handoff.store import now_ms
from tests.live_handoff.conftest import kind, resident

DEAD_OWNER_LEASE = 0.05  # seconds: the owner "dies" by not renewing it


async def orphan(store, cid: str, message_id: str, asked: str = "bins", at: int | None = None) -> None:
    """A message recorded by a process that then stopped (its lease runs out)."""
    await store.expect_turn(cid, message_id, asked, "gone", DEAD_OWNER_LEASE)
    if at is not None:
        raw = json.loads((await store.waiting_turns(cid))[message_id])
        await store.redis.hset(store.key("turns", cid), message_id, json.dumps({**raw, "at": at}))
    await asyncio.sleep(DEAD_OWNER_LEASE * 2)


async def test_a_message_left_by_a_stopped_process_is_claimed_by_exactly_one_of_many(store):
    for n in range(20):
        await orphan(store, f"c_{n}", f"{n + 1}-0")
    results = await asyncio.gather(*(store.claim_orphaned_turns(f"relay{i}", 30) for i in range(6)))
    claimed = [(cid, mid) for found in results for cid, mid, _ in found]
    assert sorted(claimed) == sorted((f"c_{n}", f"{n + 1}-0") for n in range(20))
    # Claimed by a live process, nobody else takes it.
    assert await store.claim_orphaned_turns("another", 30) == []


async def test_messages_of_a_live_process_are_left_to_it(store):
    await store.expect_turn("c_live", "1-0", "bins", "alive", 30)
    assert await store.claim_orphaned_turns("other", 30) == []
    assert not await store.claim_turn("c_live", "1-0", "bins", "other", 30)


async def test_a_resent_message_nobody_recorded_is_taken_by_the_process_it_reached(store):
    assert await store.claim_turn("c_resent", "1-0", "bins", "here", 30)
    assert not await store.claim_turn("c_resent", "1-0", "bins", "elsewhere", 30)
    assert await store.conversations_waiting() == 1


async def test_the_index_lists_a_conversation_only_while_a_message_waits(store):
    await store.expect_turn("c_x", "1-0", "one", "p", 30)
    await store.expect_turn("c_x", "2-0", "two", "p", 30)
    assert await store.conversations_waiting() == 1
    await store.turn_done("c_x", "1-0")
    assert await store.conversations_waiting() == 1
    await store.turn_done("c_x", "2-0")
    assert await store.conversations_waiting() == 0
    assert not await store.redis.exists(store.key("turns", "c_x"))


async def test_every_key_of_waiting_messages_expires_within_retention(store):
    await store.expect_turn("c_y", "1-0", "one", "p", 15)
    for name in (store.key("turns", "c_y"), store.turns_index, store.relays_key):
        assert 0 < await store.redis.ttl(name) <= store.ttl, name


async def test_a_resident_whose_old_message_was_never_answered_is_told_and_can_try_again(settings, store, make_client):
    # The relay's own look (every turn_check_seconds) must not come first here.
    client = await make_client(replace(settings, turn_check_seconds=600))
    sock, welcome = await resident(client)
    cid = welcome["conversation_id"]
    await orphan(store, cid, "1-0", "when is my bin collected", at=now_ms() - 10 * 60_000)
    relay = client.app[RELAY]
    assert await relay.bot_turns.recover() == 1
    told = await sock.next(kind("message", **{"from": "system"}))
    assert told["text"] == texts.TURN_LOST
    assert {b["action"] for b in told["buttons"]} == {"retry", "request_advisor"}
    assert await store.field(cid, "retry_text") == "when is my bin collected"
    assert await store.conversations_waiting() == 0
    # A second look finds nothing more to say.
    assert await relay.bot_turns.recover() == 0
    assert await sock.quiet(0.3) == []
    exposed = generate_latest(relay.bot_turns.metrics.registry).decode()
    assert 'frontdesk_unanswered_turns_total{outcome="notice"} 1.0' in exposed
