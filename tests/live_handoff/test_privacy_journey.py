"""Subject access and erasure on a real journey: Redis, the Rasa server and action server,
and the built-in Open311 service with its SQLite database."""

from __future__ import annotations

import json
import re
import sqlite3
import stat
from dataclasses import replace
from pathlib import Path

import pytest

from live_handoff import audit
from live_handoff.privacy import cli, register
from tests.live_handoff.conftest import add_advisor, advisor, kind, resident, whole_turn, with_rasa
from tests.waiting import until

pytestmark = pytest.mark.servers

NAME, EMAIL, PHONE = "Philippa Quennell", "philippa.quennell@example.com", "07700 900417"
# What must be gone after the erasure: her name, contact details and her own words.
TRACES = (
    "Philippa",
    "Quennell",
    EMAIL,
    PHONE,
    "quince and rhubarb crumble",  # words no other test uses: the Redis server is shared
    "Please ring me about my bin",
    "sounded upset",
    "missed it twice",
)
OTHER = "Bartholomew"


async def say(store, sock, text: str, payload: str | None = None) -> list[dict]:
    """Send a message and collect the bot's whole answer."""
    number = len(sock.frames)
    frame = {"type": "message", "client_id": f"m{number}", "text": text}
    if payload:
        frame["payload"] = payload
    await sock.send(frame)
    await sock.next(kind("message", **{"from": "bot"}), timeout=20)
    await whole_turn(store, sock)
    return [f for f in sock.frames[number:] if f.get("type") == "message" and f.get("from") == "bot"]


async def press(store, sock, title: str) -> list[dict]:
    buttons = [b for f in reversed(sock.frames) for b in f.get("buttons", []) if b.get("title") == title]
    assert buttons, f"no button {title!r} in {sock.frames[-4:]}"
    return await say(store, sock, title, buttons[0]["payload"])


async def dump_redis(redis) -> str:
    """Every key of the Redis database, of every type, with every value, as text."""
    parts = []
    async for key in redis.scan_iter(match="*", count=1000):
        kind_ = await redis.type(key)
        value: object
        if kind_ == "string":
            value = await redis.get(key)
        elif kind_ == "hash":
            value = await redis.hgetall(key)
        elif kind_ == "list":
            value = await redis.lrange(key, 0, -1)
        elif kind_ == "set":
            value = sorted(await redis.smembers(key))
        elif kind_ == "zset":
            value = await redis.zrange(key, 0, -1, withscores=True)
        elif kind_ == "stream":
            value = await redis.xrange(key)
        else:
            value = kind_
        parts.append(f"{key} {json.dumps(value, ensure_ascii=False)}")
    return "\n".join(parts)


def redis_disk(directory: Path) -> bytes:
    """What Redis keeps on disk (its append-only files and snapshots), logs aside."""
    return b"".join(p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file() and p.suffix != ".log")


def dump_sqlite(path: str) -> str:
    with sqlite3.connect(path) as db:
        return "\n".join(db.iterdump())


async def test_a_residents_data_is_exported_then_erased_everywhere_leaving_others_and_counts(
    settings, store, servers, redis_server, make_client, tmp_path
):
    open311 = servers.open311
    relay_settings = replace(
        with_rasa(settings, servers),
        burst=50,  # one test sends faster than any resident types
        open311_url=open311.url,
        open311_api_key=open311.env["OPEN311_API_KEY"],
        open311_staff_key=open311.env["OPEN311_STAFF_KEYS"],
    )
    database = open311.env["OPEN311_DB"]
    await add_advisor(store)
    await add_advisor(store, "dpo.jo", "Jo Dee", roles={"dpo"})
    client = await make_client(relay_settings)
    console = await advisor(client)
    csrf = (await (await client.get("/api/advisor/me")).json())["csrf_token"]

    # Philippa asks something the bot cannot answer, reports a missed bin with her email,
    # asks for an advisor and leaves a message while she waits.
    sock, welcome = await resident(client)
    cid = welcome["conversation_id"]
    await say(store, sock, f"what is the best recipe for quince and rhubarb crumble? {NAME} here")
    await say(store, sock, "bin men didnt empty my bin today, NB4 2QT")
    await say(store, sock, "outside 14 elm road")
    await say(store, sock, "it was out but they missed it twice")
    await press(store, sock, "Grey bin (general waste)")
    await press(store, sock, "Yes")
    await say(store, sock, EMAIL)
    sent = await press(store, sock, "Send report")
    reported = re.search(r"NB-\d{4}-\d{6}", " ".join(f["text"] for f in sent))
    assert reported, sent
    await sock.send({"type": "message", "client_id": "ho", "text": "Talk to an advisor", "payload": "/handoff"})
    await sock.next(kind("status", mode="queued"), timeout=20)
    await sock.send(
        {
            "type": "leave_message",
            "client_id": "lm",
            "text": "Please ring me about my bin, it has been missed twice",
            "name": NAME,
            "email": EMAIL,
            "phone": PHONE,
            "call_back": True,
        }
    )
    left = await sock.next(lambda f: f["type"] == "message" and f["from"] == "system" and "Thank you" in f["text"])
    message_reference = re.search(r"NB-\d{4}-\d{6}", left["text"])
    assert message_reference, left

    # An advisor takes the chat, writes to her and keeps a private note; the case gets a status note.
    await console.next(lambda f: f["type"] == "queue" and f["items"])
    await console.send({"type": "claim", "conversation_id": cid})
    await sock.next(kind("status", mode="advisor"))
    await sock.send({"type": "message", "client_id": "ph", "text": f"You can ring me on {PHONE}"})
    await console.next(kind("message", text=f"You can ring me on {PHONE}"))
    await console.send({"type": "message", "conversation_id": cid, "client_id": "a1", "text": "Thanks Philippa."})
    await sock.next(kind("message", **{"from": "advisor"}))
    await console.send(
        {
            "type": "note",
            "conversation_id": cid,
            "client_id": "n1",
            "text": "Philippa sounded upset; crew missed it twice",
        }
    )
    await console.next(kind("note"))
    changed = await client.post(
        f"/api/advisor/cases/{reported.group()}/status",
        headers={"X-CSRF-Token": csrf},
        json={"extended_status": "ACTION_SCHEDULED", "note": f"Rang Philippa Quennell on {PHONE}"},
    )
    assert changed.status == 200, await changed.text()
    await sock.send({"type": "end_chat", "client_id": "end"})
    await sock.next(kind("status", mode="closed"))
    await sock.send({"type": "rating", "client_id": "rate", "score": 5, "comment": "Thanks, Philippa Quennell"})
    await sock.next(kind("ack", client_id="rate"))
    assert (await store.conversation(cid))["rating"] == "5", sock.frames[-6:]
    # A message Open311 refused earlier, set aside for staff.
    refused = {"key": f"{cid}:old", "conversation_id": cid, "text": "old <b>message</b>", "name": NAME, "email": EMAIL}
    await store.redis.rpush(store.key("outbox", "rejected"), json.dumps(refused))

    # Another resident, whose data must stay.
    other, other_welcome = await resident(client)
    other_cid = other_welcome["conversation_id"]
    await say(store, other, f"Hello, {OTHER} Ainsworth here, how do I pay my council tax")
    await sock.ws.close()
    await other.ws.close()
    await console.ws.close()

    # Export by email: her words, both cases with contact details and history, the note; nobody else's.
    out = tmp_path / "privacy"
    args = cli.parse_args(
        ["privacy", "export", "--email", EMAIL.upper(), "--by", "dpo.jo", "--why", "SAR 2026-041", "--out", str(out)]
    )
    assert await cli.run(args, relay_settings) == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    files = sorted(out.iterdir())
    assert [f.suffix for f in files] == [".html", ".json"]
    assert all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files)
    exported = json.loads(files[1].read_text())
    text = json.dumps(exported, ensure_ascii=False)
    assert [c["conversation_id"] for c in exported["conversations"]] == [cid]
    assert {c["service_request_id"] for c in exported["cases"]} == {reported.group(), message_reference.group()}
    assert any(c.get("email") == EMAIL for c in exported["cases"])
    assert "Rang Philippa Quennell" in text and "quince and rhubarb crumble" in text and "sounded upset" in text
    assert "Please ring me about my bin" in text and exported["conversations"][0]["rating"]["score"] == "5"
    assert exported["conversations"][0]["rasa_tracker"]["events"]
    assert "token" not in exported["conversations"][0]["fields"]
    assert OTHER not in text and other_cid not in text
    page = files[0].read_text()
    assert '<html lang="en-GB">' in page and "<script" not in page.lower() and "sounded upset" in page
    by_phone = cli.parse_args(
        [
            "privacy",
            "export",
            "--phone",
            "+44 7700 900417",
            "--by",
            "dpo.jo",
            "--why",
            "SAR 2026-041",
            "--out",
            str(out),
        ]
    )
    assert await cli.run(by_phone, relay_settings) == 0

    cases_before = dump_sqlite(database).count('INSERT INTO "requests"')
    analytics_kinds = sorted(e["kind"] for e in await store.analytics() if e.get("conversation_id") == cid)

    before = await dump_redis(store.redis) + "\n" + dump_sqlite(database)
    assert [t for t in TRACES if t.lower() not in before.lower()] == []  # so their absence below means something
    assert f"frontdesk:tracker:{cid}" in before and PHONE in dump_sqlite(database)
    assert EMAIL.encode() in redis_disk(redis_server.directory)

    # Erase by email.
    args = cli.parse_args(
        ["privacy", "erase", "--email", EMAIL, "--by", "dpo.jo", "--why", "erasure request 2026-042", "--yes"]
    )
    assert await cli.run(args, relay_settings) == 0

    everything = await dump_redis(store.redis) + "\n" + dump_sqlite(database)
    for trace in (*TRACES, "07700900417"):
        assert trace.lower() not in everything.lower(), trace
    on_disk = b"".join(Path(p).read_bytes() for p in (database, database + "-wal") if Path(p).exists())
    for trace in (EMAIL, PHONE, "Quennell"):
        assert trace.encode() not in on_disk, trace
    assert f"frontdesk:tracker:{cid}" not in everything
    # Redis's append-only file is rewritten, so the deleted values are not left on its disk either.

    async def rewritten() -> bool:
        persistence = await store.redis.info("persistence")
        return not persistence["aof_rewrite_in_progress"] and not persistence["aof_rewrite_scheduled"]

    await until(rewritten, "Redis finishes rewriting its append-only file", timeout=30)
    redis_files = b"".join(
        p.read_bytes() for p in redis_server.directory.rglob("*") if p.is_file() and p.suffix != ".log"
    )
    assert redis_files and EMAIL.encode() not in redis_files and b"Quennell" not in redis_files
    # The other resident is untouched.
    assert OTHER in everything and await store.conversation(other_cid)
    assert await store.redis.exists(f"frontdesk:tracker:{other_cid}")
    # Counts stay: her analytics events without free text remain, and the cases remain, anonymised.
    remaining = [e for e in await store.analytics() if e.get("conversation_id") == cid]
    assert sorted(e["kind"] for e in remaining) == [
        k for k in analytics_kinds if k not in ("unanswered", "suggestion_chosen")
    ]
    assert {"route", "case_created", "message_left", "rating"} <= {e["kind"] for e in remaining}
    assert not any("contact" in e or "text" in e for e in remaining)
    assert dump_sqlite(database).count('INSERT INTO "requests"') == cases_before
    with sqlite3.connect(database) as db:
        erased = db.execute(
            "SELECT service_code, description, email, phone, address, extended_status FROM requests WHERE id = ?",
            (reported.group(),),
        ).fetchone()
    assert erased == ("missed_bin", "[erased]", None, None, None, "ACTION_SCHEDULED")
    # Who asked, when and why is on record, without the person's identifiers.
    trail = await audit.entries(store, cid)
    assert [(e["who"], e["role"], e["action"], e["detail"]) for e in trail if e["role"] == "dpo"] == [
        ("dpo.jo", "dpo", "export", "SAR 2026-041"),
        ("dpo.jo", "dpo", "export", "SAR 2026-041"),
        ("dpo.jo", "dpo", "erase", "erasure request 2026-042"),
    ]
    requests = await register.entries(store)
    assert [(r["kind"], r["by"], r["why"]) for r in requests][-1] == ("erase", "dpo.jo", "erasure request 2026-042")
    assert requests[-1]["counts"]["cases_anonymised"] == 2 and requests[-1]["counts"]["conversations"] == 1

    # Asked again, nothing is left to find.
    assert await cli.run(args, relay_settings) == 1
