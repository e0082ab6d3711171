"""The Open311 service's counters, read on the front door's /metrics under the relay's access rule."""

import uuid

from aiohttp import web
from prometheus_client import generate_latest

from front_door.app import build_app
from front_door.settings import Settings as DoorSettings
from live_handoff.settings import Settings as RelaySettings
from service_requests.app import MOUNT, create_app
from service_requests.metrics import metrics_of
from tests.live_handoff.conftest import ALWAYS_OPEN, DEAD_RASA
from tests.service_requests.conftest import API_KEY, BASE, STAFF_KEY, pothole
from tests.service_requests.test_fixmystreet_extras import fixmystreet_form, too_many_attributes

TOKEN = "metrics-token-0123456789"


def figures(text: str) -> dict[str, float]:
    """The exposition's samples as {'name{labels}': value}."""
    found = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            found[name] = float(value)
    return found


async def test_requests_cases_and_refusals_are_counted_by_endpoint_format_status_and_reason(aiohttp_client, settings):
    open311 = create_app(settings)
    root = web.Application()
    root.add_subapp(MOUNT, open311)
    api = await aiohttp_client(root)
    assert (await api.post(f"{BASE}/requests.xml", data=fixmystreet_form())).status == 201
    assert (await api.post(f"{BASE}/requests.json", data=pothole())).status == 201
    assert (await api.post(f"{BASE}/requests.json", data=fixmystreet_form(extras=too_many_attributes()))).status == 400
    assert (await api.post(f"{BASE}/requests.xml", data=pothole(api_key="wrong-key-0000000000"))).status == 403
    assert (await api.get(f"{BASE}/requests/NB-2026-999999.json")).status == 404
    assert (await api.post(f"{BASE}/requests.json", json={"a": 1})).status == 400
    got = figures(generate_latest(metrics_of(open311).registry).decode())
    requests = 'open311_requests_total{endpoint="/open311/v2/requests.{format}",format="%s",status="%s"}'
    assert got[requests % ("xml", "201")] == 1 and got[requests % ("json", "201")] == 1
    assert got[requests % ("json", "400")] == 2 and got[requests % ("xml", "403")] == 1
    one = 'open311_requests_total{endpoint="/open311/v2/requests/{id}.{format}",format="json",status="404"}'
    assert got[one] == 1
    assert got['open311_cases_created_total{service_code="pothole"}'] == 2
    for reason in ("extra_attributes", "forbidden", "not_found", "not_a_form"):
        assert got[f'open311_refusals_total{{reason="{reason}"}}'] == 1, reason


async def test_the_front_doors_metrics_show_the_open311_counters_only_with_the_relays_token(
    aiohttp_client, redis_server, tmp_path, monkeypatch
):
    monkeypatch.setenv("OPEN311_API_KEYS", API_KEY)
    monkeypatch.setenv("OPEN311_STAFF_KEYS", STAFF_KEY)
    monkeypatch.setenv("OPEN311_DB", str(tmp_path / "cases.sqlite3"))
    relay = RelaySettings(
        redis_url=redis_server.url,
        rasa_url=DEAD_RASA,
        key_prefix=f"p{uuid.uuid4().hex[:8]}",
        opening_hours=ALWAYS_OPEN,
        metrics_token=TOKEN,
    )
    client = await aiohttp_client(build_app(relay, DoorSettings(open311=True)))
    assert (await client.post(f"{BASE}/requests.json", data=pothole())).status == 201
    assert (await client.get("/metrics")).status == 401
    assert (await client.get("/metrics", headers={"Authorization": "Bearer wrong-token-0123456789"})).status == 401
    response = await client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status == 200
    got = figures(await response.text())
    assert got['open311_cases_created_total{service_code="pothole"}'] == 1
    assert "frontdesk_queue_length" in got  # the relay's own, beside them
