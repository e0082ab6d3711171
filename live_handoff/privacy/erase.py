"""Erase what is held about one person (UK GDPR article 17), everywhere the relay keeps it.

Removed: each conversation's hash, log, client-id map, bot-turn key, its entries in the
queue, the per-mode activity sets and advisors' chat sets; messages left (waiting or set
aside); Rasa's tracker and lock; the editors' question entries. Anonymised: analytics
events lose free text but keep kind, codes and numbers (so counts stay right); cases in the
Open311 service lose text, contact details and place but keep service, dates and status.
Kept: the staff audit trail (usernames and conversation ids, never a resident's words);
once the records are gone a conversation id is linked to nobody.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from redis.exceptions import RedisError, WatchError

from live_handoff.photos.records import PhotoRecords
from live_handoff.privacy.finding import redact_analytics
from live_handoff.privacy.gather import MODES, CaseSystem, Found, lock_key, tracker_key
from live_handoff.store import Store

# Rasa answers one message in well under this, even on a busy server; a lock older than
# this was left by a Rasa process that died mid-turn.
RASA_TURN_WAIT_SECONDS = 30.0


async def wait_for_rasa(store: Store, cids: list[str], seconds: float = RASA_TURN_WAIT_SECONDS) -> bool:
    """Wait until Rasa answers no message in these conversations.

    Rasa holds a conversation's lock while it answers and writes the whole tracker back at
    the end, so a tracker deleted during a turn would reappear with everything in it.

    Returns:
        True when no lock is held; False when one is still held after ``seconds`` (the
        erasure goes on; a turn still running may write its tracker back).
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while cids and await store.redis.exists(*(lock_key(cid) for cid in cids)):
        if loop.time() >= deadline:
            return False
        await asyncio.sleep(0.2)
    return True


async def rewrite_analytics(store: Store, cids: set[str]) -> tuple[int, int]:
    """Drop or strip the analytics events of ``cids`` in place, keeping every stream id.

    Stream entries cannot be edited, and insight reads each event's time from its id, so
    the stream is rebuilt with the same ids under a temporary key and renamed over the old
    one, in a transaction that starts again if the relay appends meanwhile.

    Returns:
        (events removed, events stripped of free text).
    """
    key, temporary = store.key("analytics"), store.key("analytics", "rewrite")
    async with store.redis.pipeline(transaction=True) as pipe:
        while True:
            try:
                await pipe.watch(key)
                rows = await pipe.xrange(key)
                ttl = await pipe.pttl(key)  # a rename would otherwise drop the stream's expiry
                kept: list[tuple[str, dict[str, Any]]] = []
                removed = stripped = 0
                for stream_id, fields in rows:
                    event = json.loads(fields["e"])
                    after = redact_analytics(event, cids)
                    if after is None:
                        removed += 1
                        continue
                    stripped += after != event
                    kept.append((stream_id, after))
                if not removed and not stripped:
                    await pipe.unwatch()
                    return 0, 0
                pipe.multi()
                pipe.delete(temporary)
                for stream_id, event in kept:
                    pipe.xadd(temporary, {"e": json.dumps(event, ensure_ascii=False)}, id=stream_id)
                if kept:
                    pipe.rename(temporary, key)
                    if ttl > 0:
                        pipe.pexpire(key, ttl)
                else:
                    pipe.delete(key)
                await pipe.execute()
                return removed, stripped
            except WatchError:
                continue


async def erase(store: Store, found: Found, cases: CaseSystem | None) -> dict[str, int]:
    """Remove or anonymise everything in ``found``; returns counts of what was done.

    Cases go first: if the Open311 service fails, nothing in Redis has been removed yet
    and the request can simply be run again.

    Raises:
        CaseSystemError: the Open311 service did not answer.
        redis.exceptions.RedisError: Redis is unreachable.
    """
    counts = {"cases_anonymised": 0}
    if found.cases and cases is not None and found.case_system == "built-in":
        counts["cases_anonymised"] = len(await cases.erase(sorted(found.cases)))
    cids = sorted(found.conversations)
    counts["rasa_turn_finished"] = int(await wait_for_rasa(store, cids))
    chat_sets = [key async for key in store.redis.scan_iter(match=store.key("chats", "*"), count=1000)]
    async with store.redis.pipeline(transaction=True) as pipe:
        for cid in cids:
            pipe.delete(
                store.key("conv", cid),
                store.key("log", cid),
                store.key("cids", cid),
                store.key("botturn", cid),
                store.key("turns", cid),  # messages waiting for the bot (its index entry then goes)
                tracker_key(cid),
                lock_key(cid),
            )
            pipe.zrem(store.queue_key, cid)
            for mode in MODES:
                pipe.zrem(store.key("modes", mode), cid)
            for chats in chat_sets:
                pipe.srem(chats, cid)
        for raw in found.outbox:
            pipe.lrem(store.key("outbox"), 0, raw)
        for raw in found.rejected:
            pipe.zrem(store.key("outbox", "rejected"), raw)
        results = await pipe.execute()
    per_cid = 2 + len(MODES) + len(chat_sets)
    counts["redis_keys_deleted"] = sum(int(results[i * per_cid]) for i in range(len(cids)))
    counts["conversations"] = sum(1 for c in found.conversations.values() if c.fields or c.events)
    counts["logged_events"] = sum(len(c.events) for c in found.conversations.values())
    counts["rasa_trackers"] = len(found.trackers)
    tail = results[len(cids) * per_cid :]
    counts["messages_left_removed"] = sum(int(n) for n in tail[: len(found.outbox)])
    counts["messages_refused_removed"] = sum(int(n) for n in tail[len(found.outbox) :])
    # Photos: their records now; the sweeper deletes the files (live_handoff/photos).
    counts["photos_forgotten"] = await PhotoRecords(store.redis, store.p).forget(cids)
    removed, stripped = await rewrite_analytics(store, set(cids))
    counts["analytics_removed"] = removed
    counts["analytics_stripped"] = stripped
    counts["redis_log_rewritten"] = int(await rewrite_append_only_file(store))
    return counts


async def rewrite_append_only_file(store: Store) -> bool:
    """Have Redis rewrite its append-only file, which otherwise keeps every deleted value
    until its next rewrite. True when a rewrite was started or scheduled.

    A managed Redis may refuse (or have no AOF): the erasure still stands, and
    docs/subject-access.md says what to do about snapshots and backups.
    """
    try:
        persistence = await store.redis.info("persistence")
        if not int(persistence.get("aof_enabled", 0)):
            return False
        await store.redis.bgrewriteaof()
        return True
    except RedisError:
        return False
