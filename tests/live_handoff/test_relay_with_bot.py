"""The relay in front of the real Rasa server and action server."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace

import aiohttp
import pytest
from aiohttp import web

from live_handoff.keys import RELAY
from tests.live_handoff.conftest import PASSWORD, add_advisor, advisor, kind, resident, with_rasa
from tests.waiting import until

pytestmark = pytest.mark.servers


async def test_an_faq_is_answered_through_the_relay_without_the_bots_private_payloads(settings, servers, make_client):
    client = await make_client(with_rasa(settings, servers))
    sock, _ = await resident(client, {"page": {"url": "https://www.northbridge.example/bins"}})
    await sock.send({"type": "message", "client_id": "q1", "text": "when is my bin collected"})
    answer = await sock.next(kind("message", **{"from": "bot"}), timeout=15)
    assert "bin" in answer["text"].lower()
    await sock.quiet(0.5)
    assert not any("custom" in f or "route" in f for f in sock.frames)
    assert [f["type"] for f in sock.frames].count("error") == 0


async def test_a_bot_handoff_carries_its_summary_to_the_advisor_and_hand_back_reaches_rasa(
    settings, store, servers, make_client
):
    await add_advisor(store)
    client = await make_client(with_rasa(settings, servers))
    console = await advisor(client)
    sock, welcome = await resident(client)
    cid = welcome["conversation_id"]
    await sock.send({"type": "message", "client_id": "h1", "text": "I want to make a complaint about the council"})
    await sock.next(kind("message", **{"from": "bot"}), timeout=15)
    handoff = [b for f in sock.frames for b in f.get("buttons", []) if b.get("payload") == "/handoff"]
    await sock.send(
        {
            "type": "message",
            "client_id": "h2",
            "text": "Talk to an advisor",
            "payload": handoff[0]["payload"] if handoff else "/handoff",
        }
    )
    await sock.next(kind("status", mode="queued"), timeout=15)
    queue = await console.next(lambda f: f["type"] == "queue" and f["items"])
    summary = queue["items"][0]["summary"]
    assert summary["last_turns"] and any("complaint" in t["text"] for t in summary["last_turns"])

    await console.send({"type": "claim", "conversation_id": cid})
    await sock.next(kind("status", mode="advisor"))
    await sock.send({"type": "message", "client_id": "h3", "text": "the bins were left in the road"})
    await console.next(kind("message", text="the bins were left in the road"))
    await console.send({"type": "message", "conversation_id": cid, "client_id": "a1", "text": "I've logged that."})
    await sock.next(kind("message", **{"from": "advisor"}))
    await console.send({"type": "handback", "conversation_id": cid})
    await sock.next(kind("status", mode="bot"))

    # The relay tells Rasa after the status reaches the resident (an HTTP call Rasa takes its
    # time over): wait for the tracker to have it.
    async with aiohttp.ClientSession() as http:

        async def told_rasa() -> dict | None:
            async with http.get(
                f"{servers.rasa_url}/conversations/{cid}/tracker", params={"token": servers.rasa_token}
            ) as response:
                tracker = await response.json()
            texts = [e.get("text") for e in tracker["events"]]
            return tracker if "I've logged that." in texts and "the bins were left in the road" in texts else None

        tracker = await until(told_rasa, "the advisor's part of the chat is in Rasa's tracker", timeout=15)
    assert tracker["active_loop"] in ({}, None) or not tracker["active_loop"].get("name")

    await sock.send({"type": "message", "client_id": "h4", "text": "how do I pay my council tax"})
    answer = await sock.next(
        lambda f: f["type"] == "message" and f["from"] == "bot" and "council tax" in f["text"].lower(), timeout=15
    )
    assert answer
    await sock.send({"type": "end_chat", "client_id": "end"})
    await sock.next(kind("status", mode="closed"))
    await sock.send({"type": "rating", "client_id": "rated", "score": 4, "comment": "sorted in the end"})
    await sock.next(kind("ack", client_id="rated"))
    assert (await store.conversation(cid))["rating"] == "4"


@pytest.fixture
async def slow_rasa(servers):
    """A proxy in front of the real Rasa that holds each reply for 5 seconds: well after the
    2-second notice, even on a loaded machine."""

    async def forward(request: web.Request) -> web.Response:
        body = await request.read()
        await asyncio.sleep(5)
        async with aiohttp.ClientSession() as http:
            async with http.post(
                servers.rasa_url + request.path, data=body, headers={"Content-Type": "application/json"}
            ) as response:
                return web.Response(body=await response.read(), status=response.status, content_type="application/json")

    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", forward)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    await runner.cleanup()


async def test_a_slow_bot_is_announced_before_its_answer_and_its_answer_still_arrives(
    settings, servers, slow_rasa, make_client
):
    # How soon the notice comes is the setting's business (bot_notice_seconds, 2 s here); a
    # wall-clock budget would only measure how busy the machine running the tests is.
    client = await make_client(replace(settings, rasa_url=slow_rasa, bot_timeout_seconds=30.0))
    sock, _ = await resident(client)
    await sock.send({"type": "message", "client_id": "s1", "text": "when is my bin collected"})
    notice = await sock.next(lambda f: f["type"] == "message" and f["from"] in ("system", "bot"), timeout=15)
    assert notice["from"] == "system" and "taking longer" in notice["text"], "the notice comes before the answer"
    assert notice["buttons"] == [{"title": "Talk to an advisor", "action": "request_advisor"}]
    answer = await sock.next(kind("message", **{"from": "bot"}), timeout=30)
    assert "bin" in answer["text"].lower()


async def test_after_the_bot_was_down_try_again_sends_the_saved_message(settings, servers, make_client):
    client = await make_client(settings)  # Rasa address that refuses connections
    sock, _ = await resident(client)
    await sock.send({"type": "message", "client_id": "d1", "text": "when is my bin collected"})
    await sock.next(lambda f: f.get("from") == "system" and "isn't working" in f["text"])
    relay_settings = with_rasa(settings, servers)
    client.app[RELAY].bot.base_url = relay_settings.rasa_url
    await sock.send({"type": "retry", "client_id": "d2"})
    answer = await sock.next(kind("message", **{"from": "bot"}), timeout=15)
    assert "bin" in answer["text"].lower()
    assert json.dumps(sock.frames).count("when is my bin collected") == 1, "the message is logged once"


async def test_while_the_bot_is_slow_the_resident_can_still_ask_for_an_advisor(
    settings, store, servers, slow_rasa, make_client
):
    await add_advisor(store)
    client = await make_client(replace(settings, rasa_url=slow_rasa, bot_timeout_seconds=30.0))
    await advisor(client)
    sock, _ = await resident(client)
    await sock.send({"type": "message", "client_id": "s1", "text": "when is my bin collected"})
    await sock.next(lambda f: f.get("from") == "system" and "taking longer" in f["text"], timeout=15)
    await sock.send({"type": "request_advisor", "client_id": "now"})
    queued = await sock.next(lambda f: f["type"] == "status" or (f["type"] == "message" and f["from"] == "bot"))
    assert queued["type"] == "status" and queued["mode"] == "queued", "queued before the slow answer arrived"


async def test_rasa_keeps_trackers_in_redis_and_they_expire(settings, store, servers, make_client):
    client = await make_client(with_rasa(settings, servers))
    sock, welcome = await resident(client)
    await sock.send({"type": "message", "client_id": "t1", "text": "how do I pay my council tax"})
    await sock.next(kind("message", **{"from": "bot"}), timeout=15)
    key = f"frontdesk:tracker:{welcome['conversation_id']}"
    assert await store.redis.exists(key)
    assert 0 < await store.redis.ttl(key) <= 90 * 86_400


async def test_advisors_search_canned_answers_and_update_a_residents_case(settings, store, servers, make_client):
    open311 = servers.open311
    relay_settings = replace(
        with_rasa(settings, servers),
        open311_url=open311.url,
        open311_api_key=open311.env["OPEN311_API_KEY"],
        open311_staff_key=open311.env["OPEN311_STAFF_KEYS"],
    )
    await add_advisor(store)
    client = await make_client(relay_settings)
    assert (await client.get("/api/advisor/answers", params={"q": "council tax"})).status == 401
    login = await client.post("/api/advisor/login", json={"username": "sam", "password": PASSWORD})
    csrf = (await login.json())["csrf_token"]
    found = await (await client.get("/api/advisor/answers", params={"q": "pay council tax"})).json()
    assert found["answers"][0]["id"] == "council-tax-pay" and found["answers"][0]["answer"]

    async with aiohttp.ClientSession() as http:
        async with http.post(
            open311.url + "requests.json",
            data={
                "api_key": open311.env["OPEN311_API_KEY"],
                "service_code": "pothole",
                "description": "deep hole",
                "zipcode": "NB1 1AA",
                "attribute[surface]": "road",
                "attribute[size]": "large",
            },
        ) as made:
            reference = (await made.json())[0]["service_request_id"]
    got = await client.get(f"/api/advisor/cases/{reference}")
    assert got.status == 200 and (await got.json())["extended_status"] == "OPEN"
    refused = await client.post(f"/api/advisor/cases/{reference}/status", json={"extended_status": "FIXED"})
    assert refused.status == 403  # no CSRF token
    changed = await client.post(
        f"/api/advisor/cases/{reference}/status",
        headers={"X-CSRF-Token": csrf},
        json={"extended_status": "ACTION_SCHEDULED", "note": "Crew booked for Friday"},
    )
    body = await changed.json()
    assert changed.status == 200 and body["extended_status"] == "ACTION_SCHEDULED"
    assert body["status_notes"] == "Crew booked for Friday"
    assert (await client.get("/api/advisor/cases/NB-2026-999999")).status == 404


async def test_a_case_made_in_the_chat_is_listed_with_the_conversation(settings, store, make_client):
    from live_handoff.bot_replies import BotTurn

    await add_advisor(store)
    client = await make_client(settings)
    console = await advisor(client)
    sock, welcome = await resident(client)
    cid = welcome["conversation_id"]
    relay = client.app[RELAY]
    await relay.bot_turns.apply_turn(
        cid,
        BotTurn(
            messages=[{"text": "Your reference is NB-2026-000042."}],
            case={"service_request_id": "NB-2026-000042", "service_code": "pothole"},
        ),
    )
    await relay.queue.request_advisor(cid, "resident_asked", "normal", None)
    queue = await console.next(lambda f: f["type"] == "queue" and f["items"])
    assert queue["items"][0]["cases"] == ["NB-2026-000042"]


async def test_what_the_bot_could_not_answer_is_kept_masked_for_editors(settings, store, servers, make_client):
    client = await make_client(with_rasa(settings, servers))
    sock, _ = await resident(client)
    await sock.send(
        {
            "type": "message",
            "client_id": "u1",
            "text": "what is the best recipe for banana bread, email me at jo@example.com",
        }
    )
    await sock.next(kind("message", **{"from": "bot"}), timeout=15)

    async def kept() -> list[dict]:  # recorded just after the reply is logged
        return [e for e in await store.analytics() if e["kind"] == "unanswered"]

    unanswered = await until(kept, "the unanswered question is recorded")
    assert len(unanswered) == 1 and "banana bread" in unanswered[0]["text"]
    assert "jo@example.com" not in unanswered[0]["text"] and "[email]" in unanswered[0]["text"]
