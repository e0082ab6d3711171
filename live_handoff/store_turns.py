"""Resident messages waiting for the bot, in Redis (part of ``Store``), so that a message
acknowledged by a relay process that is then killed is still answered by another.

Keys (docs/privacy.md): ``{prefix}:turns:{cid}`` (hash: message id -> ``{"asked", "at",
"owner"}``), ``{prefix}:turns:waiting`` (sorted set: conversations with a message waiting,
by when the first one arrived; the index the relay reads instead of scanning every
conversation) and ``{prefix}:turns:relays`` (sorted set: relay process id -> until when
it is known to be alive, its lease). A message whose owner's lease has run out is
claimed by exactly one other process, atomically in a Lua script.
"""

from __future__ import annotations

import json
from typing import Any

from live_handoff.store_base import StoreBase, now_ms

# KEYS: index, relays. ARGV: prefix of the per-conversation hashes, new owner, now ms,
#       how many conversations to look at (oldest first), retention seconds, the new
#       owner's lease (until, ms), the relays key's expiry (seconds). Leases
#       ended an hour ago are forgotten.
# The new owner's lease is renewed first, in the same step, so what it claims can never
# look orphaned to the next caller.
# Returns a flat list {cid, message id, entry json, ...} of the messages now owned by
# ARGV[2], taken from owners whose lease has run out. Conversations whose hash has gone
# (answered, or expired) leave the index.
CLAIM_ORPHANS = """
local out = {}
local now = tonumber(ARGV[3])
redis.call('ZADD', KEYS[2], ARGV[6], ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - 3600000)
redis.call('EXPIRE', KEYS[2], ARGV[7])
local alive = {}
local function is_alive(owner)
  if alive[owner] == nil then
    local until_ms = redis.call('ZSCORE', KEYS[2], owner)
    alive[owner] = (until_ms ~= false and until_ms ~= nil and tonumber(until_ms) > now)
  end
  return alive[owner]
end
for _, cid in ipairs(redis.call('ZRANGE', KEYS[1], 0, tonumber(ARGV[4]) - 1)) do
  local hash = ARGV[1] .. cid
  local rows = redis.call('HGETALL', hash)
  if #rows == 0 then redis.call('ZREM', KEYS[1], cid) end
  for i = 1, #rows, 2 do
    local ok, entry = pcall(cjson.decode, rows[i + 1])
    if not ok or type(entry) ~= 'table' then
      redis.call('HDEL', hash, rows[i])
    elseif entry.owner ~= ARGV[2] and not is_alive(entry.owner) then
      local raw = rows[i + 1]
      entry.owner = ARGV[2]
      redis.call('HSET', hash, rows[i], cjson.encode(entry))
      redis.call('EXPIRE', hash, ARGV[5])
      table.insert(out, cid)
      table.insert(out, rows[i])
      table.insert(out, raw)
    end
  end
end
return out
"""

# KEYS: the conversation's hash, index, relays. ARGV: message id, entry json (owner = the
# caller), now ms, cid, retention seconds, the caller's lease (until, ms), the relays
# key's expiry (seconds).
# Claims one message for the caller when nobody holds it (no entry: the process that
# logged it died before recording it) or its owner's lease has run out. 1 if claimed.
CLAIM_ONE = """
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if raw then
  local ok, entry = pcall(cjson.decode, raw)
  if ok and type(entry) == 'table' then
    local until_ms = redis.call('ZSCORE', KEYS[3], entry.owner)
    if until_ms and tonumber(until_ms) > tonumber(ARGV[3]) then return 0 end
  end
end
redis.call('ZADD', KEYS[3], ARGV[6], cjson.decode(ARGV[2]).owner)
redis.call('EXPIRE', KEYS[3], ARGV[7])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[5])
redis.call('ZADD', KEYS[2], 'NX', ARGV[3], ARGV[4])
redis.call('EXPIRE', KEYS[2], ARGV[5])
return 1
"""

# KEYS: the conversation's hash, index. ARGV: message id, cid.
DONE = """
redis.call('HDEL', KEYS[1], ARGV[1])
if redis.call('HLEN', KEYS[1]) == 0 then
  redis.call('DEL', KEYS[1])
  redis.call('ZREM', KEYS[2], ARGV[2])
end
return 1
"""


class TurnStore(StoreBase):
    """Messages waiting for the bot and the relay processes' leases."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._claim_orphans = self.redis.register_script(CLAIM_ORPHANS)
        self._claim_one = self.redis.register_script(CLAIM_ONE)
        self._turn_done = self.redis.register_script(DONE)
        self.turns_index = self.key("turns", "waiting")
        self.relays_key = self.key("turns", "relays")

    def _entry(self, asked: str, owner: str, at: int) -> str:
        # ASCII escapes: a lone surrogate typed by a resident still encodes for Redis.
        return json.dumps({"asked": asked, "at": at, "owner": owner})

    async def expect_turn(self, cid: str, message_id: str, asked: str, owner: str, lease_seconds: float) -> None:
        """Record, before the message is acknowledged, that the bot owes it an answer and
        that ``owner`` (this process, whose lease is renewed in the same step) will ask."""
        now = now_ms()
        hash_key = self.key("turns", cid)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.zadd(self.relays_key, {owner: now + int(lease_seconds * 1000)})
            pipe.expire(self.relays_key, self._relays_ttl(lease_seconds))
            pipe.hset(hash_key, message_id, self._entry(asked, owner, now))
            pipe.expire(hash_key, self.ttl)
            pipe.zadd(self.turns_index, {cid: now}, nx=True)
            pipe.expire(self.turns_index, self.ttl)
            await pipe.execute()

    def _relays_ttl(self, lease_seconds: float) -> int:
        # Outlives every lease in it; bounded well inside the shortest retention (1 day).
        return min(self.ttl, max(60, int(lease_seconds * 20)))

    async def end_lease(self, owner: str) -> None:
        """This process is stopping: its waiting messages can be claimed at once."""
        await self.redis.zrem(self.relays_key, owner)

    async def turn_done(self, cid: str, message_id: str) -> None:
        """The message has had its answer (or needs none): it waits no more."""
        await self._turn_done(keys=[self.key("turns", cid), self.turns_index], args=[message_id, cid])

    async def claim_orphaned_turns(
        self, owner: str, lease_seconds: float, limit: int = 1000
    ) -> list[tuple[str, str, str]]:
        """Renew ``owner``'s lease and take the messages whose owner's lease has run out:
        (cid, message id, entry) of each, oldest conversations first."""
        now = now_ms()
        flat = await self._claim_orphans(
            keys=[self.turns_index, self.relays_key],
            args=[
                self.key("turns", ""),
                owner,
                now,
                limit,
                self.ttl,
                now + int(lease_seconds * 1000),
                self._relays_ttl(lease_seconds),
            ],
        )
        return [(flat[i], flat[i + 1], flat[i + 2]) for i in range(0, len(flat), 3)]

    async def claim_turn(self, cid: str, message_id: str, asked: str, owner: str, lease_seconds: float) -> bool:
        """Take one message for ``owner`` unless a live process holds it (a resent message)."""
        now = now_ms()
        lease = [now + int(lease_seconds * 1000), self._relays_ttl(lease_seconds)]
        return bool(
            await self._claim_one(
                keys=[self.key("turns", cid), self.turns_index, self.relays_key],
                args=[message_id, self._entry(asked, owner, now), now, cid, self.ttl, *lease],
            )
        )

    async def waiting_turns(self, cid: str) -> dict[str, str]:
        """The conversation's messages waiting for the bot: message id -> entry json."""
        return await self.redis.hgetall(self.key("turns", cid))

    async def conversations_waiting(self) -> int:
        """How many conversations have a message waiting for the bot (index size)."""
        return int(await self.redis.zcard(self.turns_index))

    async def forget_old_turns(self) -> None:
        """Index entries older than the retention period (their hash has expired)."""
        await self.redis.zremrangebyscore(self.turns_index, "-inf", f"({now_ms() - self.ttl * 1000}")
