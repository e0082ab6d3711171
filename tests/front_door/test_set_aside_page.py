"""The supervisors' page of messages set aside: who sees what, Retry and Delete with the CSRF
token, each recorded in the staff audit trail."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

from live_handoff import auth
from live_handoff.audit import entries as audit_entries
from live_handoff.store import now_ms
from tests.front_door.test_pages import app_and_store
from tests.live_handoff.conftest import PASSWORD

PATH = "/manager/set-aside/"
TEXT = "Please ring me on 01632 960777 about my council tax"


def message(cid: str, **fields) -> str:
    body = {"key": f"{cid}:m1", "conversation_id": cid, "left_at": now_ms() - 60_000, "text": TEXT}
    body.update({"name": "Jo Bloggs", "email": "jo.bloggs@example.org", "phone": "01632 960777", **fields})
    return json.dumps(body)


async def signed_in(client, username: str) -> str:
    login = await client.post("/api/advisor/login", json={"username": username, "password": PASSWORD})
    assert login.status == 200
    return (await login.json())["csrf_token"]


def ids(page: str) -> list[str]:
    return re.findall(r'name="id" value="([0-9a-f]{16})"', page)


async def setup(aiohttp_client, redis_server):
    app, store, _ = await app_and_store(redis_server)
    await auth.add_user(store, "sam", "Sam Patel", PASSWORD, {"advisor"}, 3)
    await auth.add_user(store, "mina", "Mina Okafor", PASSWORD, {"manager"}, 3)
    await auth.add_user(store, "olu", "Olu Ade", PASSWORD, {"supervisor"}, 3)
    await store.outbox_reject(message("c_one"), "the case system refused it (400): email is not valid")
    await store.outbox_reject(message("c_two", name="Ann Lee"), "the name holds a character that cannot be sent")
    return app, store, await aiohttp_client(app)


async def test_advisors_cannot_open_it_managers_see_it_masked_and_supervisors_see_contact_details(
    aiohttp_client, redis_server
):
    app, store, client = await setup(aiohttp_client, redis_server)
    away = await client.get(PATH, allow_redirects=False)
    assert away.status == 302 and parse_qs(urlsplit(away.headers["Location"]).query) == {"next": [PATH]}
    await signed_in(client, "sam")
    assert (await client.get(PATH)).status == 403
    assert (await client.post(PATH, data={"action": "delete"})).status == 403

    await signed_in(client, "mina")
    page = await (await client.get(PATH)).text()
    assert "2 messages left by residents did not reach the case system" in page and "<script" not in page
    assert "email is not valid" in page and "c_one" in page and "c_two" in page
    assert "01632 960777" not in page and "Jo Bloggs" not in page and "jo.bloggs@example.org" not in page
    assert "Please ring me on" in page and not ids(page)  # masked text, and no buttons
    csrf = (await (await client.get("/api/advisor/me")).json())["csrf_token"]
    refused = await client.post(PATH, data={"csrf": csrf, "action": "delete", "id": "0" * 16})
    assert refused.status == 403 and await store.set_aside_count() == 2

    await signed_in(client, "olu")
    page = await (await client.get(PATH)).text()
    assert "Jo Bloggs" in page and "jo.bloggs@example.org" in page and "Ann Lee" in page
    assert page.count("01632 960777") == 2  # in the contact details only: the message text is masked
    assert len(ids(page)) == 4  # Retry and Delete for each
    await store.redis.close()


async def test_a_supervisor_retries_one_into_the_outbox_and_deletes_the_other_each_audited(
    aiohttp_client, redis_server
):
    app, store, client = await setup(aiohttp_client, redis_server)
    csrf = await signed_in(client, "olu")
    first, _, second, _ = ids(await (await client.get(PATH)).text())

    forged = await client.post(PATH, data={"csrf": "wrong", "action": "retry", "id": first})
    assert forged.status == 403 and "expired" in await forged.text()
    no_token = await client.post(PATH, data={"action": "retry", "id": first})
    assert no_token.status == 403 and await store.set_aside_count() == 2 and await store.outbox_length() == 0

    retried = await client.post(PATH, data={"csrf": csrf, "action": "retry", "id": first}, allow_redirects=False)
    # No case system here: the retried message waits in the outbox (tests/live_handoff/test_outbox.py sends one).
    assert retried.status == 303 and retried.headers["Location"] == PATH + "?done=retry&sent=0"
    assert json.loads(await store.outbox_first())["conversation_id"] == "c_one"
    again = await client.post(PATH, data={"csrf": csrf, "action": "retry", "id": first})
    assert again.status == 404 and "already dealt with" in await again.text()

    confirm = await client.post(PATH, data={"csrf": csrf, "action": "confirm", "id": second})
    text = await confirm.text()
    assert confirm.status == 200 and "cannot be undone" in text and "Delete now" in text
    assert await store.set_aside_count() == 1  # asking is not deleting
    deleted = await client.post(PATH, data={"csrf": csrf, "action": "delete", "id": second})
    assert deleted.status == 200 and "The message is deleted." in await deleted.text()
    assert await store.set_aside_count() == 0 and await store.outbox_length() == 1

    trail = [(e["who"], e["role"], e["action"], e["conversation_id"]) for e in await audit_entries(store)]
    assert trail == [("olu", "supervisor", "retry_message", "c_one"), ("olu", "supervisor", "delete_message", "c_two")]
    # Why, without what the case system quoted (it may quote the resident's words).
    assert [e["detail"] for e in await audit_entries(store)][0] == "the case system refused it (400)"
    await store.redis.close()


async def test_after_the_case_system_is_put_right_a_supervisor_retries_them_all_at_once(aiohttp_client, redis_server):
    app, store, client = await setup(aiohttp_client, redis_server)
    csrf = await signed_in(client, "olu")
    page = await (await client.get(PATH)).text()
    assert "Retry all 2" in page
    forged = await client.post(PATH, data={"csrf": "wrong", "action": "retry_all"})
    assert forged.status == 403 and await store.set_aside_count() == 2
    done = await client.post(PATH, data={"csrf": csrf, "action": "retry_all"})
    assert done.status == 200 and "The case system took none yet. Any it did not take wait" in await done.text()
    assert await store.set_aside_count() == 0 and await store.outbox_length() == 2
    assert [e["action"] for e in await audit_entries(store)] == ["retry_message", "retry_message"]
    await store.redis.close()


async def test_the_page_says_so_when_nothing_is_set_aside(aiohttp_client, redis_server):
    app, store, _ = await app_and_store(redis_server)
    await auth.add_user(store, "olu", "Olu Ade", PASSWORD, {"supervisor"}, 3)
    client = await aiohttp_client(app)
    await signed_in(client, "olu")
    page = await (await client.get(PATH)).text()
    assert "No messages are set aside" in page
    await store.redis.close()
