"""Conversation state in Redis: the log, modes, the queue, advisors and sessions.

Every change that must be all-or-nothing (append a message once, move a conversation
between modes, claim from the queue) is one Lua script, so two relay processes can never
half-apply it and two advisors can never both win a claim. Every key of a conversation
expires ``retention`` seconds after its last event: records are removed, not archived.

Keys: every key, what it holds and how long it is kept are listed in docs/privacy.md
("What is kept and for how long"); a key added here goes there in the same change.
Lists that keep receiving items (outbox, messages set aside, activity sets, event streams)
also lose their old items by age (``forget_old``, run by the sweeper).
Channels: fd:pub:conv ("cid id" when a conversation's log grows), fd:pub:typing,
fd:pub:queue, fd:pub:advisor (username whose chats changed), fd:pub:session (username
one or all of whose sessions ended).
"""

from __future__ import annotations

import hmac
import json
import secrets
from collections.abc import Mapping
from typing import Any

from live_handoff import retention
from live_handoff.store_accounts import AccountStore
from live_handoff.store_base import (  # noqa: F401
    LoggedEvent,
    Subscription,
    TransitionError,
    connect_redis,
    new_conversation_id,
    now_ms,
    token_hash,
)
from live_handoff.store_case_news import CaseNewsStore
from live_handoff.store_limits import LimitStore
from live_handoff.store_turns import TurnStore

MODES = ("bot", "queued", "advisor", "closed")


class Store(TurnStore, AccountStore, LimitStore, CaseNewsStore):
    """All Redis reads and writes of the relay. The client is passed in, not built here.

    Conversations, their log and the queue are here; accounts and sessions in
    ``store_accounts.AccountStore``; the client, keys and channels in ``store_base``.
    """

    # Conversations -----------------------------------------------------------------

    async def create_conversation(self, page: str = "") -> tuple[str, str]:
        """A new conversation in bot mode; returns its id and the resume token (never stored)."""
        cid, token = new_conversation_id(), secrets.token_urlsafe(32)
        now = str(now_ms())
        key = self.key("conv", cid)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(
                key,
                mapping={
                    "mode": "bot",
                    "token": token_hash(token),
                    "created_at": now,
                    "updated_at": now,
                    "page": page[:2000],
                },
            )
            pipe.expire(key, self.ttl)
            pipe.zadd(self.key("modes", "bot"), {cid: int(now)})
            await pipe.execute()
        return cid, token

    async def check_token(self, cid: str, token: str) -> bool:
        stored = await self.redis.hget(self.key("conv", cid), "token")
        return stored is not None and hmac.compare_digest(stored, token_hash(token))

    async def conversation(self, cid: str) -> dict[str, str] | None:
        found = await self.redis.hgetall(self.key("conv", cid))
        return found or None

    async def field(self, cid: str, name: str) -> str:
        """One field of a conversation ("" when it or the conversation is missing)."""
        return await self.redis.hget(self.key("conv", cid), name) or ""

    async def set_fields(self, cid: str, **fields: str) -> None:
        key = self.key("conv", cid)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(key, mapping={k: v for k, v in fields.items()})
            pipe.expire(key, self.ttl)
            await pipe.execute()

    async def append(
        self,
        cid: str,
        event: Mapping[str, Any],
        client_id: str = "",
        audience: str = "all",
        also_push: tuple[str, str] | None = None,
    ) -> tuple[str, bool]:
        stream_id, new, _ = await self.append_with_mode(cid, event, client_id, audience, also_push)
        return stream_id, new

    async def append_with_mode(
        self,
        cid: str,
        event: Mapping[str, Any],
        client_id: str = "",
        audience: str = "all",
        also_push: tuple[str, str] | None = None,
    ) -> tuple[str, bool, str]:
        """Log an event once. Returns (stream id, whether it is new); a repeated client_id
        returns the first id and logs nothing. ``also_push`` = (list key, value) is pushed
        in the same step, only when the event is new (the outbox of messages left)."""
        if client_id:
            event = {**event, "client_id": client_id}
        result = await self._append(
            keys=[self.key("log", cid), self.key("cids", cid), self.key("conv", cid)],
            args=[
                client_id,
                json.dumps(event, ensure_ascii=False),
                audience,
                self.ttl,
                self.conv_channel,
                now_ms(),
                cid,
                self.key("modes", ""),
                *(also_push or ("", "")),
            ],
        )
        return result[0], bool(result[1]), result[2]

    async def transition(
        self,
        cid: str,
        allowed: tuple[str, ...],
        new_mode: str,
        event: Mapping[str, Any],
        fields: dict[str, str] | None = None,
        queue: str = "",
        score: float = 0,
        chats_from: str = "",
        chats_to: str = "",
        capacity: int = 0,
        require_advisor: str = "",
        release: bool = False,
    ) -> tuple[str, str, str]:
        """Move a conversation between modes with its status event, atomically.

        Args:
            release: take the conversation out of the queue and out of its advisor's
                chats, whichever applies at that moment (for endings that can race).

        Returns:
            (previous mode, stream id of the status event, advisor who held it or "").

        Raises:
            TransitionError: unknown_conversation, wrong_mode, not_yours, at_capacity or
                already_claimed; nothing changed.
        """
        dummy = self.key("none")
        result = await self._transition(
            keys=[
                self.key("conv", cid),
                self.key("log", cid),
                self.queue_key,
                self.key("chats", chats_from) if chats_from and not release else dummy,
                self.key("chats", chats_to) if chats_to else dummy,
            ],
            args=[
                cid,
                ",".join(allowed),
                new_mode,
                json.dumps(fields or {}),
                json.dumps(event, ensure_ascii=False),
                self.ttl,
                self.conv_channel,
                "auto" if release else queue,
                repr(float(score)),
                "auto" if release else ("rem" if chats_from else ""),
                "add" if chats_to else "",
                capacity,
                now_ms(),
                require_advisor,
                self.key("modes", ""),
                self.key("chats", ""),
            ],
        )
        if result[0] != "ok":
            raise TransitionError(result[0], result[1] if len(result) > 1 else None)
        return result[1], result[2], result[3]

    async def start_bot_turn(self, cid: str, seconds: float) -> None:
        """Mark the turn as being answered and show the bot typing, in one round trip."""
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.set(self.key("botturn", cid), "1", px=int(seconds * 1000))
            pipe.publish(self.typing_channel, json.dumps({"cid": cid, "from": "bot", "active": True}))
            await pipe.execute()

    async def end_bot_turn(self, cid: str, answered: str = "") -> None:
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.delete(self.key("botturn", cid))
            pipe.publish(self.typing_channel, json.dumps({"cid": cid, "from": "bot", "active": False}))
            if answered:
                pipe.hset(self.key("conv", cid), "answered", answered)
            await pipe.execute()

    async def bot_turn_running(self, cid: str) -> bool:
        """A relay process is waiting for the bot in this conversation (expires by itself)."""
        return bool(await self.redis.exists(self.key("botturn", cid)))

    async def events_after(self, cid: str, after: str, count: int = 500) -> list[LoggedEvent]:
        """Logged events after stream id ``after`` (exclusive), oldest first."""
        start = "-" if after in ("", "0-0", "0") else "(" + after
        rows = await self.redis.xrange(self.key("log", cid), min=start, max="+", count=count)
        return [LoggedEvent(i, json.loads(f["e"]), f.get("a", "all")) for i, f in rows]

    async def last_id(self, cid: str) -> str:
        rows = await self.redis.xrevrange(self.key("log", cid), count=1)
        return rows[0][0] if rows else "0-0"

    async def active_by_mode(self, since_ms: int) -> dict[str, int]:
        """Conversations by mode whose last event is after ``since_ms``; forgets expired ones."""
        modes = MODES
        async with self.redis.pipeline(transaction=False) as pipe:
            for mode in modes:
                pipe.zremrangebyscore(self.key("modes", mode), "-inf", now_ms() - self.ttl * 1000)
                pipe.zcount(self.key("modes", mode), since_ms, "+inf")
            rows = await pipe.execute()
        return {mode: int(rows[2 * i + 1]) for i, mode in enumerate(modes)}

    # Queue ------------------------------------------------------------------------

    async def queue(self) -> list[str]:
        return await self.redis.zrange(self.queue_key, 0, -1)

    async def queue_position(self, cid: str) -> int | None:
        rank = await self.redis.zrank(self.queue_key, cid)
        return None if rank is None else rank + 1

    async def record_handling(self, seconds: float) -> None:
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.lpush(self.key("handling"), round(seconds, 1))
            pipe.ltrim(self.key("handling"), 0, 49)
            await pipe.execute()

    async def recent_handling(self) -> list[float]:
        return [float(v) for v in await self.redis.lrange(self.key("handling"), 0, -1)]

    # The sweeper ---------------------------------------------------------------------

    async def claim_sweep(self, seconds: int = 20) -> bool:
        """True for the one relay process that sweeps now; the others skip this period."""
        return bool(await self.redis.set(self.key("sweeper"), "1", nx=True, ex=seconds))

    async def offline_since(self, username: str) -> float:
        """When the sweeper first saw the advisor's consoles gone (Unix seconds), or 0."""
        return float(await self.redis.hget(self.key("offline_since"), username) or 0)

    async def mark_offline_since(self, username: str, when: float) -> None:
        await self.redis.hset(self.key("offline_since"), username, when)

    async def clear_offline_since(self, username: str) -> None:
        await self.redis.hdel(self.key("offline_since"), username)

    # The outbox of messages left ----------------------------------------------------

    async def outbox_length(self) -> int:
        return int(await self.redis.llen(self.key("outbox")))

    async def outbox_lock(self, token: str, seconds: int = 60) -> bool:
        """Take the lock that makes one relay process the sender (False: another has it)."""
        return bool(await self.redis.set(self.key("outbox", "lock"), token, nx=True, ex=seconds))

    async def outbox_keep_lock(self, token: str, seconds: int = 60) -> bool:
        """Keep the lock while sending; False when it is no longer ours."""
        await self.redis.expire(self.key("outbox", "lock"), seconds)
        return await self.redis.get(self.key("outbox", "lock")) == token

    async def outbox_unlock(self, token: str) -> None:
        await self._release(keys=[self.key("outbox", "lock")], args=[token])

    async def outbox_waiting(self, now: int) -> tuple[int, float]:
        """How many messages wait for Open311, and how long the first (the oldest, as
        messages are sent in the order they were left) has waited, in seconds (0 when none)."""
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.llen(self.key("outbox"))
            pipe.lindex(self.key("outbox"), 0)
            count, first = await pipe.execute()
        left = retention.left_at(first) if first else 0
        return int(count), max(0.0, (now - left) / 1000) if left else 0.0

    async def outbox_first(self) -> str | None:
        return await self.redis.lindex(self.key("outbox"), 0)

    async def outbox_done(self, raw: str) -> None:
        await self.redis.lrem(self.key("outbox"), 1, raw)

    async def outbox_reject(self, raw: str, reason: str = "") -> None:
        """Set aside a message Open311 refused (or that waited too long), for a person to
        look at. It is deleted ``retention`` after it was left, like the rest of its
        conversation."""
        now = now_ms()
        await self._set_aside(
            keys=[self.key("outbox", "rejected"), self.key("outbox")],
            args=[
                retention.set_aside_entry(raw, reason, now),
                retention.left_at(raw) or now,
                self.ttl * 1000,
                raw,
                now,
            ],
        )

    async def set_aside(self) -> list[dict[str, Any]]:
        """The messages set aside, oldest first: ``{reason, set_aside_at, message}``."""
        await self._tidy_set_aside()
        return [json.loads(raw) for raw in await self.redis.zrange(self.key("outbox", "rejected"), 0, -1)]

    async def set_aside_raw(self) -> list[str]:
        """Every entry set aside exactly as stored (to remove one with ZREM), oldest first."""
        await self._tidy_set_aside()  # a list from an earlier version becomes the sorted set first
        return list(await self.redis.zrange(self.key("outbox", "rejected"), 0, -1))

    async def set_aside_count(self) -> int:
        """How many messages are set aside (older ones forgotten first)."""
        return int(await self._tidy_set_aside())

    async def _tidy_set_aside(self) -> int:
        now = now_ms()
        return await self._set_aside(
            keys=[self.key("outbox", "rejected"), self.key("outbox")], args=["", 0, self.ttl * 1000, "", now]
        )

    async def set_aside_overdue(self) -> int:
        """Set aside the messages that have waited for Open311 too long (``retention``);
        how many. Skipped while a sender holds the outbox, so a message is never both
        sent and set aside."""
        token = secrets.token_hex(8)
        if not await self.outbox_lock(token):
            return 0
        moved = 0
        try:
            reason = retention.waited_reason(self.ttl)
            for raw in await self.redis.lrange(self.key("outbox"), 0, -1):
                if retention.waited_too_long(retention.left_at(raw), now_ms(), self.ttl):
                    await self.outbox_reject(raw, reason)
                    moved += 1
        finally:
            await self.outbox_unlock(token)
        return moved

    async def forget_old(self) -> None:
        """Remove what is older than the retention period from the keys that keep
        receiving new items (their own expiry only bounds the newest): conversation ids in
        the activity sets, the queue and advisors' chats once their conversation has gone,
        measurement and audit entries, messages set aside; and set aside messages that
        waited too long for Open311. The sweeper calls it."""
        cutoff = now_ms() - self.ttl * 1000
        async with self.redis.pipeline(transaction=False) as pipe:
            for mode in MODES:
                pipe.zremrangebyscore(self.key("modes", mode), "-inf", f"({cutoff}")
            for stream in ("analytics", "audit"):
                pipe.xtrim(self.key(stream), minid=f"{cutoff}-0", approximate=False)
            await pipe.execute()
        owners = [(self.queue_key, "zset")] + [(self.key("chats", u), "set") for u in await self.advisors()]
        for key, kind in owners:
            cids = await (self.redis.zrange(key, 0, -1) if kind == "zset" else self.redis.smembers(key))
            for cid in cids:
                if not await self.redis.exists(self.key("conv", cid)):
                    await (self.redis.zrem(key, cid) if kind == "zset" else self.redis.srem(key, cid))
        await self.set_aside_overdue()
        await self._tidy_set_aside()

    async def secret(self, name: str) -> str:
        """A random secret shared by every relay process, made on first use."""
        key = self.key("secret", name)
        await self.redis.set(key, secrets.token_urlsafe(32), nx=True)
        return await self.redis.get(key)

    # Measurement ------------------------------------------------------------------

    async def record(self, kind: str, **fields: Any) -> None:
        """An analytics event (no personal data), trimmed to the retention period."""
        min_id = f"{now_ms() - self.ttl * 1000}-0"
        body = json.dumps({"kind": kind, **fields}, ensure_ascii=False)
        async with self.redis.pipeline(transaction=False) as pipe:
            # Events hold conversation ids and masked questions: the stream expires too.
            pipe.xadd(self.key("analytics"), {"e": body}, minid=min_id, approximate=True)
            pipe.expire(self.key("analytics"), self.ttl)
            await pipe.execute()

    async def analytics(self, count: int = 10_000) -> list[dict[str, Any]]:
        rows = await self.redis.xrange(self.key("analytics"), count=count)
        return [{"id": i, **json.loads(f["e"])} for i, f in rows]
