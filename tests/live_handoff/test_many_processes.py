"""Several relay processes against one Redis: cross-process chat, a relay killed with
SIGKILL, and a Redis restart. Real processes (python -m front_door), real redis-server."""

from __future__ import annotations

import uuid

import aiohttp
import pytest

from front_door.processes import FrontDoor, RedisServer
from live_handoff import auth
from live_handoff.store import Store, connect_redis
from tests.live_handoff.conftest import DEAD_RASA, PASSWORD, Socket, kind
from tests.waiting import until

pytestmark = pytest.mark.servers  # starts Redis and front-door processes itself


def door_env(redis_url: str, prefix: str) -> dict[str, str]:
    return {
        "REDIS_URL": redis_url,
        "RASA_URL": DEAD_RASA,
        "RELAY_KEY_PREFIX": prefix,
        "RELAY_OPENING_HOURS": "Mon-Sun 00:00-24:00",
        "RELAY_BURST": "50",
        "OPEN311_API_KEYS": "",
        "OPEN311_URL": "",
    }


@pytest.fixture
async def cluster(tmp_path):
    """Its own Redis (so restarting it disturbs no other test) and two front doors."""
    redis_server = RedisServer(tmp_path / "redis").start()
    prefix = f"t{uuid.uuid4().hex[:8]}"
    doors = [FrontDoor(door_env(redis_server.url, prefix), tmp_path / f"door{i}.log").start() for i in range(2)]
    redis = connect_redis(redis_server.url)
    store = Store(redis, prefix)
    await auth.add_user(store, "sam", "Sam Patel", PASSWORD, {"advisor"}, 3)
    http = aiohttp.ClientSession()
    yield redis_server, doors, store, http
    await http.close()
    await redis.close()
    for door in doors:
        door.stop()
    redis_server.stop()


async def open_resident(http, door: FrontDoor, hello: dict | None = None) -> tuple[Socket, dict]:
    sock = Socket(await http.ws_connect(door.ws_url + "/ws/resident"), "resident_server")
    await sock.send({"type": "hello", **(hello or {})})
    return sock, await sock.next(kind("welcome"))


async def open_advisor(door: FrontDoor) -> tuple[aiohttp.ClientSession, Socket]:
    http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))  # its own jar; unsafe = IP hosts
    response = await http.post(door.url + "/api/advisor/login", json={"username": "sam", "password": PASSWORD})
    assert response.status == 200
    sock = Socket(await http.ws_connect(door.ws_url + "/ws/advisor"), "advisor_server")
    await sock.next(kind("welcome"))
    await sock.send({"type": "presence", "status": "available"})
    return http, sock


async def advisor_available(store: Store) -> None:
    """The console's presence frame is handled: another process, so no frame to wait on."""
    await until(store.available_advisors, "the other relay records the advisor as available")


async def queued_and_claimed(http, store: Store, resident_door: FrontDoor, console: Socket) -> tuple[Socket, dict]:
    """A resident on ``resident_door`` asks for a person and the advisor's console claims them."""
    sock, welcome = await open_resident(http, resident_door)
    await advisor_available(store)
    await sock.send({"type": "request_advisor"})
    await sock.next(kind("status", mode="queued"))
    await console.next(lambda f: f["type"] == "queue" and f["items"])
    await console.send({"type": "claim", "conversation_id": welcome["conversation_id"]})
    await sock.next(kind("status", mode="advisor"))
    return sock, welcome


async def test_a_resident_on_one_relay_and_an_advisor_on_another_chat_normally(cluster):
    _, (a, b), store, http = cluster
    advisor_http, console = await open_advisor(b)
    try:
        sock, welcome = await queued_and_claimed(http, store, a, console)
        cid = welcome["conversation_id"]
        for i in range(5):
            await sock.send({"type": "message", "client_id": f"r{i}", "text": f"resident says {i}"})
            await console.next(kind("message", text=f"resident says {i}"))
            await console.send(
                {"type": "message", "conversation_id": cid, "client_id": f"a{i}", "text": f"advisor says {i}"}
            )
            await sock.next(kind("message", text=f"advisor says {i}"))
        said = [f["text"] for f in sock.events() if f["type"] == "message"]
        assert said == [t for i in range(5) for t in (f"resident says {i}", f"advisor says {i}")]
    finally:
        await advisor_http.close()


async def test_killing_a_relay_mid_chat_loses_and_duplicates_nothing_acknowledged(cluster):
    _, (a, b), store, http = cluster
    advisor_http, console = await open_advisor(b)
    try:
        sock, welcome = await queued_and_claimed(http, store, a, console)
        cid = welcome["conversation_id"]

        acked: dict[str, str] = {}
        for i in range(20):
            await sock.send({"type": "message", "client_id": f"m{i}", "text": f"message {i}"})
        # Take whatever acknowledgements arrive, then pull the plug mid-stream.
        try:
            while len(acked) < 8:
                ack = await sock.next(kind("ack"), timeout=10)
                acked[ack["client_id"]] = ack["id"]
        finally:
            a.kill()
        last_seen = max((f["id"] for f in sock.events()), key=lambda i: tuple(map(int, i.split("-"))), default="0-0")

        # The widget reconnects to the other relay and resends everything not acknowledged.
        again, resumed = await open_resident(
            http, b, {"conversation_id": cid, "resume_token": welcome["resume_token"], "last_seen": last_seen}
        )
        assert resumed["mode"] == "advisor"
        for i in range(20):
            if f"m{i}" not in acked:
                await again.send({"type": "message", "client_id": f"m{i}", "text": f"message {i}"})
        for i in range(20):
            if f"m{i}" not in acked:
                ack = await again.next(kind("ack", client_id=f"m{i}"))
                acked[ack["client_id"]] = ack["id"]
        logged = [e.event["text"] for e in await store.events_after(cid, "0-0") if e.event.get("from") == "resident"]
        assert sorted(logged, key=lambda t: int(t.split()[1])) == [f"message {i}" for i in range(20)]
        assert len(set(acked.values())) == 20
        # On screen: what the first socket showed plus what the second replayed, each once.
        await again.quiet(0.5)
        shown = [f["id"] for f in sock.events()] + [f["id"] for f in again.events()]
        assert len(shown) == len(set(shown)), "an event was shown twice"
        # And the advisor, on the surviving relay, received every message exactly once: wait
        # for all twenty (relayed from the log after the acks), then for any second copy.
        got = {f["text"] for f in console.frames[: console.seen] if f["type"] == "message" and f["from"] == "resident"}

        def all_twenty(frame: dict) -> bool:
            if frame["type"] == "message" and frame["from"] == "resident":
                got.add(frame["text"])
            return len(got) == 20

        if len(got) < 20:
            await console.next(all_twenty, timeout=15)
        await console.quiet(1.0)
        texts = [f["text"] for f in console.frames if f["type"] == "message" and f["from"] == "resident"]
        assert sorted(texts, key=lambda t: int(t.split()[1])) == [f"message {i}" for i in range(20)]
    finally:
        await advisor_http.close()


async def test_a_redis_restart_keeps_the_queue_and_the_conversations(cluster):
    redis_server, (a, b), store, http = cluster
    advisor_http, console = await open_advisor(b)
    try:
        sock, welcome = await open_resident(http, a)
        cid = welcome["conversation_id"]
        await advisor_available(store)
        await sock.send({"type": "request_advisor"})
        await sock.next(kind("status", mode="queued"))
        await advisor_http.close()
        await sock.ws.close()

        redis_server.restart()
        assert await store.queue() == [cid]

        again, resumed = await open_resident(http, a, {"conversation_id": cid, "resume_token": welcome["resume_token"]})
        assert resumed["mode"] == "queued"
        await again.next(kind("status"))
        assert [f["mode"] for f in again.frames + await again.quiet(0.5) if f["type"] == "status"] == ["queued"]
        advisor_http, console = await open_advisor(b)
        await console.next(lambda f: f["type"] == "queue" and f["items"])
        await console.send({"type": "claim", "conversation_id": cid})
        await again.next(kind("status", mode="advisor"), timeout=10)
    finally:
        await advisor_http.close()
