"""Everything expires: after a full journey on a real Redis (and the real Rasa server), every
key that may hold a resident's data expires within the retention period, messages left that
Open311 refused are kept only as long, and a message waiting too long is set aside, not lost.

Print the key list: ``pytest tests/live_handoff/test_expiry.py -s -k journey``.
"""

from __future__ import annotations

import asyncio
import fnmatch
import json
import re
from dataclasses import replace
from pathlib import Path

from live_handoff.keys import RELAY
from live_handoff.messages_left import outbox_entry
from live_handoff.store import Store, connect_redis, now_ms
from service_requests.app import create_standalone_app
from service_requests.settings import Settings as Open311Settings
from tests.live_handoff.conftest import NEVER_OPEN, add_advisor, advisor, kind, resident, with_rasa

OPEN311_KEY = "chat-key-0123456789"
SHORT_LIMIT = 80  # this council's case system takes descriptions up to 80 characters

# Keys allowed to outlive the retention period (or never expire), and why. Anything else
# found under the prefix must expire within it. docs/privacy.md says the same.
NOT_BOUND_BY_RETENTION = {
    "advisor:*": "a staff account (name, password hash, roles), kept while the account exists",
    "advisors": "the set of staff usernames, kept while the accounts exist",
    "sessions:*": "a staff member's session key names (hashed), so a password change ends them all; 30 days",
    "handling": "the last 50 handling times in seconds: no personal data",
    "secret:*": "a random key shared by relay processes (contact codes): no personal data",
    "offline_since": "staff usernames whose console is gone, cleared when they return: staff data",
}


def allowed_without_retention(name: str, prefix: str) -> str:
    """Why ``name`` may outlive the retention period, or "" if it may not."""
    short = name[len(prefix) + 1 :]
    return next((why for pattern, why in NOT_BOUND_BY_RETENTION.items() if fnmatch.fnmatchcase(short, pattern)), "")


async def key_table(store: Store, cids: list[str]) -> list[tuple[str, str, int]]:
    """(key, type, TTL in seconds) of every key of the test's prefix and Rasa's keys of
    the journey's conversations."""
    names = [k async for k in store.redis.scan_iter(match=f"{store.p}:*", count=1000)]
    for cid in cids:
        names += [k async for k in store.redis.scan_iter(match=f"frontdesk:*:{cid}")]
    rows = []
    for name in sorted(set(names)):
        rows.append((name, await store.redis.type(name), await store.redis.ttl(name)))
    return rows


PRIVACY_PAGE = Path(__file__).resolve().parents[2] / "docs" / "privacy.md"


def documented_as(name: str, prefix: str, cids: list[str]) -> str:
    """How docs/privacy.md writes a key: ``fd:conv:c_...`` is ``{prefix}:conv:{cid}``."""
    for cid in cids:
        name = name.replace(cid, "{cid}")
    name = re.sub(rf"^{re.escape(prefix)}:", "{prefix}:", name)
    name = re.sub(r"^\{prefix\}:session:[0-9a-f]{64}$", "{prefix}:session:{hash}", name)
    name = re.sub(r"^\{prefix\}:secret:.+$", "{prefix}:secret:{name}", name)
    name = re.sub(r"^\{prefix\}:modes:.+$", "{prefix}:modes:{mode}", name)
    name = re.sub(r"^\{prefix\}:limit:([a-z_]+):.+$", "{prefix}:limit:{limit}:{address}", name)
    name = re.sub(r"^\{prefix\}:login_gate:.+$", "{prefix}:login_gate:{user}@{address}", name)
    return re.sub(r"^(\{prefix\}:(?:advisor|sessions|online|chats|login_failures)):.+$", r"\1:{user}", name)


def check_documented(rows: list[tuple[str, str, int]], prefix: str, cids: list[str]) -> None:
    page = PRIVACY_PAGE.read_text()
    forms = {documented_as(name, prefix, cids) for name, *_ in rows}
    missing = sorted(form for form in forms if f"`{form}`" not in page)
    assert not missing, f"keys not listed in docs/privacy.md: {missing}"


def check_expiry(rows: list[tuple[str, str, int]], prefix: str, seconds: int) -> None:
    print(f"\nkeys after the journey (retention {seconds} s = {seconds // 86_400} days):")
    for name, type_, ttl in rows:
        why = allowed_without_retention(name, prefix)
        print(f"  {name:<60} {type_:<7} TTL {ttl:>9}  {why or ''}")
    late = [(n, t) for n, _, t in rows if not allowed_without_retention(n, prefix) and not 0 < t <= seconds]
    assert not late, f"keys that do not expire within {seconds} s: {late}"


async def open311_server(aiohttp_server, tmp_path) -> str:
    """The built-in Open311 service, set up as a council whose case system takes short
    descriptions only, so it refuses a long message outright."""
    settings = Open311Settings(
        database=tmp_path / "cases.sqlite3",
        api_keys=frozenset({OPEN311_KEY}),
        staff_keys=frozenset({"staff-key-0123456789"}),
        max_description=SHORT_LIMIT,
    )
    server = await aiohttp_server(create_standalone_app(settings))
    return f"http://127.0.0.1:{server.port}/open311/v2/"


async def journey(settings, store, make_client, aiohttp_server, tmp_path, bot_answers: bool) -> list[str]:
    """A resident chats, hands off; an advisor claims, writes a note, closes; the resident
    rates. Out of hours another resident leaves a message the case system takes, one it
    refuses, and (with the case system down) one that waits. Returns the conversation ids."""
    await add_advisor(store)
    client = await make_client(settings)
    console = await advisor(client)
    sock, welcome = await resident(client)
    cid = welcome["conversation_id"]
    await sock.send({"type": "message", "client_id": "q1", "text": "how do I pay my council tax"})
    if bot_answers:
        await sock.next(kind("message", **{"from": "bot"}), timeout=20)
    await sock.send({"type": "request_advisor", "client_id": "r1"})
    await sock.next(kind("status", mode="queued"), timeout=15)
    await console.send({"type": "claim", "conversation_id": cid})
    await sock.next(kind("status", mode="advisor"))
    text = "I'm Alex Jones, alex.jones@example.org, 14 Mill Lane, about my bill"
    await sock.send({"type": "message", "client_id": "r2", "text": text})
    await console.next(kind("message", text=text))
    await console.send({"type": "message", "conversation_id": cid, "client_id": "a1", "text": "Thanks Alex."})
    await sock.next(kind("message", **{"from": "advisor"}))
    await console.send({"type": "note", "conversation_id": cid, "client_id": "n1", "text": "Alex Jones, arrears"})
    await console.next(kind("note"))
    await console.send({"type": "close", "conversation_id": cid})
    await sock.next(kind("status", mode="closed"))
    await sock.send({"type": "rating", "client_id": "rate", "score": 4, "comment": "Alex here, thanks"})
    await sock.next(kind("ack", client_id="rate"))

    url = await open311_server(aiohttp_server, tmp_path)
    closed = await make_client(
        replace(settings, opening_hours=NEVER_OPEN, open311_url=url, open311_api_key=OPEN311_KEY)
    )
    other, hello = await resident(closed)
    await other.send({"type": "request_advisor", "client_id": "r1"})
    await other.next(lambda f: f["type"] == "message" and f["from"] == "system" and "not available" in f["text"])
    contact = {"name": "Sam Green", "email": "sam.green@example.org", "phone": "01632 960123", "call_back": True}
    await other.send({"type": "leave_message", "client_id": "m1", "text": "Please call me back", **contact})
    taken = await other.next(lambda f: f["type"] == "message" and f["from"] == "system" and "Thank you" in f["text"])
    assert "NB-" in taken["text"], taken
    long_text = "Please call me back about my council tax arrears and the letter I got about a court summons"
    assert len(long_text) > SHORT_LIMIT
    await other.send({"type": "leave_message", "client_id": "m2", "text": long_text, **contact})
    await other.next(lambda f: f["type"] == "message" and f["from"] == "system" and "saved" in f["text"])
    assert await store.set_aside_count() == 1

    down = await make_client(replace(settings, opening_hours=NEVER_OPEN))
    third, later = await resident(down)
    await third.send({"type": "leave_message", "client_id": "m3", "text": "Call me tomorrow", **contact})
    await third.next(lambda f: f["type"] == "message" and f["from"] == "system" and "saved" in f["text"])
    assert await down.app[RELAY].outbox.pending() == 1
    return [cid, hello["conversation_id"], later["conversation_id"]]


async def test_after_a_journey_every_key_holding_a_residents_data_expires_within_retention(
    settings, make_client, aiohttp_server, tmp_path
):
    short = replace(settings, retention_days=2)  # two days, so a 90-day TTL would show
    redis = connect_redis(short.redis_url)
    store = Store(redis, short.key_prefix, short.retention_seconds)
    try:
        cids = await journey(short, store, make_client, aiohttp_server, tmp_path, bot_answers=False)
        rows = await key_table(store, cids)
        check_expiry(rows, store.p, short.retention_seconds)
        check_documented(rows, store.p, cids)
        names = {
            n[len(store.p) + 1 :].split(":")[0] + (":rejected" if n.endswith(":rejected") else "") for n, *_ in rows
        }
        for expected in ("conv", "log", "cids", "modes", "analytics", "outbox", "outbox:rejected"):
            assert expected in names, f"the journey wrote no {expected} key: {sorted(names)}"
    finally:
        await redis.close()


async def test_after_a_journey_through_rasa_its_trackers_expire_within_retention_too(
    settings, store, servers, make_client, aiohttp_server, tmp_path
):
    relay = with_rasa(settings, servers)
    cids = await journey(relay, store, make_client, aiohttp_server, tmp_path, bot_answers=True)
    rows = await key_table(store, cids)
    check_expiry(rows, store.p, relay.retention_seconds)
    check_documented(rows, store.p, cids)
    assert f"frontdesk:tracker:{cids[0]}" in [name for name, *_ in rows]
    assert not [name for name, *_ in rows if name.startswith("frontdesk:lock:")], "Rasa removes its locks"


async def test_a_message_waiting_too_long_for_the_case_system_is_set_aside_with_a_reason(settings):
    redis = connect_redis(settings.redis_url)
    store = Store(redis, settings.key_prefix, 2 * 86_400)
    try:
        frame = {"client_id": "m1", "text": "Call me about my bin", "email": "jo@example.org"}
        old = json.dumps(outbox_entry("c_old", frame, now_ms() - 86_400_000 - 60_000))
        fresh = json.dumps(outbox_entry("c_new", frame, now_ms()))
        await redis.rpush(store.key("outbox"), old, fresh)
        await store.forget_old()
        assert await redis.lrange(store.key("outbox"), 0, -1) == [fresh]
        [kept] = await store.set_aside()
        assert kept["message"] == json.loads(old) and "did not accept it within 1 day;" in kept["reason"]
        assert 0 < await redis.ttl(store.key("outbox", "rejected")) <= 86_400  # left a day ago: a day left
    finally:
        await redis.close()


async def test_messages_set_aside_are_deleted_when_their_retention_ends(settings):
    redis = connect_redis(settings.redis_url)
    store = Store(redis, settings.key_prefix, 2 * 86_400)
    try:
        ended = json.dumps(outbox_entry("c_a", {"client_id": "a", "text": "old"}, now_ms() - 2 * 86_400_000 - 1000))
        ending = json.dumps(outbox_entry("c_b", {"client_id": "b", "text": "nearly"}, now_ms() - 2 * 86_400_000 + 3000))
        await store.outbox_reject(ended, "refused")
        await store.outbox_reject(ending, "refused")
        assert [e["message"]["text"] for e in await store.set_aside()] == ["nearly"]
        assert 0 < await redis.pttl(store.key("outbox", "rejected")) <= 3000
        await asyncio.sleep(3.2)  # Redis, not the relay, deletes the last one
        assert await store.set_aside_count() == 0 and not await redis.exists(store.key("outbox", "rejected"))
    finally:
        await redis.close()


async def test_a_set_aside_list_from_an_earlier_version_is_kept_and_now_expires(settings, store):
    key = store.key("outbox", "rejected")
    raw = json.dumps({"key": "c_x:m1", "conversation_id": "c_x", "text": "hello", "name": "Jo"})
    await store.redis.rpush(key, raw)  # how the relay kept them before: a list, no expiry
    assert await store.redis.ttl(key) == -1
    assert await store.set_aside_count() == 1
    [kept] = await store.set_aside()
    assert kept["message"]["name"] == "Jo" and await store.redis.type(key) == "zset"
    assert 0 < await store.redis.ttl(key) <= store.ttl


async def test_health_warns_while_messages_are_set_aside_without_failing(settings, store, make_client):
    token = "metrics-token-for-tests-0123"
    client = await make_client(replace(settings, metrics_token=token))
    body = await (await client.get("/health")).json()
    assert body["status"] == "ok" and body["messages_set_aside"] == 0
    await store.outbox_reject(json.dumps(outbox_entry("c_x", {"client_id": "m", "text": "hi"}, now_ms())), "refused")
    response = await client.get("/health")
    body = await response.json()
    assert response.status == 200 and body["status"] == "warning" and body["messages_set_aside"] == 1
    metrics = await client.get("/metrics", headers={"Authorization": f"Bearer {token}"})
    assert "frontdesk_messages_set_aside 1.0" in await metrics.text()
