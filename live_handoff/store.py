"""Conversation state in Redis: the log, modes, the queue, advisors and sessions.

Every change that must be all-or-nothing (append a message once, move a conversation
between modes, claim from the queue) is one Lua script, so two relay processes can never
half-apply it and two advisors can never both win a claim. Every key of a conversation
expires ``retention`` seconds after its last event: records are removed, not archived.

Keys (prefix ``fd``):
    fd:conv:{cid}      hash: mode, token hash, reason, priority, summary, advisor...
    fd:log:{cid}       stream of events (field e = JSON, a = audience all|advisors)
    fd:cids:{cid}      hash client_id -> stream id (resent messages are not duplicated)
    fd:queue           sorted set of waiting conversations (score = queueing.queue_score)
    fd:advisor:{user}  hash: name, password hash, roles, capacity, presence
    fd:advisors        set of usernames
    fd:chats:{user}    set of the advisor's conversations
    fd:online:{user}   exists while the advisor has a console connected
    fd:session:{sid}   hash: user, csrf (expires)
    fd:analytics       stream of measurement events, no personal data
    fd:handling        recent handling times (seconds), for wait estimates
Channels: fd:pub:conv ("cid id" when a conversation's log grows), fd:pub:typing,
fd:pub:queue, fd:pub:advisor (username whose chats changed).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

APPEND = """
local existing = false
if ARGV[1] ~= '' then existing = redis.call('HGET', KEYS[2], ARGV[1]) end
if existing then return {existing, 0, redis.call('HGET', KEYS[3], 'mode') or ''} end
local id = redis.call('XADD', KEYS[1], '*', 'e', ARGV[2], 'a', ARGV[3])
if ARGV[9] ~= '' then
  redis.call('RPUSH', ARGV[9], ARGV[10])
  redis.call('EXPIRE', ARGV[9], ARGV[4])
end
if ARGV[1] ~= '' then
  redis.call('HSET', KEYS[2], ARGV[1], id)
  redis.call('EXPIRE', KEYS[2], ARGV[4])
end
redis.call('EXPIRE', KEYS[1], ARGV[4])
redis.call('HSET', KEYS[3], 'updated_at', ARGV[6])
redis.call('EXPIRE', KEYS[3], ARGV[4])
local mode = redis.call('HGET', KEYS[3], 'mode')
if mode then redis.call('ZADD', ARGV[8] .. mode, ARGV[6], ARGV[7]) end
redis.call('PUBLISH', ARGV[5], ARGV[7] .. ' ' .. id)
return {id, 1, mode or ''}
"""

# KEYS: conv, log, queue, chats_from, chats_to   (chats_* may be the same dummy key)
# ARGV: cid, allowed modes (comma list), new mode, fields json, event json, ttl, channel,
#       queue op ('add' | 'rem' | ''), queue score, chats_from op ('rem' | ''),
#       chats_to op ('add' | ''), capacity for chats_to, now ms, require advisor ('' or user),
#       prefix of the per-mode activity sets, prefix of the advisors' chat sets
# queue op 'auto' and chats_from op 'auto' take the conversation out of the queue and out of
# whichever advisor holds it, decided from the stored state inside the script (no race).
# Returns {'ok', previous mode, status event id, previous advisor}.
TRANSITION = """
local mode = redis.call('HGET', KEYS[1], 'mode')
if not mode then return {'unknown_conversation'} end
local allowed = false
for m in string.gmatch(ARGV[2], '[^,]+') do if m == mode then allowed = true end end
if not allowed then return {'wrong_mode', mode} end
if ARGV[14] ~= '' and redis.call('HGET', KEYS[1], 'advisor') ~= ARGV[14] then return {'not_yours', mode} end
if ARGV[11] == 'add' and redis.call('SCARD', KEYS[5]) >= tonumber(ARGV[12]) then return {'at_capacity', mode} end
if ARGV[8] == 'rem' then
  if redis.call('ZREM', KEYS[3], ARGV[1]) == 0 and mode == 'queued' then return {'already_claimed', mode} end
elseif ARGV[8] == 'add' then
  redis.call('ZADD', KEYS[3], ARGV[9], ARGV[1])
elseif ARGV[8] == 'auto' then
  redis.call('ZREM', KEYS[3], ARGV[1])
end
if ARGV[10] == 'rem' then redis.call('SREM', KEYS[4], ARGV[1]) end
local owner = redis.call('HGET', KEYS[1], 'advisor')
if ARGV[10] == 'auto' and owner and owner ~= '' then redis.call('SREM', ARGV[16] .. owner, ARGV[1]) end
if ARGV[11] == 'add' then redis.call('SADD', KEYS[5], ARGV[1]) end
local fields = cjson.decode(ARGV[4])
redis.call('HSET', KEYS[1], 'mode', ARGV[3], 'updated_at', ARGV[13])
redis.call('ZREM', ARGV[15] .. mode, ARGV[1])
redis.call('ZADD', ARGV[15] .. ARGV[3], ARGV[13], ARGV[1])
for k, v in pairs(fields) do
  if v == '' then redis.call('HDEL', KEYS[1], k) else redis.call('HSET', KEYS[1], k, v) end
end
local id = redis.call('XADD', KEYS[2], '*', 'e', ARGV[5], 'a', 'all')
redis.call('EXPIRE', KEYS[1], ARGV[6])
redis.call('EXPIRE', KEYS[2], ARGV[6])
redis.call('PUBLISH', ARGV[7], ARGV[1] .. ' ' .. id)
return {'ok', mode, id, owner or ''}
"""


def connect_redis(url: str) -> Redis:
    """A client that rides out a Redis restart: a command on a dropped connection is
    retried on a new one (appends are idempotent by client id; Lua scripts are atomic)."""
    return Redis.from_url(url, decode_responses=True, health_check_interval=15, socket_connect_timeout=2,
                          socket_keepalive=True, retry=Retry(ExponentialBackoff(cap=1.0, base=0.05), 4),
                          retry_on_error=[RedisConnectionError, RedisTimeoutError, OSError])


class TransitionError(Exception):
    """A mode change that could not happen; ``code`` is a contract error code."""

    def __init__(self, code: str, mode: str | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.mode = mode


@dataclass(frozen=True)
class LoggedEvent:
    id: str
    event: dict[str, Any]
    audience: str


def now_ms() -> int:
    return int(time.time() * 1000)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_conversation_id() -> str:
    return "c_" + secrets.token_urlsafe(16)  # 22 characters, 128 bits


class Store:
    """All Redis reads and writes of the relay. The client is passed in, not built here."""

    def __init__(self, redis: Redis, prefix: str = "fd", retention_seconds: int = 90 * 86_400) -> None:
        self.redis = redis
        self.p = prefix
        self.ttl = retention_seconds
        self._append = redis.register_script(APPEND)
        self._transition = redis.register_script(TRANSITION)
        self.conv_channel = f"{prefix}:pub:conv"
        self.typing_channel = f"{prefix}:pub:typing"
        self.queue_channel = f"{prefix}:pub:queue"
        self.advisor_channel = f"{prefix}:pub:advisor"
        self.queue_key = f"{prefix}:queue"

    def key(self, *parts: str) -> str:
        return ":".join((self.p, *parts))

    # Conversations -----------------------------------------------------------------

    async def create_conversation(self, page: str = "") -> tuple[str, str]:
        """A new conversation in bot mode; returns its id and the resume token (never stored)."""
        cid, token = new_conversation_id(), secrets.token_urlsafe(32)
        now = str(now_ms())
        key = self.key("conv", cid)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(key, mapping={"mode": "bot", "token": token_hash(token), "created_at": now,
                                    "updated_at": now, "page": page[:2000]})
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

    async def append(self, cid: str, event: dict[str, Any], client_id: str = "", audience: str = "all",
                     also_push: tuple[str, str] | None = None) -> tuple[str, bool]:
        stream_id, new, _ = await self.append_with_mode(cid, event, client_id, audience, also_push)
        return stream_id, new

    async def append_with_mode(self, cid: str, event: dict[str, Any], client_id: str = "", audience: str = "all",
                               also_push: tuple[str, str] | None = None) -> tuple[str, bool, str]:
        """Log an event once. Returns (stream id, whether it is new); a repeated client_id
        returns the first id and logs nothing. ``also_push`` = (list key, value) is pushed
        in the same step, only when the event is new (the outbox of messages left)."""
        if client_id:
            event = {**event, "client_id": client_id}
        result = await self._append(
            keys=[self.key("log", cid), self.key("cids", cid), self.key("conv", cid)],
            args=[client_id, json.dumps(event, ensure_ascii=False), audience, self.ttl, self.conv_channel,
                  now_ms(), cid, self.key("modes", ""), *(also_push or ("", ""))])
        return result[0], bool(result[1]), result[2]

    async def transition(self, cid: str, allowed: tuple[str, ...], new_mode: str, event: dict[str, Any],
                         fields: dict[str, str] | None = None, queue: str = "", score: float = 0,
                         chats_from: str = "", chats_to: str = "", capacity: int = 0,
                         require_advisor: str = "", release: bool = False) -> tuple[str, str, str]:
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
            keys=[self.key("conv", cid), self.key("log", cid), self.queue_key,
                  self.key("chats", chats_from) if chats_from and not release else dummy,
                  self.key("chats", chats_to) if chats_to else dummy],
            args=[cid, ",".join(allowed), new_mode, json.dumps(fields or {}), json.dumps(event, ensure_ascii=False),
                  self.ttl, self.conv_channel, "auto" if release else queue, repr(float(score)),
                  "auto" if release else ("rem" if chats_from else ""), "add" if chats_to else "", capacity, now_ms(),
                  require_advisor, self.key("modes", ""), self.key("chats", "")])
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

    async def publish_typing(self, cid: str, who: str, active: bool) -> None:
        await self.redis.publish(self.typing_channel, json.dumps({"cid": cid, "from": who, "active": active}))

    async def active_by_mode(self, since_ms: int) -> dict[str, int]:
        """Conversations by mode whose last event is after ``since_ms``; forgets expired ones."""
        modes = ("bot", "queued", "advisor", "closed")
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

    async def notify_queue(self) -> None:
        await self.redis.publish(self.queue_channel, "changed")

    async def notify_advisor(self, username: str) -> None:
        await self.redis.publish(self.advisor_channel, username)

    async def record_handling(self, seconds: float) -> None:
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.lpush(self.key("handling"), round(seconds, 1))
            pipe.ltrim(self.key("handling"), 0, 49)
            await pipe.execute()

    async def recent_handling(self) -> list[float]:
        return [float(v) for v in await self.redis.lrange(self.key("handling"), 0, -1)]

    # Advisors ---------------------------------------------------------------------

    async def save_advisor(self, username: str, name: str, password_hash: str, roles: str, capacity: int) -> None:
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(self.key("advisor", username), mapping={
                "name": name, "password": password_hash, "roles": roles, "capacity": capacity,
                "presence": "away"})
            pipe.sadd(self.key("advisors"), username)
            await pipe.execute()

    async def advisor(self, username: str) -> dict[str, str] | None:
        found = await self.redis.hgetall(self.key("advisor", username))
        return found or None

    async def advisors(self) -> list[str]:
        return sorted(await self.redis.smembers(self.key("advisors")))

    async def remove_advisor(self, username: str) -> bool:
        await self.end_all_sessions(username)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.delete(self.key("advisor", username))
            pipe.srem(self.key("advisors"), username)
            removed = await pipe.execute()
        return bool(removed[1])

    async def set_advisor_field(self, username: str, **fields: str) -> None:
        await self.redis.hset(self.key("advisor", username), mapping=fields)

    async def chats(self, username: str) -> list[str]:
        return sorted(await self.redis.smembers(self.key("chats", username)))

    async def mark_online(self, username: str, connection: str, seconds: int = 60) -> None:
        """One entry per open console, so closing one of two consoles keeps the advisor online."""
        key = self.key("online", username)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.zadd(key, {connection: now_ms() + seconds * 1000})
            pipe.expire(key, seconds)
            await pipe.execute()

    async def mark_offline(self, username: str, connection: str) -> None:
        await self.redis.zrem(self.key("online", username), connection)

    async def is_online(self, username: str) -> bool:
        return bool(await self.redis.zcount(self.key("online", username), now_ms(), "+inf"))

    async def available_advisors(self) -> list[tuple[str, int, int]]:
        """(username, capacity, chats) of advisors online and available."""
        users = await self.advisors()
        if not users:
            return []
        async with self.redis.pipeline(transaction=False) as pipe:
            for user in users:
                pipe.zcount(self.key("online", user), now_ms(), "+inf")
                pipe.hmget(self.key("advisor", user), "presence", "capacity")
                pipe.scard(self.key("chats", user))
            rows = await pipe.execute()
        out = []
        for i, user in enumerate(users):
            online, (presence, capacity), chats = rows[3 * i: 3 * i + 3]
            if online and presence == "available":
                out.append((user, int(capacity or 1), int(chats)))
        return out

    # Sessions and logins ----------------------------------------------------------

    async def new_session(self, username: str, seconds: int) -> tuple[str, str]:
        sid, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        key = self.key("session", token_hash(sid))
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(key, mapping={"user": username, "csrf": csrf})
            pipe.expire(key, seconds)
            pipe.sadd(self.key("sessions", username), key)  # so a password change ends them all
            pipe.expire(self.key("sessions", username), 30 * 86_400)
            await pipe.execute()
        return sid, csrf

    async def end_all_sessions(self, username: str) -> None:
        keys = await self.redis.smembers(self.key("sessions", username))
        if keys:
            await self.redis.delete(*keys)
        await self.redis.delete(self.key("sessions", username))
        await self.notify_advisor("!" + username)

    async def session(self, sid: str, seconds: int) -> dict[str, str] | None:
        """The session, its expiry pushed back (sessions expire after ``seconds`` unused)."""
        key = self.key("session", token_hash(sid))
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hgetall(key)
            pipe.expire(key, seconds)
            found, _ = await pipe.execute()
        return found or None

    async def end_session(self, sid: str) -> None:
        await self.redis.delete(self.key("session", token_hash(sid)))

    async def session_exists(self, sid: str) -> bool:
        return bool(await self.redis.exists(self.key("session", token_hash(sid))))

    async def count_failed_login(self, username: str, window: int = 900) -> int:
        key = self.key("login_failures", username)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.incr(key)
            pipe.expire(key, window)
            count, _ = await pipe.execute()
        return int(count)

    async def failed_logins(self, username: str) -> int:
        return int(await self.redis.get(self.key("login_failures", username)) or 0)

    async def clear_failed_logins(self, username: str) -> None:
        await self.redis.delete(self.key("login_failures", username))

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
        await self.redis.xadd(self.key("analytics"), {"e": body}, minid=min_id, approximate=True)

    async def analytics(self, count: int = 10_000) -> list[dict[str, Any]]:
        rows = await self.redis.xrange(self.key("analytics"), count=count)
        return [{"id": i, **json.loads(f["e"])} for i, f in rows]
