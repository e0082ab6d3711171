"""What the relay and the Open311 service do with the hostile inputs of issue 14.

Runs the relay (a private redis-server, Rasa not running) and the Open311 service in
this process and counts, for each input, how it was answered:

- 600 first frames before hello: ``"[" * 5000``, a hello whose page address holds a
  lone surrogate, a hello with a lone surrogate as a key;
- the same 600 after hello (as messages);
- 200 malformed multipart and wrongly encoded Open311 POSTs;
- a rating sent as ``5.0``: what is stored.

    PYTHONPATH=. .venv/bin/python benchmarks/bad_input/run.py

Prints the figures; nothing is written. Point PYTHONPATH at an older checkout to get the
figures from before a change.
"""

from __future__ import annotations

import asyncio
import json
import logging
import tempfile
from collections import Counter
from pathlib import Path

from aiohttp import WSMsgType
from aiohttp.test_utils import TestClient, TestServer

from front_door.processes import RedisServer
from live_handoff.app import create_app
from live_handoff.settings import Settings
from live_handoff.store import Store, connect_redis
from service_requests.app import create_standalone_app
from service_requests.settings import Settings as Open311Settings

TRIES = 600
BEFORE = [
    "[" * 5000,
    '{"type": "hello", "page": {"url": "https://x.example/\\ud800"}}',
    '{"type": "hello", "\\ud800": 1}',
]
AFTER = [
    "[" * 5000,
    '{"type": "message", "client_id": "m1", "text": "half an emoji \\ud83d"}',
    '{"type": "message", "client_id": "m1", "text": "hi", "\\ud800": 1}',
]
FORMS = [
    (b"no boundary", "multipart/form-data"),
    (b'--b\r\nContent-Disposition: form-data; name="api_key"\r\n\r\nx', "multipart/form-data; boundary=b"),
    (b"--zz\r\n\r\n", "multipart/form-data; boundary=b"),
    (b"\xff\xfe\x00", "application/x-www-form-urlencoded"),
    (b"service_code=pothole", "application/x-www-form-urlencoded; charset=klingon"),
]


class Tracebacks(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += record.exc_info is not None


async def outcome(ws) -> str:
    try:
        msg = await ws.receive(timeout=5)
    except asyncio.TimeoutError:
        return "no answer (socket open)"
    if msg.type != WSMsgType.TEXT:
        return f"dropped, no error frame (close {ws.close_code})"
    frame = json.loads(msg.data)
    return f"error {frame['code']}" if frame["type"] == "error" else frame["type"]


async def main() -> None:
    tracebacks = Tracebacks()
    logging.getLogger().addHandler(tracebacks)
    logging.getLogger().setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory() as folder:
        redis_server = RedisServer(Path(folder) / "redis").start()
        try:
            settings = Settings(redis_url=redis_server.url, rasa_url="http://127.0.0.1:9", key_prefix="bad")
            relay = TestClient(TestServer(create_app(settings)))
            open311 = TestClient(
                TestServer(
                    create_standalone_app(
                        Open311Settings.from_env(
                            {
                                "OPEN311_API_KEYS": "chat-key-0123456789",
                                "OPEN311_STAFF_KEYS": "staff-key-0123456789",
                                "OPEN311_DB": f"{folder}/cases.sqlite3",
                            }
                        )
                    )
                )
            )
            await relay.start_server()
            await open311.start_server()

            before = Counter[str]()
            for n in range(TRIES):
                ws = await relay.ws_connect("/ws/resident")
                await ws.send_str(BEFORE[n % len(BEFORE)])
                before[await outcome(ws)] += 1
                await ws.close()
            shown = tracebacks.count

            after = Counter[str]()
            ws = await relay.ws_connect("/ws/resident")
            await ws.send_str('{"type": "hello"}')
            welcome = json.loads((await ws.receive()).data)
            for n in range(TRIES):
                if ws.closed:
                    ws = await relay.ws_connect("/ws/resident")
                    await ws.send_str('{"type": "hello"}')
                    await ws.receive()
                await ws.send_str(AFTER[n % len(AFTER)])
                after[await outcome(ws)] += 1

            forms = Counter[int]()
            for n in range(200):
                body, ctype = FORMS[n % len(FORMS)]
                async with open311.post("/open311/v2/requests.json", data=body, headers={"Content-Type": ctype}) as r:
                    forms[r.status] += 1

            rater = await relay.ws_connect("/ws/resident")
            await rater.send_str('{"type": "hello"}')
            cid = json.loads((await rater.receive()).data)["conversation_id"]
            await rater.send_str('{"type": "end_chat", "client_id": "e1"}')
            await rater.send_str('{"type": "rating", "client_id": "r1", "score": 5.0}')
            await asyncio.sleep(0.5)
            redis = connect_redis(settings.redis_url)
            stored = (await Store(redis, settings.key_prefix, 3600).conversation(cid) or {}).get("rating")
            await redis.close()
            assert welcome["type"] == "welcome"

            print(f"before hello, {TRIES} first frames: {dict(before)}; tracebacks logged: {shown}")
            print(f"after hello, {TRIES} frames: {dict(after)}; tracebacks logged: {tracebacks.count - shown}")
            print(f"Open311 POST, 200 broken bodies: statuses {dict(sorted(forms.items()))}")
            print(f"a rating sent as 5.0 is stored as {stored!r}")
            await relay.close()
            await open311.close()
        finally:
            redis_server.stop()


if __name__ == "__main__":
    asyncio.run(main())
