"""The outbox of messages left, against a real Open311 process and a real Redis: a message
the case system would refuse is refused before it is acknowledged; one that still fails is
set aside and the ones behind it keep flowing; only an outage holds the outbox up."""

from __future__ import annotations

import json
import os
from dataclasses import replace

import aiohttp
import pytest

from bot.processes import ROOT, Open311Service, free_port
from live_handoff.case_api import CaseDesk
from live_handoff.keys import RELAY
from live_handoff.store import now_ms
from tests.live_handoff.conftest import NEVER_OPEN, kind, resident

pytestmark = pytest.mark.servers

API_KEY = "chat-key-0123456789"
STAFF_KEY = "staff-key-0123456789"
METRICS_TOKEN = "metrics-token-for-tests-0123"
CONTACT = {"phone": "01632 960123", "call_back": True}


@pytest.fixture(scope="module")
def open311(tmp_path_factory):
    """The built-in Open311 service as its own process, so it can be stopped and started."""
    folder = tmp_path_factory.mktemp("open311")
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "OPEN311_API_KEYS": API_KEY,
        "OPEN311_STAFF_KEYS": STAFF_KEY,
        "OPEN311_DB": str(folder / "cases.sqlite3"),
    }
    service = Open311Service(free_port(), env, folder / "open311.log")
    service.start()
    yield service
    service.stop()


@pytest.fixture
def relay_settings(settings, open311):
    return replace(
        settings,
        opening_hours=NEVER_OPEN,
        open311_url=open311.url,
        open311_api_key=API_KEY,
        open311_staff_key=STAFF_KEY,
        metrics_token=METRICS_TOKEN,
    )


def entry(cid: str, client_id: str, **fields) -> str:
    """An outbox entry as a relay from before these checks stored it (no validation)."""
    message = {"key": f"{cid}:{client_id}", "conversation_id": cid, "left_at": now_ms(), "call_back": False}
    message.update({"text": "Please call me", "name": "", "email": "", "phone": "01632 960123", **fields})
    return json.dumps(message)


def told(frame: dict) -> bool:
    return frame["type"] == "message" and frame["from"] == "system" and "Thank you" in frame["text"]


async def test_a_poison_message_is_set_aside_and_the_good_ones_behind_it_become_cases(
    relay_settings, store, make_client, open311
):
    client = await make_client(relay_settings)
    poison = [
        entry("c_poison1", "m1", name="Jo \ud800"),  # the first failure
        entry("c_poison2", "m1", email="javascript:x@example.zz"),  # and its second
    ]
    good = [entry(f"c_good{n}", "m1", text=f"Good message {n}") for n in range(5)]
    await store.redis.rpush(store.key("outbox"), *poison, *good)

    sent = await client.app[RELAY].outbox.flush()

    assert sorted(sent) == [f"c_good{n}:m1" for n in range(5)] and all(r.startswith("NB-") for r in sent.values())
    assert await store.outbox_length() == 0
    aside = {e["message"]["conversation_id"]: e["reason"] for e in await store.set_aside()}
    assert set(aside) == {"c_poison1", "c_poison2"}
    assert "cannot be sent (a lone surrogate)" in aside["c_poison1"]
    assert "refused it (400): email must not contain HTML" in aside["c_poison2"]
    async with aiohttp.ClientSession() as session:
        case = await CaseDesk(session, open311.url, API_KEY, STAFF_KEY).get(sent["c_good3:m1"])
    assert case["description"] == "Good message 3"
    # A resident leaving a message now is answered with its reference straight away.
    sock, _ = await resident(client)
    await sock.send({"type": "leave_message", "client_id": "l1", "text": "Call me about my bin", **CONTACT})
    assert "NB-" in (await sock.next(told))["text"]
    metrics = await (await client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})).text()
    assert 'frontdesk_messages_set_aside_by_why_total{why="unsendable"} 1.0' in metrics
    assert 'frontdesk_messages_set_aside_by_why_total{why="refused"} 1.0' in metrics


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"name": "Jo \ud800"}, "name", "Your name has a character we cannot read"),
        ({"email": "javascript:x@example.zz"}, "email", 'Your email address cannot contain < > or "javascript:"'),
        ({"text": "Call me\x00 please"}, "text", "Your message has a hidden control character"),
    ],
)
async def test_a_message_open311_would_refuse_is_refused_before_it_is_acknowledged(
    relay_settings, store, make_client, change, field, words
):
    client = await make_client(relay_settings)
    sock, welcome = await resident(client)
    cid = welcome["conversation_id"]
    await sock.send({"type": "leave_message", "client_id": "l1", "text": "Call me please", **CONTACT, **change})
    error = await sock.next(kind("error"))
    assert error["code"] == "invalid" and error["client_id"] == "l1" and error["message"].startswith(words)
    assert error.get("field", field) == field  # a parse-time check may answer first, without the field
    assert not [f for f in sock.frames if f["type"] == "ack"]
    assert await store.outbox_length() == 0 and await store.set_aside_count() == 0
    assert await store.events_after(cid, "0-0") == []
    # Corrected, the same message (same client id: the widget kept the form) is taken.
    await sock.send({"type": "leave_message", "client_id": "l1", "text": "Call me please", **CONTACT})
    await sock.next(kind("ack", client_id="l1"))
    assert "NB-" in (await sock.next(told))["text"]
    metrics = await (await client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})).text()
    if "field" in error:
        assert f'frontdesk_messages_left_refused_total{{field="{field}"}} 1.0' in metrics


async def test_while_open311_is_down_messages_wait_and_health_warns_once_the_oldest_is_ten_minutes_old(
    relay_settings, store, make_client, open311
):
    client = await make_client(relay_settings)
    sock, _ = await resident(client)
    open311.stop()
    try:
        await sock.send({"type": "leave_message", "client_id": "l1", "text": "Call me about my bin", **CONTACT})
        assert "saved" in (await sock.next(told))["text"]
        assert await store.set_aside_count() == 0 and await store.outbox_length() == 1  # an outage sets nothing aside
        health = await (await client.get("/health")).json()
        assert health["status"] == "ok" and health["messages_waiting"] == 1 and health["oldest_waiting_seconds"] < 60
        waiting = json.loads(await store.outbox_first())
        await store.redis.lset(store.key("outbox"), 0, json.dumps({**waiting, "left_at": now_ms() - 11 * 60_000}))
        health = await (await client.get("/health")).json()
        assert health["status"] == "warning" and 660 <= health["oldest_waiting_seconds"] < 700
        metrics = await (await client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})).text()
        assert "frontdesk_outbox_waiting 1.0" in metrics and "frontdesk_outbox_oldest_seconds 66" in metrics
        assert client.app[RELAY].outbox.failures >= 1  # the next try backs off
    finally:
        open311.start()
    sent = await client.app[RELAY].outbox.flush()
    assert len(sent) == 1 and await store.outbox_length() == 0 and client.app[RELAY].outbox.failures == 0
    health = await (await client.get("/health")).json()
    assert health["status"] == "ok" and health["messages_waiting"] == 0


async def test_a_subject_access_search_and_erasure_reach_the_messages_set_aside(settings, store, tmp_path):
    from live_handoff.privacy import cli
    from tests.live_handoff.conftest import add_advisor

    await add_advisor(store, "dpo.jo", roles={"dpo"})
    await store.outbox_reject(entry("c_mine", "m1", phone="07700 900123"), "the case system refused it (400)")
    await store.outbox_reject(entry("c_other", "m1", phone="07700 900999"), "the case system refused it (400)")
    out = tmp_path / "export"
    args = ["privacy", "export", "--phone", "07700900123", "--by", "dpo.jo", "--why", "request 7", "--out", str(out)]
    assert await cli.run(cli.parse_args(args), settings) == 0
    [exported] = [json.loads(p.read_text()) for p in out.glob("*.json")]
    [refused] = exported["messages_refused"]
    assert refused["phone"] == "07700 900123" and refused["set_aside_reason"] == "the case system refused it (400)"
    args = ["privacy", "erase", "--phone", "+447700900123", "--by", "dpo.jo", "--why", "request 7", "--yes"]
    assert await cli.run(cli.parse_args(args), settings) == 0
    left = [e["message"]["conversation_id"] for e in await store.set_aside()]
    assert left == ["c_other"]


async def test_a_message_a_supervisor_retries_once_the_case_system_is_right_becomes_a_case_at_once(
    relay_settings, store, make_client
):
    from live_handoff import SetAsideDesk

    client = await make_client(relay_settings)
    await store.outbox_reject(entry("c_late", "m1", text="Please call me"), "Open311 refused it (403): api_key")
    [aside] = await SetAsideDesk(client.app).entries(["supervisor"])
    desk = SetAsideDesk(client.app)
    await desk.act("retry", aside.id, "olu")
    assert await desk.send_now() == 1
    assert await store.set_aside_count() == 0 and await store.outbox_length() == 0
