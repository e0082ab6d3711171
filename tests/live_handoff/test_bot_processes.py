"""Two real Rasa servers on one Redis: a conversation keeps to one, and moves to the other with its history when it dies."""

from __future__ import annotations

import signal
from dataclasses import replace

import aiohttp
import pytest
from prometheus_client import generate_latest

from bot.processes import start_servers
from live_handoff import bot_choice, texts
from live_handoff.keys import METRICS, RELAY
from tests.conftest import ARTIFACTS
from tests.live_handoff.conftest import kind, resident

pytestmark = pytest.mark.servers

QUESTIONS = ["when is my bin collected", "how do I pay my council tax", "when is the library open"]


@pytest.fixture
def second_rasa(servers, redis_server):
    """A second Rasa server sharing the first's Redis tracker and lock stores and action server."""
    second = start_servers(
        ARTIFACTS, action_url=servers.action_url, redis_url=redis_server.url, rasa_token=servers.rasa_token
    )
    yield second
    second.stop()


async def tracker_texts(rasa_url: str, token: str, cid: str) -> list[str]:
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{rasa_url}/conversations/{cid}/tracker", params={"token": token}) as response:
            tracker = await response.json()
    return [e.get("text") for e in tracker["events"] if e.get("event") == "user"]


async def test_killing_the_conversations_rasa_server_moves_it_to_the_other_with_its_history(
    settings, servers, second_rasa, make_client
):
    urls = f"{servers.rasa_url},{second_rasa.rasa_url}"
    client = await make_client(replace(settings, rasa_url=urls, rasa_token=servers.rasa_token))
    bot = client.app[RELAY].bot
    # A conversation whose own process is the second server (the one killed); about half are.
    for _ in range(20):
        sock, welcome = await resident(client)
        cid = welcome["conversation_id"]
        if bot_choice.ranked(cid, bot.urls)[0] == second_rasa.rasa_url:
            break
        await sock.ws.close()
    else:
        pytest.fail("no conversation preferred the second server in 20 tries")

    await sock.send({"type": "message", "client_id": "m1", "text": QUESTIONS[0]})
    await sock.next(kind("message", **{"from": "bot"}), timeout=30)
    assert bot.turns.labels(second_rasa.rasa_url)._value.get() == 1

    second_rasa.processes[-1].send_signal(signal.SIGKILL)  # as when a machine dies
    second_rasa.processes[-1].wait(timeout=10)

    for number, question in enumerate(QUESTIONS[1:], start=2):
        await sock.send({"type": "message", "client_id": f"m{number}", "text": question})
        await sock.next(kind("message", **{"from": "bot"}), timeout=30)
    await sock.quiet(0.5)

    assert bot.turns.labels(servers.rasa_url)._value.get() == 2
    assert bot.failovers.labels(second_rasa.rasa_url, "next_process")._value.get() == 1
    assert not [f for f in sock.frames if f["type"] == "error"]
    assert not [f for f in sock.frames if f.get("text") == texts.BOT_UNAVAILABLE]
    # The surviving server answered from the whole conversation: every message is in its tracker once.
    assert await tracker_texts(servers.rasa_url, servers.rasa_token, cid) == QUESTIONS


async def test_the_resident_is_told_only_when_every_rasa_server_is_down(settings, make_client):
    client = await make_client(replace(settings, rasa_url="http://127.0.0.1:9,http://127.0.0.1:7"))
    sock, _ = await resident(client)
    await sock.send({"type": "message", "client_id": "x1", "text": QUESTIONS[0]})
    await sock.next(kind("message", text=texts.BOT_UNAVAILABLE), timeout=15)
    exposed = generate_latest(client.app[METRICS].registry).decode()
    assert 'frontdesk_bot_failovers_total{outcome="next_process",process="http://127.0.0.1:' in exposed
    assert 'frontdesk_bot_failovers_total{outcome="gave_up",process="http://127.0.0.1:' in exposed
    assert (
        client.app[RELAY].bot.failovers.labels("http://127.0.0.1:9", "next_process")._value.get()
        + client.app[RELAY].bot.failovers.labels("http://127.0.0.1:7", "next_process")._value.get()
        == 1
    )
