"""``python -m live_handoff privacy``: who may use it, what it answers when something is
missing or down, and what an erasure removes from Redis (real Redis; no bot needed)."""

from __future__ import annotations

import io
import json
from dataclasses import replace

from aiohttp import web

from live_handoff.privacy import cli, register
from live_handoff.privacy.gather import lock_key, tracker_key
from tests.live_handoff.conftest import add_advisor

STAFF_KEY = "staff-key-0123456789"


def argv(command: str, *who: str, yes: bool = True, out: str = "") -> list[str]:
    extra = ["--yes"] if command == "erase" and yes else (["--out", out] if out else [])
    return ["privacy", command, *who, "--by", "dpo.jo", "--why", "request 7", *extra]


async def leave(store, text: str, email: str = "", phone: str = "", mode: str = "queued") -> str:
    """A conversation with a message waiting in the outbox, queued and held in an advisor's chats."""
    cid, _ = await store.create_conversation()
    entry = {"key": f"{cid}:m", "conversation_id": cid, "text": text, "name": "", "email": email, "phone": phone}
    await store.append(
        cid,
        {"type": "message", "from": "resident", "text": text},
        "m",
        also_push=(store.key("outbox"), json.dumps(entry)),
    )
    await store.redis.zadd(store.queue_key, {cid: 1})
    await store.redis.zadd(store.key("modes", mode), {cid: 1})
    await store.redis.sadd(store.key("chats", "sam"), cid)
    await store.redis.set(tracker_key(cid), json.dumps({"events": [{"event": "user", "text": text}]}))
    await store.redis.set(lock_key(cid), "{}")
    await store.redis.set(store.key("botturn", cid), "1")
    await store.record("message_left", conversation_id=cid, reference="", queued=True, contact="ab12cd")
    return cid


async def test_only_a_data_protection_officer_may_search_and_identifiers_are_checked(settings, store, capsys):
    await add_advisor(store, "sam")
    args = cli.parse_args([*argv("export", "--email", "jo@example.com")[:-4], "--by", "sam", "--why", "x"])
    assert await cli.run(args, settings) == 2
    assert "dpo role" in capsys.readouterr().err
    await add_advisor(store, "dpo.jo", roles={"dpo"})
    assert await cli.run(cli.parse_args(argv("export", "--email", "jo at example")), settings) == 2
    assert await cli.run(cli.parse_args(argv("export", "--phone", "12")), settings) == 2


async def test_nothing_found_answers_1_and_is_still_registered(settings, store, tmp_path):
    await add_advisor(store, "dpo.jo", roles={"dpo"})
    out = tmp_path / "none"
    assert await cli.run(cli.parse_args(argv("export", "--email", "nobody@example.com", out=str(out))), settings) == 1
    assert not out.exists()
    assert [(r["kind"], r["why"], r["searched_by"]) for r in await register.entries(store)] == [
        ("export", "request 7", "email")
    ]
    assert "nobody" not in json.dumps(await register.entries(store))


async def test_redis_or_open311_down_answers_3_and_changes_nothing(settings, store, capsys):
    await add_advisor(store, "dpo.jo", roles={"dpo"})
    cid = await leave(store, "ring me on 07700 900123", phone="07700900123")
    down_redis = replace(settings, redis_url="redis://127.0.0.1:9/0")
    assert await cli.run(cli.parse_args(argv("erase", "--phone", "07700 900123")), down_redis) == 3
    down_open311 = replace(settings, open311_url="http://127.0.0.1:9/open311/v2/", open311_staff_key=STAFF_KEY)
    assert await cli.run(cli.parse_args(argv("erase", "--phone", "07700 900123")), down_open311) == 3
    assert "Nothing was changed" in capsys.readouterr().err
    assert await store.conversation(cid) and await store.outbox_length() == 1


async def test_an_erasure_must_be_confirmed_unless_yes_is_given(settings, store, monkeypatch):
    await add_advisor(store, "dpo.jo", roles={"dpo"})
    cid = await leave(store, "email jo@example.com", email="jo@example.com")
    monkeypatch.setattr("sys.stdin", io.StringIO("no\n"))
    assert await cli.run(cli.parse_args(argv("erase", "--email", "jo@example.com", yes=False)), settings) == 2
    assert await store.conversation(cid)
    monkeypatch.setattr("sys.stdin", io.StringIO("ERASE\n"))
    assert await cli.run(cli.parse_args(argv("erase", "--email", "jo@example.com", yes=False)), settings) == 0
    assert not await store.conversation(cid)


async def test_an_erasure_takes_the_conversation_out_of_every_key_and_keeps_the_others(settings, store):
    await add_advisor(store, "dpo.jo", roles={"dpo"})
    mine = await leave(store, "please ring me, 07700 900123", phone="07700 900123")
    other = await leave(store, "ring me on 07700 900999", phone="07700900999")
    refused = {"key": "k", "conversation_id": "c_elsewhere", "text": "old", "phone": "+44 7700 900123"}
    await store.redis.rpush(store.key("outbox", "rejected"), json.dumps(refused))
    assert await cli.run(cli.parse_args(argv("erase", "--phone", "+447700900123")), settings) == 0

    for key in (store.key("conv", mine), store.key("log", mine), store.key("cids", mine), store.key("botturn", mine)):
        assert not await store.redis.exists(key), key
    assert not await store.redis.exists(tracker_key(mine)) and not await store.redis.exists(lock_key(mine))
    assert await store.queue() == [other]
    assert await store.redis.zrange(store.key("modes", "queued"), 0, -1) == [other]
    assert await store.redis.smembers(store.key("chats", "sam")) == {other}
    assert [json.loads(r)["conversation_id"] for r in await store.redis.lrange(store.key("outbox"), 0, -1)] == [other]
    assert await store.redis.llen(store.key("outbox", "rejected")) == 0
    left = [e for e in await store.analytics() if e["kind"] == "message_left"]
    assert [("contact" in e, e["conversation_id"]) for e in left] == [(False, mine), (True, other)]
    assert await store.redis.exists(tracker_key(other)) and await store.conversation(other)
    counts = (await register.entries(store))[-1]["counts"]
    assert (
        counts["conversations"] == 1
        and counts["messages_left_removed"] == 1
        and counts["messages_refused_removed"] == 1
    )


async def test_with_a_councils_own_crm_the_references_are_listed_for_its_own_process(
    settings, store, aiohttp_server, tmp_path, capsys
):
    async def no_extension(request: web.Request) -> web.Response:
        return web.json_response([{"code": 404, "description": "not found"}], status=404)

    crm = web.Application()
    crm.router.add_route("*", "/{tail:.*}", no_extension)
    server = await aiohttp_server(crm)
    crm_settings = replace(settings, open311_url=str(server.make_url("/open311/v2/")), open311_staff_key=STAFF_KEY)
    await add_advisor(store, "dpo.jo", roles={"dpo"})
    cid, _ = await store.create_conversation()
    await store.append(cid, {"type": "message", "from": "resident", "text": "jo@example.com"}, "m")
    await store.set_fields(cid, cases='["NB-2026-000077"]')
    out = tmp_path / "out"
    assert await cli.run(cli.parse_args(argv("export", "--email", "jo@example.com", out=str(out))), crm_settings) == 0
    said = capsys.readouterr().out
    assert "own process" in said and "NB-2026-000077" in said
    exported = json.loads(next(out.glob("*.json")).read_text())
    assert exported["case_system"] == "own" and exported["case_references"] == ["NB-2026-000077"]


async def test_an_erasure_waits_for_a_turn_rasa_is_still_answering_before_deleting_its_tracker(store):
    import asyncio
    import time

    from live_handoff.privacy.erase import wait_for_rasa

    cid = "c_" + "r" * 22
    await store.redis.set(lock_key(cid), "{}")

    async def rasa_finishes_its_turn() -> None:
        await asyncio.sleep(0.6)
        await store.redis.delete(lock_key(cid))

    started = time.monotonic()
    finishing = asyncio.create_task(rasa_finishes_its_turn())
    assert await wait_for_rasa(store, [cid]) is True
    assert time.monotonic() - started >= 0.5
    await finishing

    await store.redis.set(lock_key(cid), "{}")  # left by a Rasa that died mid-turn
    assert await wait_for_rasa(store, [cid], seconds=0.3) is False
    await store.redis.delete(lock_key(cid))
