"""The relay against a real Redis (and, where marked, the real Rasa server)."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from live_handoff import auth, hours
from live_handoff.app import create_app
from live_handoff.keys import STORE
from live_handoff.protocol import check_outgoing
from live_handoff.settings import Settings
from live_handoff.store import Store, connect_redis
from tests.passwords import STAFF_PASSWORD
from tests.waiting import until

ALWAYS_OPEN = hours.OpeningHours(
    weekly={d: (hours.dt.time(0, 0), hours.dt.time(23, 59, 59)) for d in range(7)}, closed_dates=frozenset()
)
NEVER_OPEN = hours.OpeningHours(weekly={}, closed_dates=frozenset())
DEAD_RASA = "http://127.0.0.1:9"  # nothing listens on the discard port
PASSWORD = STAFF_PASSWORD


@pytest.fixture
def settings(redis_server) -> Settings:
    return Settings(
        redis_url=redis_server.url,
        rasa_url=DEAD_RASA,
        key_prefix=f"t{uuid.uuid4().hex[:10]}",
        opening_hours=ALWAYS_OPEN,
        bot_notice_seconds=2.0,
        bot_timeout_seconds=10.0,
    )


@pytest.fixture
async def store(settings):
    redis = connect_redis(settings.redis_url)
    yield Store(redis, settings.key_prefix, settings.retention_seconds)
    await redis.close()


@pytest.fixture
def make_client(aiohttp_client):
    async def make(settings: Settings):
        return await aiohttp_client(create_app(settings))

    return make


class Socket:
    """A websocket client that keeps every frame and checks each against the contract."""

    def __init__(self, ws, schema: str) -> None:
        self.ws = ws
        self.schema = schema
        self.frames: list[dict[str, Any]] = []
        self.seen = 0

    async def send(self, frame: dict[str, Any] | str) -> None:
        await self.ws.send_str(frame if isinstance(frame, str) else json.dumps(frame))

    async def next(self, where: Callable[[dict], bool] = lambda f: True, timeout: float = 10.0) -> dict[str, Any]:
        """The next frame (after the ones already taken) matching ``where``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            for index in range(self.seen, len(self.frames)):
                if where(self.frames[index]):
                    self.seen = index + 1
                    return self.frames[index]
            self.seen = len(self.frames)
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(f"no matching frame within {timeout} s; got {self.frames[-8:]}")
            msg = await self.ws.receive(timeout=remaining)
            if msg.type.name != "TEXT":
                raise AssertionError(f"socket ended: {msg.type.name} {msg.data} {msg.extra}; got {self.frames[-8:]}")
            frame = json.loads(msg.data)
            problems = check_outgoing(frame, self.schema)
            assert not problems, (frame, problems)
            self.frames.append(frame)

    async def quiet(self, seconds: float = 0.3) -> list[dict]:
        """Frames arriving in the next ``seconds`` (to show nothing more comes)."""
        got = []
        try:
            while True:
                msg = await self.ws.receive(timeout=seconds)
                if msg.type.name != "TEXT":
                    break
                frame = json.loads(msg.data)
                self.frames.append(frame)
                got.append(frame)
        except asyncio.TimeoutError:
            pass
        self.seen = len(self.frames)
        return got

    def events(self) -> list[dict]:
        return [f for f in self.frames if "id" in f and f["type"] in ("message", "status", "note")]


def kind(name: str, **fields) -> Callable[[dict], bool]:
    return lambda f: f.get("type") == name and all(f.get(k) == v for k, v in fields.items())


async def resident(client, hello: dict | None = None) -> tuple[Socket, dict]:
    ws = await client.ws_connect("/ws/resident")
    sock = Socket(ws, "resident_server")
    await sock.send({"type": "hello", **(hello or {})})
    welcome = await sock.next(kind("welcome"))
    return sock, welcome


async def add_advisor(
    store: Store, username: str = "sam", name: str = "Sam Patel", capacity: int = 2, roles: set[str] | None = None
) -> None:
    await auth.add_user(store, username, name, PASSWORD, roles or {"advisor"}, capacity)


async def advisor(client, username: str = "sam", presence: str = "available") -> Socket:
    response = await client.post("/api/advisor/login", json={"username": username, "password": PASSWORD})
    assert response.status == 200, await response.text()
    ws = await client.ws_connect("/ws/advisor")
    sock = Socket(ws, "advisor_server")
    await sock.next(kind("welcome"))
    if presence:
        await sock.send({"type": "presence", "status": presence})
        # No frame answers a presence: wait until the relay has stored it, as a resident's
        # handoff reads it from there.
        store = client.app[STORE]

        async def stored() -> bool:
            return (await store.advisor(username) or {}).get("presence") == presence

        await until(stored, f"the relay records {username} as {presence}")
    return sock


def with_rasa(settings: Settings, servers) -> Settings:
    return replace(settings, rasa_url=servers.rasa_url, rasa_token=servers.rasa_token)


async def turns_finished(store: Store) -> None:
    """Every bot turn's bookkeeping is written. The relay logs the bot's answer (which is
    what reaches the socket) first, then records its route, the editors' events, the case,
    ``answered``; the message stops waiting last of all."""

    async def none_waiting() -> bool:
        return await store.conversations_waiting() == 0

    await until(none_waiting, "the bot turn's bookkeeping is written after its answer")


async def whole_turn(store: Store, sock: Socket) -> None:
    """The bot's whole answer is logged and has reached ``sock``: a turn's messages are
    logged one after another, so its first on the socket does not mean the rest are there."""
    await turns_finished(store)
    last = await store.last_id(sock.frames[0]["conversation_id"])  # frames[0] is the welcome
    if not any(f.get("id") == last for f in sock.frames):
        await sock.next(lambda f: f.get("id") == last)
