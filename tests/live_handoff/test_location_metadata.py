"""The relay passes a shared location to the bot in the message metadata, and only there."""

from __future__ import annotations

import json
from dataclasses import replace

import jsonschema
import pytest
from aiohttp import web

from live_handoff.protocol import CONTRACTS
from tests.live_handoff.conftest import kind, resident, turns_finished

EXAMPLE = json.loads((CONTRACTS.parent / "examples" / "relay" / "resident_client.message_location.json").read_text())
METADATA = json.loads((CONTRACTS.parent / "schemas" / "bot_metadata.schema.json").read_text())


@pytest.fixture
async def rasa_recorder(aiohttp_server):
    """A stand-in for Rasa's REST channel that keeps what it was sent (the real one is in
    tests/integration/test_location_reports.py)."""
    received: list[dict] = []

    async def webhook(request: web.Request) -> web.Response:
        body = await request.json()
        received.append(body)
        replies: list[dict] = [{"recipient_id": "x", "text": "Thanks."}]
        if "location" in body["metadata"]:  # what the report form says of a position outside the area
            route = {"name": "request:pothole", "intent": "", "confidence": 0, "continues": True, "location": "outside"}
            replies.insert(0, {"recipient_id": "x", "custom": {"route": route}})
        return web.json_response(replies)

    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", webhook)
    server = await aiohttp_server(app)
    return str(server.make_url("")).rstrip("/"), received


async def test_a_location_frame_reaches_the_bot_as_metadata_valid_against_the_contract(
    settings, store, make_client, rasa_recorder
):
    url, received = rasa_recorder
    client = await make_client(replace(settings, rasa_url=url))
    sock, welcome = await resident(client, {"page": {"url": "https://www.northbridge.example/roads"}})
    await sock.send(EXAMPLE)
    await sock.next(kind("message", **{"from": "bot"}), timeout=10)
    sent = received[-1]
    assert sent["message"] == "use my location"  # the payload, as for any button
    assert sent["metadata"]["location"] == EXAMPLE["location"]
    jsonschema.validate(sent["metadata"], METADATA)
    logged = json.dumps([e.event for e in await store.events_after(welcome["conversation_id"], "0-0", 100)])
    assert "52.4521" not in logged, "the position goes to the bot, not into the conversation log"


async def test_an_ordinary_message_carries_no_location(settings, make_client, rasa_recorder):
    url, received = rasa_recorder
    client = await make_client(replace(settings, rasa_url=url))
    sock, _ = await resident(client)
    await sock.send({"type": "message", "client_id": "p1", "text": "pothole on Mill Lane"})
    await sock.next(kind("message", **{"from": "bot"}), timeout=10)
    assert "location" not in received[-1]["metadata"]


async def test_a_location_out_of_range_is_refused_with_an_error_frame_and_not_sent(
    settings, make_client, rasa_recorder
):
    url, received = rasa_recorder
    client = await make_client(replace(settings, rasa_url=url))
    sock, _ = await resident(client)
    await sock.send({**EXAMPLE, "client_id": "bad1", "location": {"lat": 95, "long": 0, "accuracy": 5}})
    error = await sock.next(kind("error"), timeout=5)
    assert error["code"] == "invalid" and "lat" in error["message"]
    assert received == []


async def test_what_the_bot_made_of_a_position_is_counted_in_metrics(settings, store, make_client, rasa_recorder):
    url, _ = rasa_recorder
    token = "metrics-token-for-tests-0123456789"
    client = await make_client(replace(settings, rasa_url=url, metrics_token=token))
    sock, _ = await resident(client)
    await sock.send(EXAMPLE)
    await sock.next(kind("message", **{"from": "bot"}), timeout=10)
    await turns_finished(store)  # the route is counted after the answer is logged
    body = await (await client.get("/metrics", headers={"Authorization": f"Bearer {token}"})).text()
    assert 'frontdesk_shared_locations_total{outcome="outside"} 1.0' in body
