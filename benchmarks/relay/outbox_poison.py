"""Issue 14's "one bad left message blocks all the others", re-run: with a real Redis and a
real Open311 process, one resident leaves a message whose name holds a lone surrogate,
another one whose email is ``javascript:x@example.zz``, then ``--good`` residents leave
ordinary ones. Prints what each of the first two was told, how many good messages became
cases, and what is left waiting or set aside. Uses only what every version of the relay
has, so it measures before and after alike::

    .venv/bin/python benchmarks/relay/outbox_poison.py            # this checkout
    .venv/bin/python benchmarks/relay/outbox_poison.py --already-waiting
    # an older version: its code in /tmp/before, this script copied outside it
    git archive <commit> | tar -x -C /tmp/before && cp benchmarks/relay/outbox_poison.py /tmp/
    cd /tmp/before && PYTHONPATH=/tmp/before <checkout>/.venv/bin/python /tmp/outbox_poison.py
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile
import time
import uuid
from dataclasses import replace
from pathlib import Path

import aiohttp
from aiohttp.test_utils import TestClient, TestServer

from bot.processes import ROOT, Open311Service, free_port
from front_door.processes import RedisServer
from live_handoff import hours
from live_handoff.app import create_app
from live_handoff.settings import Settings
from live_handoff.store import Store, connect_redis

KEY = "chat-key-0123456789"
CLOSED = hours.OpeningHours(weekly={}, closed_dates=frozenset())


async def leave(client: TestClient, frame: dict, wait: float) -> dict:
    """Leave one message; what the resident was told (error, ack, system message)."""
    ws = await client.ws_connect("/ws/resident")
    await ws.send_str(json.dumps({"type": "hello"}))
    got: dict = {"ack": False, "error": "", "told": ""}
    await ws.send_str(json.dumps({"type": "leave_message", "client_id": "l1", **frame}))
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline and not (got["error"] or got["told"]):
        try:
            msg = await ws.receive(timeout=max(0.05, deadline - time.monotonic()))
        except asyncio.TimeoutError:
            break
        if msg.type != aiohttp.WSMsgType.TEXT:
            got["error"] = f"socket {msg.type.name}"
            break
        f = json.loads(msg.data)
        if f["type"] == "ack":
            got["ack"] = True
        elif f["type"] == "error":
            got["error"] = f"{f['code']}: {f['message']}" + (f" (field {f['field']})" if "field" in f else "")
        elif f["type"] == "message" and f.get("from") == "system" and "Thank you" in f.get("text", ""):
            got["told"] = f["text"]
    await ws.close()
    return got


def waiting_entry(n: int, **fields: str) -> str:
    """A bad message already in the outbox, as a relay that did not check it stored it."""
    message = {"key": f"c_old{n}:m1", "conversation_id": f"c_old{n}", "left_at": int(time.time() * 1000)}
    return json.dumps({**message, "text": "Call me", "name": "", "email": "", "phone": "", **fields})


async def run(good: int, already_waiting: bool) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="outbox-poison-"))
    redis_server = RedisServer(folder / "redis").start()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "OPEN311_API_KEYS": KEY,
        "OPEN311_STAFF_KEYS": "staff-key-0123456789",
        "OPEN311_DB": str(folder / "cases.sqlite3"),
    }
    open311 = Open311Service(free_port(), env, folder / "open311.log")
    open311.start()
    settings = replace(
        Settings(redis_url=redis_server.url, rasa_url="http://127.0.0.1:9", key_prefix=f"b{uuid.uuid4().hex[:8]}"),
        opening_hours=CLOSED,
        open311_url=open311.url,
        open311_api_key=KEY,
    )
    client = TestClient(TestServer(create_app(settings)))
    await client.start_server()
    redis = connect_redis(settings.redis_url)
    store = Store(redis, settings.key_prefix, settings.retention_seconds)
    contact = {"phone": "01632 960123"}
    try:
        if already_waiting:
            await redis.rpush(
                store.key("outbox"),
                waiting_entry(1, name="Jo \ud800", phone="01632 960123"),
                waiting_entry(2, email="javascript:x@example.zz"),
            )
        surrogate = await leave(client, {"text": "Call me", "name": "Jo \ud800", **contact}, 5)
        script = await leave(client, {"text": "Call me", "email": "javascript:x@example.zz"}, 5)
        started = time.monotonic()
        told = [await leave(client, {"text": f"Good message {n}", **contact}, 5) for n in range(good)]
        seconds = time.monotonic() - started
        delivered = sum(1 for t in told if "NB-" in t["told"])
        return {
            "lone surrogate in the name: resident told": surrogate,
            "javascript: email: resident told": script,
            "good messages left after them": good,
            "good messages that became cases at once": delivered,
            "seconds for the good ones": round(seconds, 2),
            "left waiting in the outbox": await store.outbox_length(),
            "set aside for a supervisor": await store.set_aside_count(),
        }
    finally:
        await redis.close()
        await client.close()
        open311.stop()
        redis_server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--good", type=int, default=20, help="ordinary messages left after the two bad ones")
    parser.add_argument(
        "--already-waiting",
        action="store_true",
        help="also put the same two bad messages in the outbox first, as a relay that did not check them left them",
    )
    args = parser.parse_args()
    figures = asyncio.run(run(args.good, args.already_waiting))
    for name, value in figures.items():
        print(f"{name}: {value}")


if __name__ == "__main__":
    main()
