"""The relay's application factory: ``create_app(settings)``."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import weakref
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
from aiohttp import WSCloseCode, web

from knowledge_base.cache import KnowledgeBaseCache
from live_handoff import http_api
from live_handoff.advisor_ws import advisor_socket
from live_handoff.bot_client import BotClient
from live_handoff.case_api import CaseDesk
from live_handoff.cases import CaseClient, Outbox
from live_handoff.hub import Hub
from live_handoff.keys import (
    ADDRESSES,
    CASES,
    HUB,
    KNOWLEDGE,
    METRICS,
    METRICS_LISTENER,
    METRICS_SOCKET,
    REDIS,
    RELAY,
    SETTINGS,
    SOCKETS,
    STORE,
)
from live_handoff.metrics import Metrics
from live_handoff.photos import handlers as photos
from live_handoff.ratelimit import SocketCount
from live_handoff.resident_ws import resident_socket
from live_handoff.rooms import Relay
from live_handoff.settings import Settings, knowledge_paths_in
from live_handoff.store import Store, connect_redis

log = logging.getLogger(__name__)


def knowledge_paths(settings: Settings | None = None) -> tuple[Path, Path]:
    """The content the bot answers from: ``settings.content_dir`` and ``messages_file``.

    Settings read by ``Settings.from_env`` always have them. Without settings, or with
    settings built in code that leave them out, they are found now as the action server
    finds them (``settings.knowledge_paths_in(os.environ)``); callers should pass the
    application's settings.
    """
    found = knowledge_paths_in(os.environ)
    if settings is None:
        return found
    return settings.content_dir or found[0], settings.messages_file or found[1]


async def _resources(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    redis = connect_redis(settings.redis_url)
    session = aiohttp.ClientSession()
    store = Store(redis, settings.key_prefix, settings.retention_seconds)
    hub = Hub(store)
    outbox = Outbox(
        store,
        CaseClient(session, settings.open311_url, settings.open311_api_key, response_format=settings.open311_format),
        app[METRICS],
    )
    bot = BotClient(
        session, settings.rasa_url, settings.rasa_token, settings.bot_timeout_seconds, app[METRICS].registry
    )
    app[REDIS], app[STORE], app[HUB] = redis, store, hub
    app[CASES] = CaseDesk(
        session, settings.open311_url, settings.open311_api_key, settings.open311_staff_key, settings.open311_format
    )
    relay = app[RELAY] = Relay(settings, store, hub, bot, outbox, app[METRICS], app[KNOWLEDGE])
    relay.residents.cases = app[CASES] if settings.open311_staff_key else None
    tasks = [
        asyncio.create_task(hub.listen()),
        asyncio.create_task(relay.deliver_news()),
        asyncio.create_task(outbox.run()),
        asyncio.create_task(relay.sweeper.run()),
    ]
    try:
        await asyncio.wait_for(hub.connected.wait(), timeout=5)
    except asyncio.TimeoutError:
        log.warning("Redis at %s is not answering yet; the relay will keep trying", settings.redis_url)
    yield
    await app[RELAY].drain()
    await hub.close()
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await task
    await session.close()
    await redis.close()


async def _metrics_socket(app: web.Application) -> AsyncIterator[None]:
    """Bind RELAY_METRICS_ADDRESS first, so an address in use stops start-up before
    anything else is opened."""
    settings = app[SETTINGS]
    if settings.metrics_address is None:
        yield
        return
    host, port = settings.metrics_address
    try:
        sock = socket.create_server((host, port), family=socket.AF_INET6 if ":" in host else socket.AF_INET)
    except OSError as exc:
        raise OSError(f"RELAY_METRICS_ADDRESS: cannot listen on {host}:{port} ({exc.strerror or exc})") from None
    app[METRICS_SOCKET] = sock
    yield
    sock.close()


async def _metrics_listener(app: web.Application) -> AsyncIterator[None]:
    """/metrics on RELAY_METRICS_ADDRESS, a listener of its own (e.g. 127.0.0.1:9464 for a
    Prometheus on the same machine or network), sharing this process's counters."""
    settings = app[SETTINGS]
    if settings.metrics_address is None:
        yield
        return
    listener = web.Application(middlewares=[http_api.json_errors])
    listener[SETTINGS], listener[METRICS], listener[STORE] = settings, app[METRICS], app[STORE]
    listener[METRICS_LISTENER] = True
    listener.router.add_get("/metrics", http_api.metrics)
    runner = web.AppRunner(listener, access_log=None)  # a scrape every 15 s is not news
    await runner.setup()
    await web.SockSite(runner, app[METRICS_SOCKET]).start()
    yield
    await runner.cleanup()


async def _close_sockets(app: web.Application) -> None:
    await asyncio.gather(
        *(ws.close(code=WSCloseCode.GOING_AWAY, message=b"relay shutting down") for ws in list(app[SOCKETS])),  # type: ignore[index]
        return_exceptions=True,
    )


def create_app(settings: Settings) -> web.Application:
    """The relay: websockets for residents and advisors, HTTP API, metrics."""
    app = web.Application(middlewares=[http_api.json_errors], client_max_size=64 * 1024)
    app[SETTINGS] = settings
    app[METRICS] = Metrics()
    app[SOCKETS] = weakref.WeakSet()
    app[ADDRESSES] = SocketCount()
    app[KNOWLEDGE] = KnowledgeBaseCache(*knowledge_paths(settings))
    app.cleanup_ctx.append(_metrics_socket)
    app.cleanup_ctx.append(_resources)
    app.cleanup_ctx.append(_metrics_listener)  # after _resources: it reads the same store
    app.on_shutdown.append(_close_sockets)  # type: ignore[arg-type]  # aiohttp 3.9's Signal typing
    app.router.add_get("/ws/resident", resident_socket)
    app.router.add_get("/ws/advisor", advisor_socket)
    app.add_routes(http_api.routes())
    photos.setup(app)  # residents' photos with reports (live_handoff/photos)
    return app
