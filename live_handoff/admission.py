"""Who may open a websocket and send what, by client address (``live_handoff.limits``):
sockets per address, residents' messages and left messages per address, and closing a
resident's socket that has gone quiet. Every refusal is a ``rate_limited`` error frame
with ``retry_after`` (or an ``idle`` one before the close), counted in /metrics."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from aiohttp import WSCloseCode, web
from redis.exceptions import RedisError

from live_handoff import frames, limits
from live_handoff.hub import Peer
from live_handoff.keys import ADDRESSES, METRICS, SETTINGS, STORE
from live_handoff.ratelimit import over_limit

log = logging.getLogger(__name__)

CLOSE_IDLE = 4410  # the widget does not reconnect until the resident sends something
SOCKETS_RETRY_SECONDS = 30.0
IDLE_TEXT = "This chat went quiet, so we've paused the connection. Send a message to carry on."


@contextlib.asynccontextmanager
async def socket_slot(request: web.Request, ws: web.WebSocketResponse, address: str) -> AsyncIterator[bool]:
    """Hold one of ``address``'s sockets in this process for the block; False (the client
    told why, the socket closed) when it already has ``limits.sockets`` open."""
    counts, cap = request.app[ADDRESSES], request.app[SETTINGS].limits.sockets
    if not counts.take(address, cap):
        request.app[METRICS].limited.labels(limits.SOCKETS).inc()
        with contextlib.suppress(ConnectionError, RuntimeError):
            await ws.send_json(limits.refusal(limits.SOCKETS, SOCKETS_RETRY_SECONDS))
        await ws.close(code=WSCloseCode.TRY_AGAIN_LATER, message=b"too many sockets from this address")
        yield False
        return
    try:
        yield True
    finally:
        counts.give_back(address)


async def resident_frame_refused(request: web.Request, peer: Peer, address: str, frame: dict[str, Any]) -> bool:
    """Check a resident's frame against the per-address limits; True when refused (the
    resident has been sent a ``rate_limited`` frame naming its ``client_id``, so the
    widget keeps the message and sends it again after ``retry_after``)."""
    kind = frame["type"]
    if kind == "message":
        name, cap, window = (
            limits.RESIDENT_MESSAGES,
            request.app[SETTINGS].limits.resident_messages,
            limits.RESIDENT_MESSAGES_WINDOW,
        )
    elif kind == "leave_message":
        name, cap, window = (
            limits.LEFT_MESSAGES,
            request.app[SETTINGS].limits.left_messages,
            limits.LEFT_MESSAGES_WINDOW,
        )
    else:
        return False
    wait = await over_limit(request.app[STORE], request.app[METRICS], name, address, cap, window)
    if not wait:
        return False
    await peer.send(limits.refusal(name, wait, frame.get("client_id")))
    return True


class IdleWatch:
    """Closes a resident's socket after ``seconds`` without a frame from the resident
    (pings do not count: the widget sends them by itself), unless someone is waiting on
    it (``limits.should_close_idle``). The widget reconnects when the resident sends."""

    def __init__(self, peer: Peer, seconds: float, mode: Callable[[], Awaitable[str | None]], on_close) -> None:
        self.peer = peer
        self.seconds = seconds
        self._mode = mode
        self._on_close = on_close
        self._loop = asyncio.get_running_loop()
        self._last = self._loop.time()
        self._closing = False
        self._task = asyncio.create_task(self._watch())

    def touch(self) -> None:
        """The resident sent something."""
        self._last = self._loop.time()

    async def stop(self) -> None:
        """Stop watching; when the watch is closing the socket, let it finish (the close
        frame must be sent before the handler returns and the connection goes)."""
        if self._closing:
            with contextlib.suppress(asyncio.CancelledError, ConnectionError, RuntimeError):
                await self._task
        else:
            self._task.cancel()

    async def _watch(self) -> None:
        while not self.peer.closed:
            remaining = self._last + self.seconds - self._loop.time()
            if remaining > 0:
                await asyncio.sleep(remaining)
                continue
            try:
                mode = await self._mode()
            except RedisError:
                mode = "queued"  # cannot tell: keep the socket, look again later
            if not limits.should_close_idle(mode):
                self.touch()
                continue
            self._closing = True
            self._on_close()
            await self.peer.send(frames.error("idle", IDLE_TEXT))
            await self.peer.ws.close(code=CLOSE_IDLE, message=b"idle")
            return


def count_limited(app: web.Application, limit: str) -> None:
    """Count one refusal or close by ``limit`` in the relay's /metrics
    (``frontdesk_limited_total``): for limits applied outside the relay's handlers, such
    as the front door's HTTP read deadlines."""
    app[METRICS].limited.labels(limit).inc()
