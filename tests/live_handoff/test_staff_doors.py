"""Staff doors on a real relay and Redis: /metrics only with its token or on its own
listener, session cookies Secure behind a trusted HTTPS proxy, weak passwords refused."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace

import aiohttp

from bot.processes import ROOT
from front_door.processes import free_port
from live_handoff.proxies import parse_trusted
from tests.live_handoff.conftest import PASSWORD, add_advisor

TOKEN = "metrics-token-for-tests-0123456789"


async def test_metrics_on_the_residents_port_answer_404_when_nothing_protects_them(settings, make_client):
    client = await make_client(settings)
    response = await client.get("/metrics")
    assert response.status == 404
    assert (await response.json())["error"]["code"] == "not_found"


async def test_metrics_with_a_token_are_refused_without_it_and_served_with_it(settings, make_client):
    client = await make_client(replace(settings, metrics_token=TOKEN))
    refused = await client.get("/metrics")
    assert refused.status == 401 and refused.headers["WWW-Authenticate"].startswith("Bearer")
    assert (await refused.json())["error"]["code"] == "unauthorised"
    wrong = await client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN[:-1]}x"})
    assert wrong.status == 401
    served = await client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert served.status == 200 and "frontdesk_queue_length" in await served.text()


async def test_metrics_on_their_own_address_are_served_there_and_not_on_the_residents_port(settings, make_client):
    port = free_port()
    client = await make_client(replace(settings, metrics_address=("127.0.0.1", port), metrics_token=TOKEN))
    assert (await client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})).status == 404
    async with aiohttp.ClientSession() as http:
        async with http.get(f"http://127.0.0.1:{port}/metrics") as refused:
            assert refused.status == 401
        async with http.get(f"http://127.0.0.1:{port}/metrics", headers={"Authorization": f"Bearer {TOKEN}"}) as ok:
            assert ok.status == 200 and "frontdesk_advisors_available" in await ok.text()
        async with http.get(f"http://127.0.0.1:{port}/ws/resident") as other:
            assert other.status == 404  # only /metrics lives there


async def test_metrics_address_without_a_token_serves_anyone_who_can_reach_it(settings, make_client):
    port = free_port()
    await make_client(replace(settings, metrics_address=("127.0.0.1", port)))
    async with aiohttp.ClientSession() as http, http.get(f"http://127.0.0.1:{port}/metrics") as response:
        assert response.status == 200 and "frontdesk_queue_length" in await response.text()


def session_cookie(response) -> str:
    cookies = [c for c in response.headers.getall("Set-Cookie", []) if c.startswith("fd_session=")]
    assert len(cookies) == 1, response.headers
    return cookies[0]


async def log_in(client, **headers) -> str:
    response = await client.post("/api/advisor/login", json={"username": "sam", "password": PASSWORD}, headers=headers)
    assert response.status == 200, await response.text()
    return session_cookie(response)


async def test_the_session_cookie_is_secure_when_a_trusted_proxy_says_https(settings, store, make_client):
    await add_advisor(store)
    client = await make_client(replace(settings, trusted_proxies=parse_trusted("127.0.0.1")))
    cookie = await log_in(client, **{"X-Forwarded-Proto": "https"})
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert "Secure" not in await log_in(client, **{"X-Forwarded-Proto": "http"})


async def test_the_session_cookie_ignores_https_claimed_by_an_untrusted_peer(settings, store, make_client):
    await add_advisor(store)
    client = await make_client(replace(settings, trusted_proxies=parse_trusted("10.0.0.0/8")))
    assert "Secure" not in await log_in(client, **{"X-Forwarded-Proto": "https"})


async def test_secure_cookies_setting_still_makes_every_session_cookie_secure(settings, store, make_client):
    await add_advisor(store)
    client = await make_client(replace(settings, secure_cookies=True))
    assert "Secure" in await log_in(client)


async def test_failed_logins_count_against_the_address_a_trusted_proxy_forwarded(settings, store, make_client):
    await add_advisor(store)
    client = await make_client(replace(settings, trusted_proxies=parse_trusted("127.0.0.1")))
    wrong = {"username": "sam", "password": "wrong password!"}
    forwarded = {"X-Forwarded-For": "198.51.100.1, 203.0.113.5"}
    assert (await client.post("/api/advisor/login", json=wrong, headers=forwarded)).status == 401
    assert await store.failed_logins("@203.0.113.5") == 1
    assert await store.failed_logins("@198.51.100.1") == 0 and await store.failed_logins("@127.0.0.1") == 0


async def test_failed_logins_from_an_untrusted_peer_count_against_the_peer(settings, store, make_client):
    await add_advisor(store)
    client = await make_client(settings)
    wrong = {"username": "sam", "password": "wrong password!"}
    await client.post("/api/advisor/login", json=wrong, headers={"X-Forwarded-For": "203.0.113.5"})
    assert await store.failed_logins("@127.0.0.1") == 1 and await store.failed_logins("@203.0.113.5") == 0


def user_command(settings, *args: str, password: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "live_handoff", "user", *args],
        input=password + "\n",
        text=True,
        capture_output=True,
        env={
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "REDIS_URL": settings.redis_url,
            "RELAY_KEY_PREFIX": settings.key_prefix,
        },
        cwd=ROOT,
        timeout=60,
    )


async def test_user_add_refuses_weak_passwords_saying_why_and_accepts_a_passphrase(settings, store):
    for weak, why in [
        ("aaaaaaaaaaaa", "repeats"),
        ("password1234", "commonly used password"),
        ("priyapriyapriya", "username or name"),
        ("northbridge2026!", "council's name"),
        ("short", "shorter than 12"),
    ]:
        result = user_command(settings, "add", "priya", "--name", "Priya Shah", password=weak)
        assert result.returncode == 2, (weak, result.stdout, result.stderr)
        assert why in result.stderr and "passphrase" in result.stderr, (weak, result.stderr)
        assert await store.advisor("priya") is None
    result = user_command(settings, "add", "priya", "--name", "Priya Shah", password="tulip quarry mitten velvet")
    assert result.returncode == 0, result.stderr
    assert await store.advisor("priya")
    weak_change = user_command(settings, "passwd", "priya", password="PriyaShah2026!")
    assert weak_change.returncode == 2 and "username or name" in weak_change.stderr


async def test_a_generated_password_is_accepted_and_logs_in(settings, store, make_client):
    result = user_command(settings, "add", "kai", "--name", "Kai Morgan", "--generate-password")
    assert result.returncode == 0, result.stderr
    password = result.stdout.split("password: ", 1)[1].strip()
    client = await make_client(settings)
    response = await client.post("/api/advisor/login", json={"username": "kai", "password": password})
    assert response.status == 200


async def test_behind_a_trusted_https_proxy_the_relays_own_https_origin_may_log_in(settings, store, make_client):
    await add_advisor(store)
    body = {"username": "sam", "password": PASSWORD}
    trusting = await make_client(replace(settings, trusted_proxies=parse_trusted("127.0.0.1")))
    origin = f"https://{trusting.host}:{trusting.port}"
    headers = {"Origin": origin, "X-Forwarded-Proto": "https"}
    assert (await trusting.post("/api/advisor/login", json=body, headers=headers)).status == 200
    wary = await make_client(settings)
    origin = f"https://{wary.host}:{wary.port}"
    headers = {"Origin": origin, "X-Forwarded-Proto": "https"}
    assert (await wary.post("/api/advisor/login", json=body, headers=headers)).status == 403
