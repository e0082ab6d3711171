"""Counters for the limits per client address (part of ``Store``), shared by every relay
process: each is one atomic Redis step and expires by itself, so a relay that dies never
leaves an address limited for longer than the window.

Keys (docs/privacy.md): ``{prefix}:limit:{name}:{address}`` (a fixed-window count,
expiring with its window) and ``{prefix}:login_gate:{who}`` (when the next login try
from there may be checked, expiring then).
"""

from __future__ import annotations

from live_handoff.store_base import StoreBase, now_ms

# INCR, starting the window's expiry on its first count; the count and milliseconds left.
_COUNT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local left = redis.call('PTTL', KEYS[1])
if left < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); left = tonumber(ARGV[1]) end
return {count, left}
"""

# A login try passes the gate when its time has come; it then closes the gate for as long
# as the next try would have to wait should this one fail (ARGV[2 + failures + 1], the
# schedule's last entry beyond it), so tries sent together cannot all slip through.
# KEYS: the gate, the failure count. ARGV: now in ms, then the schedule in ms.
_GATE = """
local now = tonumber(ARGV[1])
local opens = tonumber(redis.call('GET', KEYS[1]) or '0')
if now < opens then return opens - now end
local failures = tonumber(redis.call('GET', KEYS[2]) or '0')
local index = math.min(failures + 1, #ARGV - 2) + 2
local delay = tonumber(ARGV[index])
if delay > 0 then redis.call('SET', KEYS[1], now + delay, 'PX', delay) end
return 0
"""


class LimitStore(StoreBase):
    """Per-address counts for ``live_handoff.limits``."""

    async def count_hit(self, name: str, address: str, window_seconds: int) -> tuple[int, int]:
        """Count one more for ``address`` under limit ``name`` in a fixed window.

        Returns:
            This hit's number in the window (1 for the first) and the milliseconds until
            the window ends.
        """
        count, left = await self.redis.eval(_COUNT, 1, self.key("limit", name, address), window_seconds * 1000)
        return int(count), int(left)

    async def login_gate(self, who: str, schedule_ms: list[int]) -> float:
        """Pass the login gate of ``who`` (an account at an address, or an address).

        Args:
            who: Whose failures slow the try down; their count is ``login_failures:{who}``
                (``AccountStore.count_failed_login``).
            schedule_ms: ``limits.login_schedule``: the wait after 0, 1, 2... failures.

        Returns:
            0.0 when the try may be checked now; otherwise the seconds to wait.
        """
        wait = await self.redis.eval(
            _GATE, 2, self.key("login_gate", who), self.key("login_failures", who), now_ms(), *schedule_ms
        )
        return int(wait) / 1000

    async def open_login_gate(self, who: str) -> None:
        """A correct password: the next try from there need not wait."""
        await self.redis.delete(self.key("login_gate", who))
