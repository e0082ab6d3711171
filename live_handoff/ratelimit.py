"""Flood control: a token bucket per connection (short bursts pass, floods do not), the
per-address limits counted in Redis, the sockets per address of this process, and the cap
on bot turns in flight. What the limits are is in ``limits``."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import WSCloseCode

from live_handoff import limits
from live_handoff.protocol import FrameError

if TYPE_CHECKING:  # the store and metrics import nothing from here; only their types are needed
    from live_handoff.hub import Peer
    from live_handoff.metrics import Metrics
    from live_handoff.store import Store


class TokenBucket:
    """Allow ``burst`` messages at once, refilled at ``rate`` per second.

    The bucket starts full, so a new connection is never throttled straight away.
    """

    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        """Create a full bucket.

        Args:
            rate: Tokens added per second.
            burst: The most tokens the bucket holds.
            clock: Seconds from an arbitrary start; monotonic so wall-clock changes cannot
                refill or drain the bucket.

        Raises:
            ValueError: If rate is not positive or burst is below 1.
        """
        if rate <= 0 or burst < 1:
            raise ValueError(f"rate must be positive and burst at least 1 (got rate={rate}, burst={burst})")
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._tokens = float(burst)
        self._updated = clock()

    def take(self) -> float:
        """Take one token if there is one.

        Returns:
            0.0 if a token was taken; otherwise the seconds until one will be available,
            in which case nothing is taken.
        """
        now = self._clock()
        # max(): a clock that steps backwards must not drain the bucket.
        elapsed = max(0.0, now - self._updated)
        self._tokens = min(float(self.burst), self._tokens + elapsed * self.rate)
        self._updated = now
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return 0.0
        return (1.0 - self._tokens) / self.rate

    def give_back(self) -> None:
        """Return the token of a frame that was refused for the relay's own fault.

        A resident whose message was not saved because Redis was down must be able to
        send it again straight away, not be told to slow down as well. The bucket never
        holds more than ``burst``.
        """
        self._tokens = min(float(self.burst), self._tokens + 1.0)


async def over_limit(store: Store, metrics: Metrics, name: str, address: str, limit: int, window: int) -> float:
    """Count one more for ``address`` under the per-address limit ``name`` (shared by every
    relay process through Redis).

    Returns:
        0.0 when allowed; otherwise the seconds until the window ends (the refusal is
        counted in /metrics as ``frontdesk_limited_total{limit=name}``).
    """
    count, ms_left = await store.count_hit(name, address, window)
    wait = limits.window_wait(count, limit, ms_left)
    if wait:
        metrics.limited.labels(name).inc()
    return wait


class SocketCount:
    """Websockets open per client address in this process. Kept in memory, not in Redis:
    a count a dead process left behind would shut a library out until it expired."""

    def __init__(self) -> None:
        self._open: Counter[str] = Counter()

    def take(self, address: str, limit: int) -> bool:
        """One more socket from ``address``, unless it already has ``limit`` open."""
        if self._open[address] >= limit:
            return False
        self._open[address] += 1
        return True

    def give_back(self, address: str) -> None:
        self._open[address] -= 1
        if self._open[address] <= 0:
            del self._open[address]

    def open(self, address: str) -> int:
        return self._open.get(address, 0)


class TurnSlots:
    """A cap on bot turns in flight in this process. A turn over the cap waits for a slot
    (its resident is told once to wait a moment) and is answered when one frees: never
    dropped."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self._free = asyncio.Semaphore(cap)

    @property
    def busy(self) -> bool:
        return self._free.locked()

    @contextlib.asynccontextmanager
    async def slot(self, when_waiting: Callable[[], Awaitable[object]]) -> AsyncIterator[None]:
        """Hold a slot for the block; ``when_waiting`` runs first when none is free."""
        if self._free.locked():
            await when_waiting()
        async with self._free:
            yield


class LimitedError(FrameError):
    """A frame refused by a per-address limit; its error frame says when to try again."""

    def __init__(self, limit: str, wait: float, client_id: str | None = None) -> None:
        refusal = limits.refusal(limit, wait, client_id)
        super().__init__("rate_limited", refusal["message"], client_id)
        self.limit = limit
        self.retry_after = refusal["retry_after"]

    def frame(self) -> dict[str, Any]:
        return {**super().frame(), "retry_after": self.retry_after}


async def admit_new_conversation(store: Store, metrics: Metrics, cap: int, peer: Peer) -> None:
    """Count a conversation about to start from ``peer.address``. Over ``cap`` in 10
    minutes, the resident is told when to try again and the socket closed (1013, try
    again later: the widget reconnects after a pause, keeping what the resident typed).

    Raises:
        LimitedError: over the limit.
    """
    name = limits.NEW_CONVERSATIONS
    wait = await over_limit(store, metrics, name, peer.address, cap, limits.NEW_CONVERSATIONS_WINDOW)
    if wait:
        refused = LimitedError(name, wait)
        await peer.send(refused.frame())
        await peer.ws.close(code=WSCloseCode.TRY_AGAIN_LATER, message=b"too many new conversations")
        raise refused
