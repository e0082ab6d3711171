"""Per-connection flood control: a token bucket, so short bursts pass and floods do not."""

from __future__ import annotations

import time
from collections.abc import Callable


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
