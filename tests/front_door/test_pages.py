"""The front door's pages: demo page, widget files, console, and the managers' report."""

from __future__ import annotations

import json
import uuid
from urllib.parse import parse_qs, urlsplit

from front_door.app import build_app
from insight import events as ev
from insight.generate import generate
from live_handoff import auth
from live_handoff.settings import Settings
from live_handoff.store import Store, connect_redis, now_ms
from tests.live_handoff.conftest import ALWAYS_OPEN, DEAD_RASA, PASSWORD


async def app_and_store(redis_server):
    settings = Settings(
        redis_url=redis_server.url, rasa_url=DEAD_RASA, key_prefix=f"p{uuid.uuid4().hex[:8]}", opening_hours=ALWAYS_OPEN
    )
    redis = connect_redis(settings.redis_url)
    return build_app(settings), Store(redis, settings.key_prefix), settings


async def test_the_demo_page_widget_and_console_are_served_with_a_strict_policy(aiohttp_client, redis_server):
    app, store, _ = await app_and_store(redis_server)
    client = await aiohttp_client(app)
    page = await client.get("/")
    assert page.status == 200 and "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert "/widget/widget.js" in await page.text()
    script = await client.get("/widget/widget.js")
    assert script.status == 200 and script.headers["Access-Control-Allow-Origin"] == "*"
    console = await client.get("/console/")
    assert console.status == 200 and "frame-ancestors 'none'" in console.headers["Content-Security-Policy"]
    await store.redis.close()


async def test_the_managers_report_is_for_managers_only(aiohttp_client, redis_server):
    app, store, settings = await app_and_store(redis_server)
    ev.write_redis(generate(month="2026-10", seed=3, conversations=150), settings.redis_url, settings.key_prefix)
    await auth.add_user(store, "mina", "Mina Okafor", PASSWORD, {"advisor", "manager"}, 3)
    await auth.add_user(store, "sam", "Sam Patel", PASSWORD, {"advisor"}, 3)
    client = await aiohttp_client(app)
    assert (await client.get("/manager/", allow_redirects=False)).status == 302
    await client.post("/api/advisor/login", json={"username": "sam", "password": PASSWORD})
    assert (await client.get("/manager/?month=2026-10")).status == 403
    await client.post("/api/advisor/login", json={"username": "mina", "password": PASSWORD})
    page = await client.get("/manager/?month=2026-10")
    html = await page.text()
    assert page.status == 200 and "Council insight: October 2026" in html and "/reports/report.css" in html
    assert (await client.get("/manager/?month=October")).status == 400
    assert (await client.get("/reports/report.css")).status == 200
    await store.redis.close()


async def test_the_staff_sign_in_page_is_served_and_sends_a_signed_in_person_where_they_asked(
    aiohttp_client, redis_server
):
    app, store, _ = await app_and_store(redis_server)
    await auth.add_user(store, "eve", "Eve Jones", PASSWORD, {"editor"}, 3)
    client = await aiohttp_client(app)
    page = await client.get("/staff/?next=/editor/")
    assert page.status == 200 and "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert '<script type="module" src="/staff/staff.js">' in await page.text()
    assert (await client.get("/shared/markdown.js")).status == 200
    await client.post("/api/advisor/login", json={"username": "eve", "password": PASSWORD})
    back = await client.get("/staff/?next=/editor/%23/articles/council-tax-pay", allow_redirects=False)
    assert back.status == 302 and back.headers["Location"] == "/editor/#/articles/council-tax-pay"
    # Not one of her pages: she stays on /staff/ and sees her own.
    assert (await client.get("/staff/?next=/console/", allow_redirects=False)).status == 200
    data = await (await client.get("/api/staff/pages?next=/console/")).json()
    assert [p["path"] for p in data["pages"]] == ["/editor/"] and data["next"] is None and data["next_refused"]
    await store.redis.close()


async def test_the_staff_page_never_sends_anyone_to_another_site(aiohttp_client, redis_server):
    app, store, _ = await app_and_store(redis_server)
    await auth.add_user(store, "mina", "Mina Okafor", PASSWORD, {"advisor", "manager"}, 3)
    client = await aiohttp_client(app)
    await client.post("/api/advisor/login", json={"username": "mina", "password": PASSWORD})
    for outside in (
        "https://evil.example/",
        "//evil.example/console/",
        "/\\evil.example",
        "https:/console/",
        "/console/@evil.example",
        "/manager/?month=2026-10&next=https://evil.example",
        "javascript:alert(1)",
    ):
        response = await client.get("/staff/", params={"next": outside}, allow_redirects=False)
        assert response.status == 200, outside
        data = await (await client.get("/api/staff/pages", params={"next": outside})).json()
        assert data["next"] is None, outside
    inside = await client.get("/staff/", params={"next": "/manager/?month=2026-10"}, allow_redirects=False)
    assert inside.status == 302 and inside.headers["Location"] == "/manager/?month=2026-10"
    await store.redis.close()


async def test_each_role_gets_its_pages_linked_and_a_supervisor_gets_the_console_and_report(
    aiohttp_client, redis_server
):
    app, store, _ = await app_and_store(redis_server)
    for name, roles in {"sam": {"advisor"}, "eve": {"editor"}, "mina": {"manager"}, "olu": {"supervisor"}}.items():
        await auth.add_user(store, name, name.title(), PASSWORD, roles, 3)
    client = await aiohttp_client(app)
    assert (await client.get("/api/staff/pages")).status == 401
    expected = {
        "sam": ["/console/"],
        "eve": ["/editor/"],
        "mina": ["/manager/", "/manager/set-aside/"],
        "olu": ["/console/", "/manager/", "/manager/set-aside/"],
    }
    for name, paths in expected.items():
        await client.post("/api/advisor/login", json={"username": name, "password": PASSWORD})
        data = await (await client.get("/api/staff/pages")).json()
        assert [p["path"] for p in data["pages"]] == paths, name
    assert (await client.get("/manager/?month=2026-10")).status == 200  # olu, the supervisor
    await store.redis.close()


async def test_the_managers_page_sends_people_to_staff_sign_in_and_has_a_month_picker_and_empty_state(
    aiohttp_client, redis_server
):
    app, store, _ = await app_and_store(redis_server)
    await auth.add_user(store, "mina", "Mina Okafor", PASSWORD, {"manager"}, 3)
    client = await aiohttp_client(app)
    away = await client.get("/manager/?month=2026-11", allow_redirects=False)
    location = urlsplit(away.headers["Location"])
    assert away.status == 302 and location.path == "/staff/"
    assert parse_qs(location.query) == {"next": ["/manager/?month=2026-11"]}
    await client.post("/api/advisor/login", json={"username": "mina", "password": PASSWORD})
    html = await (await client.get("/manager/?month=2025-11")).text()
    assert '<input type="month" id="month" name="month" value="2025-11"' in html
    assert "There were no conversations in November 2025." in html and 'href="/staff/"' in html
    bad = await client.get("/manager/?month=November")
    assert bad.status == 400 and "That is not a month" in await bad.text()
    await store.redis.close()


def test_empty_months_say_yet_only_while_the_month_runs():
    from front_door.manager import empty_text

    assert empty_text("2026-11", "2026-11") == "No conversations in November 2026 yet."
    assert empty_text("2026-10", "2026-11") == "There were no conversations in October 2026."
    assert empty_text("2026-12", "2026-11").startswith("December 2026 has not started yet")


async def test_labels_for_report_buttons_and_topics_come_from_the_api(aiohttp_client, redis_server):
    app, store, _ = await app_and_store(redis_server)
    client = await aiohttp_client(app)
    labels = await (await client.get("/api/labels")).json()
    assert ["pothole", "Report a pothole"] in labels["reports"]
    assert labels["topics"]["bins-recycling"] == "Bins and recycling"
    await store.redis.close()


def test_next_keeps_only_the_editors_hash_routes_and_a_month():
    from front_door.staff import safe_next

    assert safe_next("/editor/#/articles/x") == "/editor/#/articles/x"
    assert safe_next("/editor/#javascript:alert(1)") is None
    assert safe_next("/manager/?month=2026-1") is None


async def test_the_managers_page_says_at_the_top_how_many_messages_were_set_aside_without_showing_them(
    aiohttp_client, redis_server
):
    app, store, _ = await app_and_store(redis_server)
    await auth.add_user(store, "mina", "Mina Okafor", PASSWORD, {"manager"}, 3)
    client = await aiohttp_client(app)
    await client.post("/api/advisor/login", json={"username": "mina", "password": PASSWORD})
    assert "could not be delivered" not in await (await client.get("/manager/?month=2025-11")).text()
    for n in (1, 2):
        message = {"key": f"c_x:m{n}", "left_at": now_ms(), "text": "Call Jo Bloggs on 01632 960123", "name": "Jo"}
        await store.outbox_reject(json.dumps(message), "Open311 refused it (400)")
    html = await (await client.get("/manager/?month=2025-11")).text()
    top = html.index("set-aside-notice")
    assert top < html.index("There were no conversations")
    assert "2 messages from residents could not be delivered to the case system" in html
    assert "Jo" not in html.replace("Okafor", "") and "01632 960123" not in html and "Open311 refused" not in html
    await store.redis.close()


def test_the_set_aside_notice_says_what_to_do_and_is_absent_when_nothing_is_set_aside():
    from front_door.manager import set_aside_notice

    assert set_aside_notice(0, 90) == ""
    one = set_aside_notice(1, 90)
    assert "1 message from residents could not be delivered" in one and "was refused" in one
    assert "What a supervisor should do" in one and "deleted 90 days after they were left" in one
