"""Deadlines for reading a request: its line and headers within ``header_seconds`` of its
first byte, its body within ``body_seconds`` of its headers; otherwise the connection is
closed (408 when no handler has started yet).

aiohttp 3.9's server has no header read timeout: a client that sends a request a byte at
a time ("slowloris") holds a connection, and its memory, for as long as it likes, and
a few hundred of them hold the front door's sockets. The keep-alive timeout does not
help: it only runs between requests. So each connection's protocol gets a timer here:
``DeadlineRunner`` is an ``AppRunner`` whose connections are ``DeadlineHandler``s.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, cast

from aiohttp import web
from aiohttp.web_protocol import RequestHandler

HEADERS = "http_headers"
BODY = "http_body"
TIMEOUT_RESPONSE = b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"

OnTimeout = Callable[[str], None]


class DeadlineHandler(RequestHandler):
    """aiohttp's protocol for one connection, with the two read deadlines."""

    def __init__(
        self,
        manager: web.Server,
        *,
        header_seconds: float,
        body_seconds: float,
        on_timeout: OnTimeout,
        **kwargs: Any,
    ) -> None:
        super().__init__(manager, **kwargs)
        self._header_seconds = header_seconds
        self._body_seconds = body_seconds
        self._on_timeout = on_timeout
        self._deadline: asyncio.TimerHandle | None = None
        self._body: Any = None  # the body (StreamReader) being waited for

    def data_received(self, data: bytes) -> None:
        reading_requests = not self._upgrade and self._payload_parser is None
        if reading_requests and self._deadline is None and data:
            # The first byte of a request: its line and headers must follow in time.
            self._arm(self._header_seconds, HEADERS)
        before = self._request_count
        super().data_received(data)
        if self._upgrade or self._force_close:  # a websocket now, or closing: not ours
            self._disarm()
            return
        if self._request_count != before:
            # Headers complete: now the body of the last request read, if it has one.
            self._disarm()
            body = self._messages[-1][1] if self._messages else None
            if body is not None and not body.is_eof():
                self._body = body
                self._arm(self._body_seconds, BODY)
        elif self._body is not None and self._body.is_eof():
            self._disarm()

    def connection_lost(self, exc: BaseException | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self, seconds: float, what: str) -> None:
        self._deadline = self._loop.call_later(seconds, self._expired, what)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
        self._deadline = None
        self._body = None

    def _expired(self, what: str) -> None:
        self._deadline = None
        if self.transport is None:
            return
        if what == BODY and (self._body is None or self._body.is_eof()):
            return
        self._on_timeout(what)
        if what == HEADERS:
            self.transport.write(TIMEOUT_RESPONSE)
        self.force_close()
        self.transport.close()


class _Connections:
    """The server's protocol factory, making ``DeadlineHandler``s; everything else is the
    server's own (its connection list, shutdown)."""

    def __init__(self, server: web.Server, header_seconds: float, body_seconds: float, on_timeout: OnTimeout) -> None:
        self._server = server
        self._header_seconds = header_seconds
        self._body_seconds = body_seconds
        self._on_timeout = on_timeout

    def __call__(self) -> DeadlineHandler:
        # The same arguments aiohttp's own Server.__call__ passes (web_server.py).
        server = self._server
        return DeadlineHandler(
            server,
            loop=server._loop,
            header_seconds=self._header_seconds,
            body_seconds=self._body_seconds,
            on_timeout=self._on_timeout,
            **server._kwargs,
        )

    def __getattr__(self, name: str) -> Any:
        return getattr(self._server, name)


class DeadlineRunner(web.AppRunner):
    """An ``AppRunner`` whose connections have read deadlines (``DeadlineHandler``)."""

    def __init__(
        self,
        app: web.Application,
        *,
        header_seconds: float,
        body_seconds: float,
        on_timeout: OnTimeout = lambda _: None,
        **kwargs: Any,
    ) -> None:
        super().__init__(app, **kwargs)
        self._deadline_args = (header_seconds, body_seconds, on_timeout)

    async def _make_server(self) -> web.Server:
        server = await super()._make_server()
        return cast(web.Server, _Connections(server, *self._deadline_args))


async def serve(runner: DeadlineRunner, host: str, port: int, shutdown_timeout: float = 5.0) -> None:
    """Serve until SIGINT or SIGTERM (the runner handles signals), then shut down cleanly:
    what ``web.run_app`` does, with this runner."""
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port, shutdown_timeout=shutdown_timeout).start()
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()


def run(runner: DeadlineRunner, host: str, port: int) -> None:
    """``serve`` in a new event loop; returns after a signal."""
    try:
        asyncio.run(serve(runner, host, port))
    except (web.GracefulExit, KeyboardInterrupt):
        pass
