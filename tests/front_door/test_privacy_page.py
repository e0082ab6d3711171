"""The data protection officer's page: search, download and erase, with CSRF and a confirmation step."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

from live_handoff import auth
from live_handoff.audit import entries
from live_handoff.privacy import register
from tests.front_door.test_pages import app_and_store
from tests.live_handoff.conftest import PASSWORD

EMAIL = "jo.bloggs@example.com"
PATH = "/manager/privacy/"


async def signed_in(client, username: str) -> str:
    login = await client.post("/api/advisor/login", json={"username": username, "password": PASSWORD})
    assert login.status == 200
    return (await login.json())["csrf_token"]


async def test_the_privacy_page_is_for_the_data_protection_officer_only(aiohttp_client, redis_server):
    app, store, _ = await app_and_store(redis_server)
    await auth.add_user(store, "sam", "Sam Patel", PASSWORD, {"advisor", "manager"}, 3)
    await auth.add_user(store, "dpo.jo", "Jo Dee", PASSWORD, {"dpo"}, 1)
    client = await aiohttp_client(app)
    away = await client.get("/manager/privacy/", allow_redirects=False)
    location = urlsplit(away.headers["Location"])
    assert away.status == 302 and location.path == "/staff/" and parse_qs(location.query) == {"next": [PATH]}
    await signed_in(client, "sam")
    assert (await client.get("/manager/privacy/")).status == 403
    assert (await client.post("/manager/privacy/", data={"action": "search"})).status == 403
    await signed_in(client, "dpo.jo")
    pages = await (await client.get("/api/staff/pages", params={"next": "/manager/privacy/"})).json()
    assert [p["path"] for p in pages["pages"]] == ["/manager/privacy/"] and pages["next"] == "/manager/privacy/"
    page = await client.get("/manager/privacy/")
    text = await page.text()
    assert page.status == 200 and '<html lang="en-GB">' in text and "<script" not in text
    assert 'name="csrf"' in text and "Requests answered" in text
    await store.redis.close()


async def test_a_dpo_finds_downloads_and_erases_a_person_with_every_step_recorded(aiohttp_client, redis_server):
    app, store, _ = await app_and_store(redis_server)
    await auth.add_user(store, "dpo.jo", "Jo Dee", PASSWORD, {"dpo"}, 1)
    mine, _ = await store.create_conversation()
    await store.append(mine, {"type": "message", "from": "resident", "text": f"email me at {EMAIL}"}, "m1")
    await store.append(mine, {"type": "note", "author": "Sam", "text": "Jo was upset"}, "n1", audience="advisors")
    other, _ = await store.create_conversation()
    await store.append(other, {"type": "message", "from": "resident", "text": "council tax please"}, "m1")
    client = await aiohttp_client(app)
    csrf = await signed_in(client, "dpo.jo")
    form = {"csrf": csrf, "kind": "email", "value": EMAIL.upper(), "why": "SAR 2026-041"}

    forged = await client.post("/manager/privacy/", data={**form, "csrf": "wrong", "action": "search"})
    assert forged.status == 403
    bad = await client.post("/manager/privacy/", data={**form, "value": "not an email", "action": "search"})
    assert bad.status == 400 and "is not an email address" in await bad.text()
    found = await client.post("/manager/privacy/", data={**form, "action": "search"})
    text = await found.text()
    assert found.status == 200 and mine in text and other not in text and "Download JSON" in text
    assert "advisor notes" in text

    download = await client.post("/manager/privacy/", data={**form, "action": "export", "format": "json"})
    assert download.headers["Content-Disposition"].startswith("attachment")
    exported = json.loads(await download.text())
    assert [c["conversation_id"] for c in exported["conversations"]] == [mine]
    assert "Jo was upset" in json.dumps(exported)
    readable = await client.post("/manager/privacy/", data={**form, "action": "export", "format": "html"})
    assert '<html lang="en-GB">' in await readable.text()

    confirm = await client.post("/manager/privacy/", data={**form, "action": "confirm"})
    assert 'name="confirm"' in await confirm.text()
    unconfirmed = await client.post("/manager/privacy/", data={**form, "action": "erase"})
    assert unconfirmed.status == 400 and await store.conversation(mine)
    erased = await client.post("/manager/privacy/", data={**form, "action": "erase", "confirm": "yes"})
    assert erased.status == 200 and "The erasure is done" in await erased.text()
    assert not await store.conversation(mine) and await store.conversation(other)

    assert [(e["action"], e["who"], e["detail"]) for e in await entries(store, mine)] == [
        ("export", "dpo.jo", "SAR 2026-041"),
        ("export", "dpo.jo", "SAR 2026-041"),
        ("erase", "dpo.jo", "SAR 2026-041"),
    ]
    kinds = [r["kind"] for r in await register.entries(store)]
    assert kinds == ["search", "export", "export", "erase"]
    assert "jo.bloggs" not in json.dumps(await register.entries(store)).lower()
    listed = await (await client.get("/manager/privacy/")).text()
    assert re.search(r"<td>erase</td><td>dpo\.jo</td><td>SAR 2026-041</td>", listed)
    await store.redis.close()
