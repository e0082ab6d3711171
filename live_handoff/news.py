"""News from every relay process that this process must pass on to its own connections.

The hub hears it on Redis pub/sub and puts it in a ``NewsChannel``; one task
(``Relay.deliver_news``) takes it out and has the right room act on it. So the hub knows
nothing of queues or chats, and the rooms never get called back from inside the hub.

The channel coalesces: news already waiting is not queued again, so however many queue
changes arrive while one broadcast runs, exactly one more broadcast follows, with the
latest queue.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Union


@dataclass(frozen=True)
class QueueChanged:
    """The queue, or who is available to serve it, changed."""


@dataclass(frozen=True)
class ChatsChanged:
    """An advisor's own chats changed: their consoles get the new list."""

    username: str


@dataclass(frozen=True)
class SessionEnded:
    """One or all of an advisor's sessions ended: consoles using an ended session close."""

    username: str


News = Union[QueueChanged, ChatsChanged, SessionEnded]  # noqa: UP007 - a runtime alias on Python 3.10


class ChannelClosedError(Exception):
    """The channel was closed (the relay is shutting down): no more news comes."""


class NewsChannel:
    """A first-in first-out channel of news in which equal news waits only once.

    ``close`` ends it: readers stop even if a cancellation was swallowed on the way (on
    Python 3.10 ``asyncio.wait_for`` can do that), so shutting down never waits for ever.
    """

    def __init__(self) -> None:
        self._waiting: deque[News] = deque()
        self._pending: set[News] = set()
        self._ready = asyncio.Event()
        self._closed = False

    def close(self) -> None:
        self._closed = True
        self._ready.set()

    def put(self, news: News) -> None:
        if self._closed or news in self._pending:
            return
        self._pending.add(news)
        self._waiting.append(news)
        self._ready.set()

    def __len__(self) -> int:
        return len(self._waiting)

    async def get(self) -> News:
        """The next news, waiting for it; ``ChannelClosedError`` once the channel is closed."""
        while not self._waiting:
            if self._closed:
                raise ChannelClosedError
            self._ready.clear()
            await self._ready.wait()
        news = self._waiting.popleft()
        self._pending.discard(news)  # news arriving from now on is new again
        return news

    async def __aiter__(self) -> AsyncIterator[News]:
        while True:
            try:
                news = await self.get()
            except ChannelClosedError:
                return
            yield news
