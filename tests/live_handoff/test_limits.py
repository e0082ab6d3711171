"""Limits per client address on a real relay and Redis, with small limits: a script over
a limit is refused with a rate_limited frame or a 429 saying when to retry, someone under
it is served, another address is not affected, and the address is the one a trusted
proxy forwarded (an untrusted peer's X-Forwarded-For counts for nothing)."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace

import pytest
from aiohttp import web

from live_handoff.keys import METRICS, RELAY
from live_handoff.limits import Limits
from live_handoff.proxies import parse_trusted
from live_handoff.texts import BOT_BUSY
from tests.live_handoff.conftest import PASSWORD, Socket, add_advisor, kind, resident
from tests.waiting import until

PROXY = parse_trusted("127.0.0.1")
LIBRARY = {"X-Forwarded-For": "203.0.113.5"}
ELSEWHERE = {"X-Forwarded-For": "198.51.100.7"}


def limited(settings, **small) -> object:
    return replace(settings, limits=replace(Limits(), **small))


async def hello(client, headers: dict | None = None, body: dict | None = None) -> tuple[Socket, dict]:
    """Open a resident socket and say hello; the first frame back (welcome or error)."""
    ws = await client.ws_connect("/ws/resident", headers=headers or {})
    sock = Socket(ws, "resident_server")
    await sock.send({"type": "hello", **(body or {})})
    return sock, await sock.next(lambda f: f["type"] in ("welcome", "error"))


async def metric(client, name: str) -> float:
    """How many refusals /metrics has counted for the limit ``name``."""
    found = client.app[METRICS].registry.get_sample_value("frontdesk_limited_total", {"limit": name})
    return found or 0.0


async def test_new_conversations_over_the_limit_are_refused_with_when_to_try_again(settings, make_client):
    client = await make_client(limited(settings, new_conversations=3))
    welcomes = [(await hello(client))[1] for _ in range(3)]
    assert all(w["type"] == "welcome" for w in welcomes)
    sock, refused = await hello(client)
    assert refused["code"] == "rate_limited" and 500 < refused["retry_after"] <= 600
    assert "10 minutes" in refused["message"]
    await sock.ws.receive(timeout=5)
    assert sock.ws.closed and sock.ws.close_code == 1013  # try again later: the widget comes back
    assert await metric(client, "new_conversations") == 1
    # Coming back to a conversation already started is not a new one.
    first = welcomes[0]
    _, resumed = await hello(
        client, body={"conversation_id": first["conversation_id"], "resume_token": first["resume_token"]}
    )
    assert resumed["type"] == "welcome" and resumed["resumed"]


async def test_the_conversation_limit_counts_the_address_a_trusted_proxy_forwarded(settings, make_client):
    client = await make_client(replace(limited(settings, new_conversations=2), trusted_proxies=PROXY))
    for _ in range(2):
        assert (await hello(client, LIBRARY))[1]["type"] == "welcome"
    assert (await hello(client, LIBRARY))[1]["code"] == "rate_limited"
    assert (await hello(client, ELSEWHERE))[1]["type"] == "welcome"  # another address is not affected


async def test_an_untrusted_peers_forwarded_address_is_ignored(settings, make_client):
    client = await make_client(limited(settings, new_conversations=2))  # no trusted proxies
    assert (await hello(client, LIBRARY))[1]["type"] == "welcome"
    assert (await hello(client, ELSEWHERE))[1]["type"] == "welcome"
    # Both counted against the real peer, whatever the header claimed.
    assert (await hello(client, {"X-Forwarded-For": "192.0.2.99"}))[1]["code"] == "rate_limited"


async def test_sockets_over_the_limit_per_address_are_refused_and_a_closed_one_frees_a_place(settings, make_client):
    client = await make_client(replace(limited(settings, sockets=2), trusted_proxies=PROXY))
    first, _ = await hello(client, LIBRARY)
    await hello(client, LIBRARY)
    ws = await client.ws_connect("/ws/resident", headers=LIBRARY)
    refused = await ws.receive_json(timeout=5)
    assert refused["code"] == "rate_limited" and refused["retry_after"] > 0
    await ws.receive(timeout=5)
    assert ws.close_code == 1013
    assert (await hello(client, ELSEWHERE))[1]["type"] == "welcome"
    await first.ws.close()

    async def place_given_back() -> bool:  # the relay notices the close after the handshake
        return (await hello(client, LIBRARY))[1]["type"] == "welcome"

    await until(place_given_back, "a closed socket gives its place back", timeout=15, every=0.1)
    assert await metric(client, "sockets") >= 1


async def test_advisors_sockets_count_against_their_address_too(settings, store, make_client):
    await add_advisor(store)
    client = await make_client(limited(settings, sockets=1))
    assert (await client.post("/api/advisor/login", json={"username": "sam", "password": PASSWORD})).status == 200
    console = await client.ws_connect("/ws/advisor")
    assert (await console.receive_json(timeout=5))["type"] == "welcome"
    second = await client.ws_connect("/ws/advisor")
    assert (await second.receive_json(timeout=5))["code"] == "rate_limited"


async def test_left_messages_over_the_hourly_limit_are_refused_and_not_acknowledged(settings, make_client):
    client = await make_client(replace(limited(settings, left_messages=2), trusted_proxies=PROXY))
    sock, _ = await resident(client)
    for n in range(2):
        frame = {"type": "leave_message", "client_id": f"l-{n}", "name": "Ann", "email": "ann@example.org"}
        await sock.send({**frame, "text": f"Bin not collected {n}"})
        await sock.next(kind("ack", client_id=f"l-{n}"))
    await sock.send(
        {"type": "leave_message", "client_id": "l-2", "name": "Ann", "email": "ann@example.org", "text": "x"}
    )
    refused = await sock.next(kind("error", client_id="l-2"))
    assert refused["code"] == "rate_limited" and 3000 < refused["retry_after"] <= 3600
    assert not [f for f in await sock.quiet() if f.get("type") == "ack" and f.get("client_id") == "l-2"]
    assert await client.app[RELAY].outbox.pending() == 2
    # A resident elsewhere can still leave one.
    other = await client.ws_connect("/ws/resident", headers=ELSEWHERE)
    there = Socket(other, "resident_server")
    await there.send({"type": "hello"})
    await there.next(kind("welcome"))
    await there.send(
        {"type": "leave_message", "client_id": "o-1", "name": "Bo", "email": "bo@example.org", "text": "y"}
    )
    await there.next(kind("ack", client_id="o-1"))


async def test_residents_messages_per_address_are_limited_across_all_its_sockets(settings, make_client):
    client = await make_client(limited(settings, resident_messages=3))
    socks = [(await resident(client))[0] for _ in range(2)]
    for n in range(3):
        await socks[n % 2].send({"type": "message", "client_id": f"m-{n}", "text": "hello"})
        await socks[n % 2].next(kind("ack", client_id=f"m-{n}"))
    await socks[1].send({"type": "message", "client_id": "m-3", "text": "hello"})
    refused = await socks[1].next(kind("error", client_id="m-3"))
    assert refused["code"] == "rate_limited" and 0 < refused["retry_after"] <= 60


async def test_a_quiet_resident_socket_is_closed_with_an_idle_frame_and_a_busy_one_is_not(settings, make_client):
    client = await make_client(limited(settings, idle_minutes=0.02))  # 1.2 s
    quiet, _ = await resident(client)
    busy, _ = await resident(client)
    started = time.monotonic()
    while time.monotonic() - started < 2.5:
        await busy.send({"type": "typing", "active": True})
        await asyncio.sleep(0.3)
    told = await quiet.next(kind("error", code="idle"))
    assert "Send a message" in told["message"]
    closing = await quiet.ws.receive(timeout=5)
    assert closing.type.name == "CLOSE" and closing.data == 4410
    assert not busy.ws.closed
    assert await metric(client, "idle") == 1


async def test_a_wrong_password_flood_slows_logins_down_and_a_correct_one_works_after_the_wait(
    settings, store, make_client
):
    await add_advisor(store)
    client = await make_client(replace(limited(settings, login_failures=2, login_max_delay=1.0), trusted_proxies=PROXY))
    wrong = {"username": "sam", "password": "wrong password!"}
    right = {"username": "sam", "password": PASSWORD}
    for _ in range(2):
        assert (await client.post("/api/advisor/login", json=wrong, headers=LIBRARY)).status == 401
    slowed = await client.post("/api/advisor/login", json=right, headers=LIBRARY)
    assert slowed.status == 429 and slowed.headers["Retry-After"] == "1"
    assert (await slowed.json())["error"]["code"] == "too_many_attempts"
    # The same account from another address is not held up by the guessing.
    assert (await client.post("/api/advisor/login", json=right, headers=ELSEWHERE)).status == 200
    await asyncio.sleep(1.1)
    assert (await client.post("/api/advisor/login", json=right, headers=LIBRARY)).status == 200
    assert await metric(client, "login_account") >= 1


async def test_guessing_across_usernames_from_one_address_slows_that_address_only(settings, store, make_client):
    await add_advisor(store)
    client = await make_client(
        replace(limited(settings, login_address_failures=3, login_max_delay=2.0), trusted_proxies=PROXY)
    )
    for name in ("amy", "ben", "cal"):
        assert (
            await client.post("/api/advisor/login", json={"username": name, "password": "guess"}, headers=LIBRARY)
        ).status == 401
    slowed = await client.post("/api/advisor/login", json={"username": "sam", "password": PASSWORD}, headers=LIBRARY)
    assert slowed.status == 429 and slowed.headers["Retry-After"] == "1"
    elsewhere = await client.post(
        "/api/advisor/login", json={"username": "sam", "password": PASSWORD}, headers=ELSEWHERE
    )
    assert elsewhere.status == 200
    await asyncio.sleep(float(slowed.headers["Retry-After"]) + 0.1)
    again = await client.post("/api/advisor/login", json={"username": "sam", "password": PASSWORD}, headers=LIBRARY)
    assert again.status == 200
    assert await metric(client, "login_address") >= 1


@pytest.fixture
async def slow_bot(aiohttp_server):
    """A stand-in for Rasa's REST channel that takes 0.4 s per answer."""

    async def webhook(request: web.Request) -> web.Response:
        body = await request.json()
        await asyncio.sleep(0.4)
        return web.json_response([{"recipient_id": body["sender"], "text": f"answer to {body['message']}"}])

    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", webhook)
    return await aiohttp_server(app)


async def test_over_the_cap_on_bot_turns_residents_are_told_to_wait_and_every_message_is_answered(
    settings, slow_bot, make_client
):
    client = await make_client(replace(limited(settings, bot_turns=2), rasa_url=str(slow_bot.make_url(""))))
    socks = [(await resident(client))[0] for _ in range(5)]
    for n, sock in enumerate(socks):
        await sock.send({"type": "message", "client_id": f"m-{n}", "text": f"question {n}"})
    for n, sock in enumerate(socks):
        await sock.next(kind("message", **{"from": "bot", "text": f"answer to question {n}"}), timeout=15)
    told = [s for s in socks if any(f.get("text") == BOT_BUSY for f in s.frames)]
    assert len(told) >= 2  # at most two ran at once: the others were told, then answered
    assert await metric(client, "bot_turns") == len(told)
