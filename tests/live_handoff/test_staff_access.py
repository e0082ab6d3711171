"""Least privilege for staff over real websockets and a real Redis: which chats an advisor
may open, note on and download, what a supervisor may, and the audit trail of each read."""

from __future__ import annotations

import asyncio

from live_handoff import audit
from tests.live_handoff.conftest import PASSWORD, add_advisor, advisor, kind, resident


async def queued_resident(client):
    sock, welcome = await resident(client)
    await sock.send({"type": "request_advisor", "client_id": "r1"})
    await sock.next(kind("status", mode="queued"))
    return sock, welcome["conversation_id"]


def refused(frame: dict) -> bool:
    return frame["type"] == "error" and frame["code"] == "not_allowed"


def shown_or_refused(frame: dict) -> bool:
    return frame["type"] == "conversation" or frame["type"] == "error"


async def opens(store, cid: str) -> list[tuple[str, str, str]]:
    return [(e["who"], e["role"], e["action"]) for e in await audit.entries(store, cid)]


async def log_in(client, username: str) -> None:
    response = await client.post("/api/advisor/login", json={"username": username, "password": PASSWORD})
    assert response.status == 200


async def test_an_advisor_cannot_open_a_chat_with_the_bot_that_was_never_handed_off(settings, store, make_client):
    await add_advisor(store, "sam")
    client = await make_client(settings)
    sam = await advisor(client, "sam")
    sock, welcome = await resident(client)
    cid = welcome["conversation_id"]
    await sock.send({"type": "message", "client_id": "m1", "text": "my account number is 12345678"})
    await sock.next(kind("ack"))

    await sam.send({"type": "open", "conversation_id": cid, "last_seen": "0-0"})

    answer = await sam.next(shown_or_refused)
    assert refused(answer) and "queue" in answer["message"]
    assert not [f for f in await sam.quiet(0.5) if f.get("conversation_id") == cid and f["type"] != "error"]
    assert await opens(store, cid) == []


async def test_an_unknown_conversation_is_refused_in_the_same_words_as_someone_elses(settings, store, make_client):
    await add_advisor(store, "sam")
    client = await make_client(settings)
    sam = await advisor(client, "sam")
    _, welcome = await resident(client)

    await sam.send({"type": "open", "conversation_id": welcome["conversation_id"], "last_seen": "0-0"})
    someone_elses = await sam.next(kind("error"))
    await sam.send({"type": "open", "conversation_id": "c_" + "x" * 22, "last_seen": "0-0"})
    unknown = await sam.next(kind("error"))

    assert (someone_elses["code"], someone_elses["message"]) == (unknown["code"], unknown["message"])


async def test_an_advisor_can_look_at_a_queued_chat_read_only_and_the_look_is_audited(settings, store, make_client):
    await add_advisor(store, "sam")
    client = await make_client(settings)
    sam = await advisor(client, "sam")
    _, cid = await queued_resident(client)

    await sam.send({"type": "open", "conversation_id": cid, "last_seen": "0-0"})

    shown = await sam.next(kind("conversation"))
    assert shown["access"] == "read_only" and shown["may_note"] is False
    await sam.next(kind("status", mode="queued"))
    assert await opens(store, cid) == [("sam", "advisor", "open")]


async def test_an_advisor_cannot_add_a_note_to_a_chat_they_have_not_claimed(settings, store, make_client):
    await add_advisor(store, "sam")
    client = await make_client(settings)
    sam = await advisor(client, "sam")
    _, cid = await queued_resident(client)

    await sam.send({"type": "note", "conversation_id": cid, "client_id": "n1", "text": "looks urgent"})

    assert (await sam.next(kind("error")))["code"] == "not_allowed"
    assert not [e for e in await store.events_after(cid, "0-0") if e.event["type"] == "note"]


async def test_claiming_opens_the_chat_in_full_and_is_audited_once(settings, store, make_client):
    await add_advisor(store, "sam")
    client = await make_client(settings)
    sam = await advisor(client, "sam")
    _, cid = await queued_resident(client)

    await sam.send({"type": "claim", "conversation_id": cid})

    shown = await sam.next(kind("conversation"))
    assert shown["access"] == "full" and shown["may_note"] is True
    await sam.send({"type": "note", "conversation_id": cid, "client_id": "n1", "text": "Refer to EH team"})
    await sam.next(kind("note"))
    assert await opens(store, cid) == [("sam", "advisor", "open")]


async def test_each_open_is_one_audit_entry_however_long_the_history(settings, store, make_client):
    await add_advisor(store, "sam")
    client = await make_client(settings)
    sam = await advisor(client, "sam")
    sock, cid = await queued_resident(client)
    for n in range(5):
        await sock.send({"type": "message", "client_id": f"m{n}", "text": f"hello {n}"})
        await sock.next(kind("ack"))

    for _ in range(2):
        await sam.send({"type": "open", "conversation_id": cid, "last_seen": "0-0"})
        await sam.next(kind("conversation"))
        await sam.next(kind("message", text="hello 4"))

    assert await opens(store, cid) == [("sam", "advisor", "open")] * 2


async def test_after_a_transfer_the_first_advisor_reads_but_cannot_write_and_others_cannot_open(
    settings, store, make_client
):
    for username, name in (("sam", "Sam Patel"), ("priya", "Priya Shah"), ("kim", "Kim Lee")):
        await add_advisor(store, username, name)
    client = await make_client(settings)
    sam, priya, kim = await advisor(client, "sam"), await advisor(client, "priya"), await advisor(client, "kim")
    sock, cid = await queued_resident(client)
    await sam.send({"type": "claim", "conversation_id": cid})
    await sam.next(kind("conversation"))
    await sam.send({"type": "transfer", "conversation_id": cid, "to": "priya"})
    await sock.next(kind("status", change="transferred"))

    await sam.send({"type": "open", "conversation_id": cid, "last_seen": "0-0"})
    shown = await sam.next(kind("conversation"))
    assert shown["access"] == "read_only" and shown["may_note"] is False
    await sam.next(kind("status", change="transferred"))
    for frame in (
        {"type": "message", "conversation_id": cid, "client_id": "a1", "text": "still here?"},
        {"type": "note", "conversation_id": cid, "client_id": "n1", "text": "for Priya"},
        {"type": "close", "conversation_id": cid},
    ):
        await sam.send(frame)
        assert refused(await sam.next(kind("error"))), frame
    await kim.send({"type": "open", "conversation_id": cid, "last_seen": "0-0"})
    assert refused(await kim.next(shown_or_refused))
    await priya.send({"type": "note", "conversation_id": cid, "client_id": "n2", "text": "taken over"})
    assert (await priya.next(kind("ack")))["client_id"] == "n2"
    assert (await store.conversation(cid))["held_by"] == "sam,priya"


async def test_a_supervisor_can_open_any_chat_and_is_audited_as_a_supervisor(settings, store, make_client):
    await add_advisor(store, "lee", "Lee Grant", roles={"supervisor"})
    client = await make_client(settings)
    lee = await advisor(client, "lee")
    sock, welcome = await resident(client)
    cid = welcome["conversation_id"]
    await sock.send({"type": "message", "client_id": "m1", "text": "where is my bin"})
    await sock.next(kind("ack"))

    await lee.send({"type": "open", "conversation_id": cid, "last_seen": "0-0"})

    shown = await lee.next(kind("conversation"))
    assert shown["access"] == "read_only" and shown["may_note"] is True
    await lee.next(kind("message", text="where is my bin"))
    assert await opens(store, cid) == [("lee", "supervisor", "open")]
    await lee.send({"type": "message", "conversation_id": cid, "client_id": "a1", "text": "hello"})
    assert refused(await lee.next(kind("error")))


async def test_a_chat_looked_at_in_the_queue_stops_being_shown_once_another_advisor_claims_it(
    settings, store, make_client
):
    await add_advisor(store, "sam")
    await add_advisor(store, "priya", "Priya Shah")
    client = await make_client(settings)
    sam, priya = await advisor(client, "sam"), await advisor(client, "priya")
    sock, cid = await queued_resident(client)
    await sam.send({"type": "open", "conversation_id": cid, "last_seen": "0-0"})
    await sam.next(kind("conversation"))

    await priya.send({"type": "claim", "conversation_id": cid})
    await priya.next(kind("conversation"))
    # The console follows the chat just after that frame; typing is not logged, so a resident
    # typing before then is not shown. Its log, replayed once it follows, says it does.
    await priya.next(kind("status", mode="advisor"))
    told = await sam.next(lambda f: refused(f) and f.get("conversation_id") == cid)
    await sock.send({"type": "typing", "active": True})
    await priya.next(kind("typing"))
    await sock.send({"type": "message", "client_id": "m1", "text": "my date of birth is 01/02/1980"})
    await priya.next(kind("message", text="my date of birth is 01/02/1980"))

    assert "another advisor" in told["message"]
    after = sam.frames + await sam.quiet(0.5)
    assert not [f for f in after if f.get("text") == "my date of birth is 01/02/1980"]
    assert not [f for f in after if f["type"] == "typing" and f.get("conversation_id") == cid]


async def test_staff_download_a_transcript_only_of_a_chat_they_may_read(settings, store, make_client):
    await add_advisor(store, "sam")
    await add_advisor(store, "lee", "Lee Grant", roles={"supervisor"})
    client = await make_client(settings)
    _, welcome = await resident(client)
    cid = welcome["conversation_id"]
    url = f"/api/conversations/{cid}/transcript"
    await log_in(client, "sam")

    never_handed_off = await client.get(url)
    unknown = await client.get(f"/api/conversations/c_{'x' * 22}/transcript")
    assert never_handed_off.status == unknown.status == 404
    assert await never_handed_off.json() == await unknown.json()

    sam = await advisor(client, "sam")
    _, queued = await queued_resident(client)
    await sam.send({"type": "claim", "conversation_id": queued})
    await sam.next(kind("conversation"))
    assert (await client.get(f"/api/conversations/{queued}/transcript")).status == 200

    await log_in(client, "lee")
    assert (await client.get(url)).status == 200
    assert await opens(store, cid) == [("lee", "supervisor", "transcript")]
    assert ("sam", "advisor", "transcript") in await opens(store, queued)


async def test_every_holder_is_kept_when_many_claims_and_transfers_race(store):
    """The list of past holders is written inside the claim's own Lua step: however the
    steps of several relay processes interleave, none is lost."""
    cid, _ = await store.create_conversation()
    await store.set_fields(cid, mode="advisor", advisor="a0")
    users = [f"a{n}" for n in range(1, 31)]

    async def take(username: str) -> None:
        await store.transition(cid, ("advisor",), "advisor", {"type": "status"}, fields={"advisor": username})

    await asyncio.gather(*(take(u) for u in users))

    held = (await store.conversation(cid))["held_by"].split(",")
    assert sorted(held) == sorted(users) and len(held) == len(set(held))
