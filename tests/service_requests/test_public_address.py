"""Discovery gives the API's public address behind a TLS proxy, never a client's guess."""

import uuid
from ipaddress import ip_network

import pytest

from contracts import open311_xml
from front_door.app import build_app
from front_door.settings import Settings as DoorSettings
from live_handoff.settings import Settings as RelaySettings
from service_requests.app import create_standalone_app
from service_requests.public_address import api_base, check_public_url
from service_requests.settings import Settings, SettingsError
from tests.live_handoff.conftest import ALWAYS_OPEN, DEAD_RASA
from tests.service_requests.conftest import API_KEY, BASE, STAFF_KEY

PUBLIC = "https://chat.northbridge.example/council/open311/v2/"
PROXY_HEADERS = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}


def env(tmp_path, **more):
    return {"OPEN311_API_KEYS": API_KEY, "OPEN311_STAFF_KEYS": STAFF_KEY, "OPEN311_DB": str(tmp_path / "c.db"), **more}


async def discovered_urls(client, fmt="json", headers=None) -> list[str]:
    response = await client.get(f"{BASE}/discovery.{fmt}", headers=headers or {})
    assert response.status == 200
    body = open311_xml.parse(await response.read()) if fmt == "xml" else await response.json()
    return [endpoint["url"] for endpoint in body["endpoints"]]


def test_the_public_address_comes_from_the_setting_then_the_front_doors_then_the_request():
    assert api_base(PUBLIC, "https://door.example", "/open311/v2/", "http", "h:8080", "/open311/v2/") == PUBLIC
    via_door = api_base("", "https://door.example/", "/open311/v2/", "http", "h:8080", "/open311/v2/")
    assert via_door == "https://door.example/open311/v2/"
    assert api_base("", "", "/open311/v2/", "https", "h:8080", "/open311/v2/") == "https://h:8080/open311/v2/"


@pytest.mark.parametrize(
    "bad", ["chat.example/open311/v2/", "ftp://chat.example/", "https://", "https://x.example/?a=1"]
)
def test_a_public_address_that_is_not_one_stops_the_start_naming_the_variable(tmp_path, bad):
    with pytest.raises(SettingsError, match="OPEN311_PUBLIC_URL must be an http:// or https:// address"):
        Settings.from_env(env(tmp_path, OPEN311_PUBLIC_URL=bad))
    assert check_public_url("X", " https://a.example/v2 ") == "https://a.example/v2/"


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_discovery_gives_the_configured_public_address_in_both_formats(aiohttp_client, tmp_path, fmt):
    client = await aiohttp_client(create_standalone_app(Settings.from_env(env(tmp_path, OPEN311_PUBLIC_URL=PUBLIC))))
    assert await discovered_urls(client, fmt) == [PUBLIC, PUBLIC]


async def test_the_standalone_service_believes_no_forwarded_scheme(aiohttp_client, tmp_path):
    client = await aiohttp_client(create_standalone_app(Settings.from_env(env(tmp_path))))
    urls = await discovered_urls(client, headers=PROXY_HEADERS)
    assert urls[0].startswith("http://127.0.0.1:") and urls[0].endswith("/open311/v2/")


@pytest.mark.parametrize("trusted, scheme", [("127.0.0.1", "https"), ("", "http"), ("10.0.0.0/8", "http")])
async def test_the_front_door_believes_the_forwarded_scheme_from_its_trusted_proxies_only(
    aiohttp_client, redis_server, tmp_path, monkeypatch, trusted, scheme
):
    for name, value in env(tmp_path).items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("OPEN311_PUBLIC_URL", raising=False)
    monkeypatch.delenv("NOTIFY_PUBLIC_URL", raising=False)
    relay = RelaySettings(
        redis_url=redis_server.url,
        rasa_url=DEAD_RASA,
        key_prefix=f"p{uuid.uuid4().hex[:8]}",
        opening_hours=ALWAYS_OPEN,
        trusted_proxies=tuple(ip_network(t) for t in trusted.split(",") if t),
    )
    client = await aiohttp_client(build_app(relay, DoorSettings(open311=True)))
    for fmt in ("json", "xml"):
        urls = await discovered_urls(client, fmt, headers=PROXY_HEADERS)
        assert urls[0].startswith(f"{scheme}://127.0.0.1:") and urls[0].endswith("/open311/v2/"), urls
