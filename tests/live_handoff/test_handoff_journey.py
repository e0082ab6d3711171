"""Residents and advisors over real websockets and a real Redis: queue, claim, chat, close."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace

import pytest

from knowledge_base import load_knowledge_base
from knowledge_base.urgent import CATEGORIES, missing_numbers
from live_handoff import texts
from live_handoff.keys import RELAY
from tests.live_handoff.conftest import NEVER_OPEN, PASSWORD, add_advisor, advisor, kind, resident
from tests.waiting import until


async def console_gone(store, username: str = "sam") -> None:
    """The relay has marked the advisor offline: it does so after the socket's close
    handshake, so the sweeper run next sees them gone."""

    async def offline() -> bool:
        return not await store.is_online(username)

    await until(offline, f"the relay marks {username} offline after their console closed")


async def queued_resident(client):
    sock, welcome = await resident(client)
    await sock.send({"type": "request_advisor", "client_id": "r1"})
    status = await sock.next(kind("status", mode="queued"))
    assert status["reason"] == "resident_asked"
    return sock, welcome


async def test_the_whole_advisor_part_of_a_conversation(settings, store, make_client):
    await add_advisor(store)
    client = await make_client(settings)
    console = await advisor(client)
    sock, welcome = await queued_resident(client)
    cid = welcome["conversation_id"]
    position = await sock.next(kind("queue"))
    assert position["position"] == 1 and "next" in position["text"]
    queue = await console.next(lambda f: f["type"] == "queue" and f["items"])
    assert queue["items"][0]["conversation_id"] == cid and queue["items"][0]["summary"]["route"] == "handoff"

    await console.send({"type": "claim", "conversation_id": cid})
    joined = await sock.next(kind("status", mode="advisor"))
    assert joined["advisor"] == "Sam" and joined["text"] == "Sam has joined the chat."
    await console.next(kind("conversation"))
    await console.next(kind("status", mode="advisor"))

    await sock.send({"type": "typing", "active": True})
    assert (await console.next(kind("typing")))["from"] == "resident"
    await sock.send({"type": "message", "client_id": "r2", "text": "my neighbour's dog barks all night"})
    got = await console.next(kind("message", text="my neighbour's dog barks all night"))
    assert got["conversation_id"] == cid and got["from"] == "resident"

    await console.send({"type": "typing", "conversation_id": cid, "active": True})
    assert (await sock.next(kind("typing")))["from"] == "advisor"
    await console.send({"type": "message", "conversation_id": cid, "client_id": "a1", "text": "Sorry to hear that."})
    reply = await sock.next(kind("message", **{"from": "advisor"}))
    assert reply["author"] == "Sam" and reply["text"] == "Sorry to hear that."

    await console.send({"type": "note", "conversation_id": cid, "client_id": "n1", "text": "Refer to EH team"})
    assert (await console.next(kind("note")))["text"] == "Refer to EH team"

    await console.send({"type": "close", "conversation_id": cid})
    closed = await sock.next(kind("status", mode="closed"))
    assert "ended the chat" in closed["text"]
    await sock.send({"type": "rating", "client_id": "rate", "score": 5, "comment": "quick and kind"})
    await sock.next(kind("ack", client_id="rate"))
    conversation = await store.conversation(cid)
    assert conversation["rating"] == "5" and conversation["comment"] == "quick and kind"
    assert not [f for f in sock.frames if f["type"] == "note"], "residents never see private notes"

    response = await client.get(
        f"/api/conversations/{cid}/transcript", headers={"Authorization": f"Bearer {welcome['resume_token']}"}
    )
    text = await response.text()
    assert response.status == 200 and "Sam (advisor): Sorry to hear that." in text and "EH team" not in text
    kinds = [e["kind"] for e in await store.analytics()]
    for expected in ("conversation_started", "handoff", "claimed", "advisor_finished", "closed", "rating"):
        assert expected in kinds


async def test_two_advisors_claiming_one_conversation_exactly_one_wins(settings, store, make_client):
    await add_advisor(store, "sam")
    await add_advisor(store, "priya", "Priya Shah")
    client = await make_client(settings)
    sam, priya = await advisor(client, "sam"), await advisor(client, "priya")
    _, welcome = await queued_resident(client)
    cid = welcome["conversation_id"]
    await asyncio.gather(
        sam.send({"type": "claim", "conversation_id": cid}), priya.send({"type": "claim", "conversation_id": cid})
    )
    outcomes = await asyncio.gather(
        sam.next(lambda f: f["type"] == "conversation" or (f["type"] == "error" and f["code"] == "already_claimed")),
        priya.next(lambda f: f["type"] == "conversation" or (f["type"] == "error" and f["code"] == "already_claimed")),
    )
    assert sorted(o["type"] for o in outcomes) == ["conversation", "error"]
    assert (await store.conversation(cid))["mode"] == "advisor"
    assert len(await store.chats("sam")) + len(await store.chats("priya")) == 1


async def test_the_queue_serves_safeguarding_before_earlier_ordinary_requests(settings, store, make_client):
    await add_advisor(store)
    client = await make_client(settings)
    await advisor(client)
    ordinary, _ = await queued_resident(client)
    urgent, welcome = await resident(client)
    await client.app[RELAY].queue.request_advisor(welcome["conversation_id"], "safeguarding", "urgent", None)
    assert (await urgent.next(kind("queue")))["position"] == 1
    assert (await ordinary.next(lambda f: f["type"] == "queue" and f["position"] == 2))["position"] == 2


async def test_an_advisor_at_capacity_cannot_claim_more(settings, store, make_client):
    await add_advisor(store, capacity=1)
    client = await make_client(settings)
    console = await advisor(client)
    _, first = await queued_resident(client)
    _, second = await queued_resident(client)
    await console.send({"type": "claim", "conversation_id": first["conversation_id"]})
    await console.next(kind("conversation"))
    await console.send({"type": "claim", "conversation_id": second["conversation_id"]})
    assert (await console.next(kind("error")))["code"] == "at_capacity"
    assert await store.queue_position(second["conversation_id"]) == 1


async def test_stopping_the_wait_goes_back_to_the_bot(settings, store, make_client):
    await add_advisor(store)
    client = await make_client(settings)
    await advisor(client)
    sock, welcome = await queued_resident(client)
    await sock.send({"type": "cancel_wait", "client_id": "c"})
    assert (await sock.next(kind("status", mode="bot")))["change"] == "wait_cancelled"
    assert await store.queue_position(welcome["conversation_id"]) is None


async def test_a_transfer_moves_the_chat_and_the_resident_is_told(settings, store, make_client):
    await add_advisor(store, "sam")
    await add_advisor(store, "priya", "Priya Shah")
    client = await make_client(settings)
    sam, priya = await advisor(client, "sam"), await advisor(client, "priya")
    sock, welcome = await queued_resident(client)
    cid = welcome["conversation_id"]
    await sam.send({"type": "claim", "conversation_id": cid})
    await sam.next(kind("conversation"))
    await sam.send({"type": "transfer", "conversation_id": cid, "to": "priya"})
    moved = await sock.next(kind("status", change="transferred"))
    assert moved["advisor"] == "Priya" and moved["text"] == "You're now chatting with Priya."
    assert cid in [
        c["conversation_id"] for c in (await priya.next(lambda f: f["type"] == "chats" and f["items"]))["items"]
    ]
    await sam.send({"type": "message", "conversation_id": cid, "client_id": "late", "text": "still here?"})
    assert (await sam.next(kind("error")))["code"] == "not_allowed"


async def test_out_of_hours_nobody_is_queued_and_a_message_can_be_left(settings, store, make_client):
    await add_advisor(store)
    client = await make_client(replace(settings, opening_hours=NEVER_OPEN))
    await advisor(client)
    sock, welcome = await resident(client)
    assert welcome["contact_centre"]["open"] is False
    await client.app[RELAY].queue.request_advisor(welcome["conversation_id"], "safeguarding", "urgent", None)
    told = await sock.next(kind("message", **{"from": "system"}))
    assert "not available right now" in told["text"] and "01632 960500" in told["text"] and "999" in told["text"]
    assert told["buttons"] == [{"title": "Leave a message", "action": "leave_message"}]
    assert await store.queue() == []
    await sock.send(
        {
            "type": "leave_message",
            "client_id": "lm",
            "text": "Please call me back about my neighbour",
            "phone": "01632 960123",
            "call_back": True,
        }
    )
    await sock.next(kind("ack", client_id="lm"))
    saved = await sock.next(lambda f: f["type"] == "message" and f["from"] == "system" and "Thank you" in f["text"])
    assert "saved" in saved["text"]  # Open311 not configured here: kept in the outbox, not lost
    assert await client.app[RELAY].outbox.pending() == 1


async def test_when_no_advisor_is_logged_in_the_resident_is_not_queued_into_the_void(settings, store, make_client):
    client = await make_client(settings)
    sock, welcome = await resident(client)
    await sock.send({"type": "request_advisor"})
    told = await sock.next(kind("message", **{"from": "system"}))
    assert "no advisors are free" in told["text"] and await store.queue() == []


async def test_advisor_login_refuses_wrong_passwords_and_locks_after_five(settings, store, make_client):
    await add_advisor(store)
    client = await make_client(settings)
    for _ in range(5):
        response = await client.post("/api/advisor/login", json={"username": "sam", "password": "wrong password!"})
        assert response.status == 401 and (await response.json())["error"]["code"] == "bad_credentials"
    response = await client.post("/api/advisor/login", json={"username": "sam", "password": PASSWORD})
    assert response.status == 429
    unknown = await client.post("/api/advisor/login", json={"username": "nobody", "password": PASSWORD})
    assert unknown.status == 401


async def test_advisor_endpoints_refuse_anyone_not_logged_in(settings, make_client):
    client = await make_client(settings)
    ws = await client.ws_connect("/ws/advisor")
    assert (await ws.receive_json(timeout=5))["code"] == "not_allowed"
    await ws.receive(timeout=5)
    assert ws.close_code == 4401
    assert (await client.get("/api/advisor/me")).status == 401


async def test_logout_needs_the_csrf_token(settings, store, make_client):
    await add_advisor(store)
    client = await make_client(settings)
    login = await client.post("/api/advisor/login", json={"username": "sam", "password": PASSWORD})
    token = (await login.json())["csrf_token"]
    assert (await client.post("/api/advisor/logout")).status == 403
    assert (await client.post("/api/advisor/logout", headers={"X-CSRF-Token": token})).status == 204
    assert (await client.get("/api/advisor/me")).status == 401


async def test_a_resident_cannot_read_another_residents_transcript(settings, make_client):
    client = await make_client(settings)
    _, mine = await resident(client)
    _, theirs = await resident(client)
    response = await client.get(
        f"/api/conversations/{theirs['conversation_id']}/transcript",
        headers={"Authorization": f"Bearer {mine['resume_token']}"},
    )
    assert response.status == 404


async def test_metrics_report_conversations_queue_and_handoffs(settings, store, make_client):
    await add_advisor(store)
    token = "metrics-token-for-tests-0123456789"
    client = await make_client(replace(settings, metrics_token=token))
    await advisor(client)
    await queued_resident(client)
    body = await (await client.get("/metrics", headers={"Authorization": f"Bearer {token}"})).text()
    assert "frontdesk_queue_length 1.0" in body
    assert 'frontdesk_handoffs_total{outcome="queued",reason="resident_asked"} 1.0' in body
    assert 'frontdesk_conversations{mode="queued"} 1.0' in body


async def test_queued_residents_are_told_when_the_last_advisor_leaves(settings, store, make_client):
    await add_advisor(store)
    client = await make_client(settings)
    console = await advisor(client)
    sock, _ = await queued_resident(client)
    await console.ws.close()
    await console_gone(store)
    await client.app[RELAY].sweeper.sweep()
    told = await sock.next(kind("message", **{"from": "system"}))
    assert "no advisors are free" in told["text"]
    assert {b["action"] for b in told["buttons"]} == {"leave_message", "cancel_wait"}


async def test_chats_of_an_advisor_who_disappeared_go_back_to_the_queue(settings, store, make_client, monkeypatch):
    import live_handoff.rooms.sweeper as sweeper

    monkeypatch.setattr(sweeper, "ORPHAN_SECONDS", 0)
    await add_advisor(store)
    client = await make_client(settings)
    console = await advisor(client)
    sock, welcome = await queued_resident(client)
    await console.send({"type": "claim", "conversation_id": welcome["conversation_id"]})
    await sock.next(kind("status", mode="advisor"))
    await console.ws.close()
    await console_gone(store)
    relay = client.app[RELAY]
    await relay.sweeper.sweep()  # notices the advisor is gone
    await store.redis.delete(store.key("sweeper"))
    await relay.sweeper.sweep()  # and, ORPHAN_SECONDS later, requeues
    back = await sock.next(kind("status", mode="queued"))
    assert back["change"] == "unavailable" and "back in the queue" in back["text"]
    assert await store.queue() == [welcome["conversation_id"]] and await store.chats("sam") == []


async def test_logging_out_closes_that_sessions_open_console(settings, store, make_client):
    await add_advisor(store)
    client = await make_client(settings)
    console = await advisor(client)
    token = (await (await client.get("/api/advisor/me")).json())["csrf_token"]
    assert (await client.post("/api/advisor/logout", headers={"X-CSRF-Token": token})).status == 204
    error = await console.next(kind("error"))
    assert error["code"] == "not_allowed"
    await console.ws.receive(timeout=5)
    assert console.ws.close_code == 4401


# Urgent categories (knowledge_base/urgent.py) ------------------------------------------

URGENT_IDS = [category.name for category in CATEGORIES]


async def after_route(client, store, route: str):
    """A resident whose last bot turn took ``route``, about to press "Talk to an advisor"."""
    sock, welcome = await resident(client)
    await store.set_fields(
        welcome["conversation_id"],
        route=json.dumps({"name": route, "intent": route.replace(":", "_"), "confidence": 0.97}),
    )
    return sock, welcome


@pytest.mark.parametrize("category", CATEGORIES, ids=URGENT_IDS)
async def test_asking_for_a_person_after_an_urgent_route_queues_with_that_categorys_reason_and_priority(
    category, settings, store, make_client
):
    await add_advisor(store)
    client = await make_client(settings)
    console = await advisor(client)
    sock, welcome = await after_route(client, store, category.route)
    await sock.send({"type": "request_advisor"})
    status = await sock.next(kind("status", mode="queued"))
    assert status["reason"] == category.name
    item = (await console.next(lambda f: f["type"] == "queue" and f["items"]))["items"][0]
    assert (item["conversation_id"], item["reason"], item["priority"]) == (
        welcome["conversation_id"],
        category.name,
        category.priority,
    )


@pytest.mark.parametrize("category", CATEGORIES, ids=URGENT_IDS)
async def test_out_of_hours_a_resident_after_an_urgent_route_is_given_that_categorys_numbers_first(
    category, settings, store, make_client
):
    client = await make_client(replace(settings, opening_hours=NEVER_OPEN))
    sock, welcome = await after_route(client, store, category.route)
    await sock.send({"type": "request_advisor"})
    told = await sock.next(kind("message", **{"from": "system"}))
    kb_text = load_knowledge_base().messages["urgent"][category.name]["no_advisor"].strip()
    assert told["text"].startswith(kb_text)  # the knowledge base's words, before anything else
    assert missing_numbers(category.name, told["text"].split("not available right now")[0]) == []
    assert told["buttons"] == [{"title": "Leave a message", "action": "leave_message"}]
    assert (
        await store.queue() == [] and (await store.conversation(welcome["conversation_id"]))["reason"] == category.name
    )


@pytest.mark.parametrize(
    "route, numbers", [("urgent:crisis", ["116 123", "999", "111"]), ("urgent:gas", ["0800 111 999", "999"])]
)
async def test_a_resident_in_crisis_or_smelling_gas_never_gets_only_not_available(
    route, numbers, settings, store, make_client
):
    client = await make_client(replace(settings, opening_hours=NEVER_OPEN))
    sock, _ = await after_route(client, store, route)
    await sock.send({"type": "request_advisor"})
    told = (await sock.next(kind("message", **{"from": "system"})))["text"]
    first, _, rest = told.partition("Our advisors are not available right now")
    assert rest, told
    for number in numbers:
        assert number in first, (number, told)


async def test_with_every_advisor_busy_a_resident_in_crisis_gets_the_numbers_before_the_apology(
    settings, store, make_client
):
    client = await make_client(settings)  # open, but nobody available
    sock, _ = await after_route(client, store, "urgent:crisis")
    await sock.send({"type": "request_advisor"})
    told = (await sock.next(kind("message", **{"from": "system"})))["text"]
    apology = told.index("no advisors are free")
    assert told.index("116 123") < apology and told.index("999") < apology


async def test_a_queued_resident_in_crisis_left_without_advisors_is_given_the_numbers(settings, store, make_client):
    await add_advisor(store)
    client = await make_client(settings)
    console = await advisor(client)
    sock, _ = await after_route(client, store, "urgent:crisis")
    await sock.send({"type": "request_advisor"})
    await sock.next(kind("status", mode="queued"))
    await console.ws.close()
    await console_gone(store)
    await client.app[RELAY].sweeper.sweep()
    told = await sock.next(kind("message", **{"from": "system"}))
    assert told["text"].index("116 123") < told["text"].index("no advisors are free")
    assert {b["action"] for b in told["buttons"]} == {"leave_message", "cancel_wait"}


async def test_when_the_knowledge_base_cannot_be_read_the_relays_own_numbers_are_given(
    settings, store, make_client, tmp_path
):
    await add_advisor(store)
    client = await make_client(replace(settings, opening_hours=NEVER_OPEN, messages_file=tmp_path / "gone.yml"))
    console = await advisor(client)
    sock, _ = await after_route(client, store, "urgent:domestic_abuse")
    await sock.send({"type": "request_advisor"})
    told = (await sock.next(kind("message", **{"from": "system"})))["text"]
    assert told.startswith(texts.URGENT_NO_ADVISOR_FALLBACK["domestic_abuse"])
    assert missing_numbers("domestic_abuse", told) == []
    guides = next(f for f in console.frames if f["type"] == "welcome")["guides"]
    assert set(guides) == set(URGENT_IDS) and "0808 2000 247" in guides["domestic_abuse"]


async def test_the_queue_serves_crisis_abuse_and_danger_before_hazards_and_earlier_ordinary_chats(
    settings, store, make_client
):
    await add_advisor(store, capacity=1)
    client = await make_client(settings)
    console = await advisor(client)
    order = ["handoff", "urgent:gas", "urgent:emergency", "urgent:crisis", "urgent:domestic_abuse", "urgent:danger"]
    cids = {}
    for route in order:  # in this order, each a little later than the one before
        sock, welcome = await after_route(client, store, route)
        await sock.send({"type": "request_advisor"})
        await sock.next(kind("status", mode="queued"))
        cids[welcome["conversation_id"]] = route
        await asyncio.sleep(0.01)
    expected = ["urgent:crisis", "urgent:domestic_abuse", "urgent:danger", "urgent:gas", "urgent:emergency", "handoff"]
    assert [cids[cid] for cid in await store.queue()] == expected
    items = (await console.next(lambda f: f["type"] == "queue" and len(f["items"]) == len(order)))["items"]
    assert [(i["reason"], i["priority"], i["position"]) for i in items] == [
        ("crisis", "urgent", 1),
        ("domestic_abuse", "urgent", 2),
        ("danger", "urgent", 3),
        ("gas", "high", 4),
        ("emergency", "high", 5),
        ("resident_asked", "normal", 6),
    ]


async def test_the_console_gets_each_categorys_guide_and_the_claimed_chat_carries_its_reason(
    settings, store, make_client
):
    await add_advisor(store)
    client = await make_client(settings)
    console = await advisor(client)
    welcome = next(f for f in console.frames if f["type"] == "welcome")
    kb = load_knowledge_base().messages["urgent"]
    assert welcome["guides"] == {c.name: kb[c.name]["advisor_guide"].strip() for c in CATEGORIES}
    assert "116 123" in welcome["guides"]["crisis"] and "0800 111 999" in welcome["guides"]["gas"]
    _, resident_welcome = await after_route(client, store, "urgent:crisis")
    cid = resident_welcome["conversation_id"]
    await client.app[RELAY].queue.request_advisor(cid, None, None, None)
    item = (await console.next(lambda f: f["type"] == "queue" and f["items"]))["items"][0]
    assert (item["reason"], item["priority"], item["summary"]["route"]) == ("crisis", "urgent", "urgent:crisis")
    await console.send({"type": "claim", "conversation_id": cid})
    opened = (await console.next(kind("conversation")))["conversation"]
    assert opened["reason"] == "crisis"  # the tab's label and its guide are chosen by this
