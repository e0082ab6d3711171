"""The relay's Rasa client moves a turn to the next server only when the first surely did not take it."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
from aiohttp import web

from live_handoff import bot_choice
from live_handoff.bot_client import BotClient, BotUnavailableError

REPLY = [{"recipient_id": "x", "text": "Your bins are collected on Tuesdays."}]


class StandIn:
    """A stand-in for one Rasa server's REST channel that answers as told and counts what it got."""

    def __init__(self, how: str) -> None:
        self.how = how
        self.received = 0

    async def webhook(self, request: web.Request) -> web.StreamResponse:
        await request.json()
        self.received += 1
        if self.how == "503":
            return web.json_response({"error": "overloaded"}, status=503)
        if self.how == "400":
            return web.json_response({"error": "bad"}, status=400)
        if self.how == "drop":  # took the message, then the process died
            assert request.transport is not None
            request.transport.close()
            await asyncio.sleep(1)
        if self.how == "slow":
            await asyncio.sleep(2)
        return web.json_response(REPLY)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/webhooks/rest/webhook", self.webhook)
        app.router.add_get("/", lambda _: web.Response(text="Hello from Rasa"))
        return app


async def pair(aiohttp_server, first_how: str) -> tuple[StandIn, StandIn, str, str, str]:
    """Two stand-ins, and a conversation whose own server is the first."""
    first, second = StandIn(first_how), StandIn("ok")
    a, b = await aiohttp_server(first.app()), await aiohttp_server(second.app())
    url_a, url_b = str(a.make_url("")).rstrip("/"), str(b.make_url("")).rstrip("/")
    cid = next(f"c_{n:022d}" for n in range(100) if bot_choice.ranked(f"c_{n:022d}", (url_a, url_b))[0] == url_a)
    return first, second, url_a, url_b, cid


async def test_a_server_that_refuses_the_connection_is_passed_over_and_the_turn_goes_to_the_next(aiohttp_server):
    second = StandIn("ok")
    b = await aiohttp_server(second.app())
    url_b = str(b.make_url("")).rstrip("/")
    dead = "http://127.0.0.1:9"
    cid = next(f"c_{n:022d}" for n in range(100) if bot_choice.ranked(f"c_{n:022d}", (dead, url_b))[0] == dead)
    async with aiohttp.ClientSession() as session:
        bot = BotClient(session, f"{dead},{url_b}", timeout=2)
        turn = await bot.send(cid, "bin day", {})
        assert turn.messages and second.received == 1
        assert bot.failovers.labels(dead, "next_process")._value.get() == 1
        await bot.send(cid, "and recycling?", {})  # marked down: straight to the second server
        assert second.received == 2 and bot.failovers.labels(dead, "next_process")._value.get() == 1
        assert bot.turns.labels(url_b)._value.get() == 2


async def test_a_5xx_answer_moves_the_turn_to_the_next_server(aiohttp_server):
    first, second, url_a, url_b, cid = await pair(aiohttp_server, "503")
    async with aiohttp.ClientSession() as session:
        await BotClient(session, f"{url_a},{url_b}", timeout=2).send(cid, "bin day", {})
    assert (first.received, second.received) == (1, 1)


@pytest.mark.parametrize("how", ["drop", "slow"])
async def test_a_turn_the_first_server_may_have_taken_is_not_sent_again_and_the_resident_is_told(aiohttp_server, how):
    first, second, url_a, url_b, cid = await pair(aiohttp_server, how)
    async with aiohttp.ClientSession() as session:
        bot = BotClient(session, f"{url_a},{url_b}", timeout=1)
        with pytest.raises(BotUnavailableError):
            await bot.send(cid, "bin day", {})
        assert (first.received, second.received) == (1, 0)
        assert bot.failovers.labels(url_a, "gave_up")._value.get() == 1
        await bot.send(cid, "bin day", {})  # the next turn goes to the server that is up
        assert second.received == 1


async def test_a_4xx_answer_is_not_retried_elsewhere(aiohttp_server):
    first, second, url_a, url_b, cid = await pair(aiohttp_server, "400")
    async with aiohttp.ClientSession() as session:
        with pytest.raises(BotUnavailableError, match="HTTP 400"):
            await BotClient(session, f"{url_a},{url_b}", timeout=2).send(cid, "bin day", {})
    assert (first.received, second.received) == (1, 0)


async def test_healthy_while_any_server_answers(aiohttp_server):
    server = await aiohttp_server(StandIn("ok").app())
    up = str(server.make_url("")).rstrip("/")
    async with aiohttp.ClientSession() as session:
        assert await BotClient(session, f"http://127.0.0.1:9,{up}").healthy()
        assert await BotClient(session, f"{up},http://127.0.0.1:9").processes_up() == {
            up: True,
            "http://127.0.0.1:9": False,
        }
        assert not await BotClient(session, "http://127.0.0.1:9").healthy()
