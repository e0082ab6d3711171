"""The front door's pages: demo page, widget files, console, and the managers' report."""

from __future__ import annotations

import uuid

from front_door.app import build_app
from insight import events as ev
from insight.generate import generate
from live_handoff import auth
from live_handoff.settings import Settings
from live_handoff.store import Store, connect_redis
from tests.live_handoff.conftest import ALWAYS_OPEN, DEAD_RASA, PASSWORD


async def app_and_store(redis_server):
    settings = Settings(redis_url=redis_server.url, rasa_url=DEAD_RASA, key_prefix=f"p{uuid.uuid4().hex[:8]}",
                        opening_hours=ALWAYS_OPEN)
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
