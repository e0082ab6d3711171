"""A resident who comes back to the chat hears, once, what changed on the cases they reported."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from live_handoff.case_news import news
from service_requests.app import create_standalone_app
from service_requests.settings import Settings as Open311Settings
from tests.live_handoff.conftest import kind, resident

API_KEY = "chat-key-0123456789"
STAFF_KEY = "staff-key-0123456789"


def test_only_a_status_not_yet_told_is_news_and_a_new_report_is_none():
    assert news({"NB-2026-000001": "OPEN"}, {}) == []
    assert news({"NB-2026-000001": "FIXED"}, {}) == [("NB-2026-000001", "FIXED")]
    assert news({"NB-2026-000001": "FIXED"}, {"NB-2026-000001": "FIXED"}) == []


@pytest.fixture
async def open311(aiohttp_server, tmp_path):
    settings = Open311Settings.from_env(
        {"OPEN311_API_KEYS": API_KEY, "OPEN311_STAFF_KEYS": STAFF_KEY, "OPEN311_DB": str(tmp_path / "cases.sqlite3")}
    )
    server = await aiohttp_server(create_standalone_app(settings))
    return server


async def file_and_change(client, open311, status):
    form = {
        "api_key": API_KEY,
        "service_code": "pothole",
        "description": "Deep hole",
        "address_string": "Station Road",
        "zipcode": "NB4 2QT",
        "attribute[surface]": "road",
        "attribute[size]": "large",
    }
    async with client.session.post(open311.make_url("/open311/v2/requests.json"), data=form) as response:
        reference = (await response.json())[0]["service_request_id"]
    if status:
        await change(client, open311, reference, status)
    return reference


async def change(client, open311, reference, status):
    form = {"api_key": STAFF_KEY, "extended_status": status, "updated_by": "Sam"}
    async with client.session.post(open311.make_url(f"/open311/v2/requests/{reference}/status.json"), data=form) as r:
        assert r.status == 200


async def come_back(client, welcome):
    hello = {"conversation_id": welcome["conversation_id"], "resume_token": welcome["resume_token"]}
    sock, _ = await resident(client, {**hello, "last_seen": welcome["last_id"]})
    return sock


async def test_a_returning_resident_hears_their_report_is_fixed_once(settings, make_client, store, open311):
    url = str(open311.make_url("/open311/v2/"))
    client = await make_client(replace(settings, open311_url=url, open311_api_key=API_KEY, open311_staff_key=STAFF_KEY))
    sock, welcome = await resident(client)
    cid = welcome["conversation_id"]
    fixed = await file_and_change(client, open311, "FIXED")
    untouched = await file_and_change(client, open311, None)
    await store.set_fields(cid, cases=f'["{fixed}", "{untouched}"]')  # as the bot records the cases it files
    await sock.ws.close()

    again = await come_back(client, welcome)
    told = await again.next(kind("message", **{"from": "system"}))
    assert told["text"] == f"Your report {fixed} is now fixed."
    assert not [f for f in await again.quiet(0.5) if f.get("type") == "message" and "Your report" in f["text"]]
    await again.ws.close()

    once_more = await come_back(client, {**welcome, "last_id": told["id"]})
    assert not [f for f in await once_more.quiet(0.7) if f.get("type") == "message"], "told once only"
    await once_more.ws.close()

    await change(client, open311, untouched, "ACTION_SCHEDULED")
    later = await come_back(client, {**welcome, "last_id": told["id"]})
    news_now = await later.next(kind("message", **{"from": "system"}))
    assert news_now["text"] == f"Your report {untouched} is now scheduled for work."


async def test_without_a_staff_key_the_relay_says_nothing_about_cases(settings, make_client, store, open311):
    url = str(open311.make_url("/open311/v2/"))
    client = await make_client(replace(settings, open311_url=url, open311_api_key=API_KEY, open311_staff_key=""))
    sock, welcome = await resident(client)
    fixed = await file_and_change(client, open311, "FIXED")
    await store.set_fields(welcome["conversation_id"], cases=f'["{fixed}"]')
    await sock.ws.close()
    again = await come_back(client, welcome)
    assert not [f for f in await again.quiet(0.7) if f.get("type") == "message"]


async def test_tabs_resuming_at_the_same_moment_hear_each_change_once(settings, make_client, store, open311):
    url = str(open311.make_url("/open311/v2/"))
    client = await make_client(replace(settings, open311_url=url, open311_api_key=API_KEY, open311_staff_key=STAFF_KEY))
    sock, welcome = await resident(client)
    cid = welcome["conversation_id"]
    fixed = await file_and_change(client, open311, "FIXED")
    scheduled = await file_and_change(client, open311, "ACTION_SCHEDULED")
    await store.set_fields(cid, cases=f'["{fixed}", "{scheduled}"]')
    await sock.ws.close()

    tabs = await asyncio.gather(*(come_back(client, welcome) for _ in range(6)))  # six tabs restored at once
    await tabs[0].next(kind("message", **{"from": "system"}))
    await asyncio.sleep(1.0)  # every tab's look-up has finished
    logged = [e.event.get("text", "") for e in await store.events_after(cid, "0-0")]
    news_told = sorted(t for t in logged if t.startswith("Your report"))
    assert news_told == [f"Your report {fixed} is now fixed.", f"Your report {scheduled} is now scheduled for work."]
    for tab in tabs:
        await tab.ws.close()


async def test_of_many_claims_at_once_one_wins_and_a_gone_conversation_is_not_brought_back(store):
    cid, _ = await store.create_conversation("/")
    change = [("NB-2026-000001", "FIXED")]
    won = await asyncio.gather(*(store.claim_case_news(cid, change, "cases_told", "OPEN") for _ in range(20)))
    assert sorted(map(len, won)) == [0] * 19 + [1]
    assert await store.claim_case_news(cid, [("NB-2026-000001", "OPEN")], "cases_told", "OPEN") == [
        ("NB-2026-000001", "OPEN")
    ]  # reopened: news again
    await store.set_fields(cid, cases_told="not json")
    assert await store.claim_case_news(cid, change, "cases_told", "OPEN") == change
    assert await store.claim_case_news("c_gone", change, "cases_told", "OPEN") == []
    assert not await store.redis.exists(store.key("conv", "c_gone"))
