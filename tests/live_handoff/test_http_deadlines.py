"""Slowloris against a real front-door process: requests whose headers or body dribble in
are closed once the read deadline passes (1 s here), while everyone else is served,
keep-alive connections idle between requests stay open, and websockets are not cut."""

from __future__ import annotations

import asyncio
import json
import time
import uuid

import aiohttp
import pytest

from front_door.processes import FrontDoor
from tests.live_handoff.conftest import DEAD_RASA

pytestmark = pytest.mark.servers  # starts a front-door process

TOKEN = "metrics-token-for-deadline-tests"
HALF_SENT = 100


@pytest.fixture
def door(redis_server, tmp_path):
    env = {
        "REDIS_URL": redis_server.url,
        "RASA_URL": DEAD_RASA,
        "RELAY_KEY_PREFIX": f"t{uuid.uuid4().hex[:8]}",
        "RELAY_METRICS_TOKEN": TOKEN,
        "RELAY_HTTP_HEADER_TIMEOUT_SECONDS": "1",
        "RELAY_HTTP_BODY_TIMEOUT_SECONDS": "1",
        "OPEN311_API_KEYS": "",
        "OPEN311_URL": "",
    }
    started = FrontDoor(env, tmp_path / "door.log").start()
    yield started
    started.stop()


async def dribble(port: int, first: bytes, every: float = 0.2, until: float = 10.0) -> tuple[float, bytes]:
    """Send ``first``, then a header line every ``every`` seconds, never finishing; how
    long the front door kept the connection open, and what it said before closing."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    started = time.monotonic()
    writer.write(first)
    said = b""
    try:
        while time.monotonic() - started < until:
            try:
                chunk = await asyncio.wait_for(reader.read(1024), every)
            except asyncio.TimeoutError:
                writer.write(b"X-Slow: 1\r\n" if b"Content-Length" not in first else b"x")
                continue
            if not chunk:
                break
            said += chunk
    except ConnectionError:
        pass
    held = time.monotonic() - started
    writer.close()
    return held, said


async def test_half_sent_requests_are_closed_after_the_header_deadline_while_others_are_served(door):
    attack = [
        asyncio.create_task(dribble(door.port, b"GET /health HTTP/1.1\r\nHost: relay\r\n")) for _ in range(HALF_SENT)
    ]
    await asyncio.sleep(0.3)
    async with aiohttp.ClientSession() as http:
        async with http.get(door.url + "/health") as response:
            assert response.status in (200, 503)  # served (Rasa is not running here: that is fine)
        held = await asyncio.gather(*attack)
        # 1 s deadline; the attack would hold 10 s. The margin is for a loaded machine.
        assert max(seconds for seconds, _ in held) < 8.0
        assert all(said.startswith(b"HTTP/1.1 408") for _, said in held)
        metrics = await (await http.get(door.url + "/metrics", headers={"Authorization": f"Bearer {TOKEN}"})).text()
    assert f'frontdesk_limited_total{{limit="http_headers"}} {float(HALF_SENT)}' in metrics


async def test_a_body_that_dribbles_in_is_cut_off_after_the_body_deadline(door):
    head = b"POST /api/advisor/login HTTP/1.1\r\nHost: relay\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{"
    held, _ = await dribble(door.port, head)
    assert held < 8.0  # 1 s deadline; the attack would hold 10 s


async def test_keep_alive_connections_idle_between_requests_and_websockets_are_not_cut(door):
    async with aiohttp.ClientSession() as http:
        assert (await http.get(door.url + "/api/widget/settings")).status == 200
        ws = await http.ws_connect(door.ws_url + "/ws/resident")
        await asyncio.sleep(1.6)  # past both deadlines
        # The same pooled connection is reused for the next request.
        assert (await http.get(door.url + "/api/widget/settings")).status == 200
        await ws.send_str(json.dumps({"type": "hello"}))
        assert (await ws.receive_json(timeout=5))["type"] == "welcome"
        await ws.close()
