"""Browser tests: Python Playwright driving Debian's Chromium against a real front door
(its own process), the real Rasa server, action server, Open311 service and Redis."""

from __future__ import annotations

import json
import subprocess
import time
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from bot.processes import ROOT
from front_door.processes import PYTHON, FrontDoor
from tests.passwords import STAFF_PASSWORD
from tests.waiting import until_sync

SCREENSHOTS = ROOT / "tests" / "e2e" / "screenshots"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
PASSWORD = STAFF_PASSWORD
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


# The session front door's Redis and key prefix, for ``bot_turns_finished``.
RELAY: dict[str, str] = {}


def bot_turns_finished(timeout: float = 30.0) -> None:
    """Until no resident's message waits for the bot. The relay logs a turn's messages one
    after another and marks the message answered last of all, so a page that has shown the
    turn's first message may not have the rest yet; once this returns they are all logged."""
    import redis

    from live_handoff.store import Store

    client = redis.Redis.from_url(RELAY["url"], decode_responses=True)
    try:
        index = Store(client, RELAY["prefix"]).turns_index  # type: ignore[arg-type]
        until_sync(lambda: client.zcard(index) == 0, "the bot's turn is logged whole", timeout=timeout)
    finally:
        client.close()


def advisor_available(username: str, timeout: float = 20.0) -> None:
    """Until the relay has recorded the console's "available": what a handoff reads to
    decide whether anyone can come. The page says so as soon as it is chosen."""
    import redis

    from live_handoff.store import Store

    client = redis.Redis.from_url(RELAY["url"], decode_responses=True)
    try:
        store = Store(client, RELAY["prefix"])  # type: ignore[arg-type]

        def available() -> bool:
            online = client.zcount(store.key("online", username), int(time.time() * 1000), "+inf")
            return bool(online) and client.hget(store.key("advisor", username), "presence") == "available"

        until_sync(available, f"the relay has {username} online and available", timeout)
    finally:
        client.close()


def add_user(env: dict[str, str], username: str, name: str, roles=("advisor",)) -> None:
    command = [str(PYTHON), "-m", "live_handoff", "user", "add", username, "--name", name]
    for role in roles:
        command += ["--role", role]
    subprocess.run(
        command,
        input=PASSWORD + "\n",
        text=True,
        check=True,
        capture_output=True,
        env={**env, "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
    )


@pytest.fixture(scope="session")
def door_env(redis_server, servers) -> dict[str, str]:
    import os

    open311 = servers.open311
    return {
        **os.environ,
        "REDIS_URL": redis_server.url,
        "RASA_URL": servers.rasa_url,
        "RASA_TOKEN": servers.rasa_token,
        "RELAY_KEY_PREFIX": f"e{uuid.uuid4().hex[:8]}",
        "RELAY_OPENING_HOURS": "Mon-Sun 00:00-24:00",
        "RELAY_PRIVACY_NOTICE_URL": "https://www.northbridge.example/privacy/web-chat",
        "OPEN311_URL": open311.url,
        "OPEN311_API_KEY": open311.env["OPEN311_API_KEY"],
        "OPEN311_STAFF_KEY": open311.env["OPEN311_STAFF_KEYS"],
        "OPEN311_API_KEYS": "",
        "RELAY_MESSAGES_PER_MINUTE": "120",
        "RELAY_BURST": "20",
        # Editors edit the content the running action server answers from.
        "FRONT_DESK_CONTENT_DIR": str(servers.content_dir),
        "FRONT_DESK_MESSAGES_FILE": str(servers.content_dir.parent / "messages.yml"),
        "FRONT_DESK_AUDIT_FILE": str(servers.content_dir.parent / "audit.jsonl"),
    }


@pytest.fixture(scope="session")
def front_door(door_env, tmp_path_factory):
    from tests.front_door.conftest import build_widget

    build_widget()  # the widget bundle the front door serves (make widget)
    add_user(door_env, "sam", "Sam Patel")
    add_user(door_env, "priya", "Priya Shah")
    add_user(door_env, "eve", "Eve Jones", roles=("editor",))
    add_user(door_env, "mina", "Mina Okafor", roles=("manager",))
    add_user(door_env, "olu", "Olu Bello", roles=("supervisor",))
    door = FrontDoor(door_env, tmp_path_factory.mktemp("door") / "front-door.log").start()
    RELAY.update(url=door_env["REDIS_URL"], prefix=door_env["RELAY_KEY_PREFIX"])
    yield door
    door.stop()


@pytest.fixture(scope="module")
def browser():
    """Playwright's sync API runs its own event loop while open: closed after each module so
    the asyncio tests that follow get theirs."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _page(browser: Browser):
    # bypass_csp: axe-core is injected as a script; it also means the XSS checks test our
    # escaping, not the Content-Security-Policy behind it.
    context = browser.new_context(viewport={"width": 1280, "height": 800}, bypass_csp=True)
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.dialogs = dialogs  # type: ignore[attr-defined]
    return context, page


@pytest.fixture
def resident_page(browser: Browser, front_door):
    context, page = _page(browser)
    yield page
    context.close()


@pytest.fixture
def advisor_page(browser: Browser, front_door):
    context, page = _page(browser)
    yield page
    context.close()


def axe_violations(page: Page, include: str | None = None) -> list[dict]:
    """Serious and critical axe-core violations on the page (or inside ``include``)."""
    # Let entrance animations finish: mid-fade text would be measured at part opacity.
    page.wait_for_function("document.getAnimations().every(a => a.playState !== 'running')", timeout=15_000)
    page.add_script_tag(path=str(AXE))
    context = json.dumps({"include": [include]}) if include else "document"
    result = page.evaluate(f"async () => await axe.run({context}, {{resultTypes: ['violations']}})")
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def shoot(page: Page, name: str) -> Path:
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path
