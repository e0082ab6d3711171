"""The chat's Open311 client speaks JSON or XML (``OPEN311_FORMAT``), against the built-in service."""

import datetime as dt

import pytest
from aiohttp import web

from actions.clients.open311 import Open311Client, Open311RejectedError, Open311Settings, Open311UnavailableError
from actions.settings import SettingsError
from service_requests.app import create_standalone_app
from service_requests.settings import Settings

KEY = "chat-key-0123456789"
REPORT = {
    "service_code": "pothole",
    "description": "Deep hole & a crack <10cm>",
    "zipcode": "NB4 2QT",
    "attribute[surface]": "road",
    "attribute[size]": "large",
}
# Billion laughs: a few hundred bytes that expand to gigabytes in a naive parser.
BOMB = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    b"<service_definition><service_code>&lol3;</service_code></service_definition>"
)


@pytest.fixture
async def service(aiohttp_server, tmp_path):
    settings = Settings.from_env(
        {"OPEN311_API_KEYS": KEY, "OPEN311_STAFF_KEYS": "staff-key-0123456789", "OPEN311_DB": str(tmp_path / "c.db")}
    )
    return await aiohttp_server(create_standalone_app(settings))


def client(server, fmt, path="/open311/v2/"):
    return Open311Client(Open311Settings(str(server.make_url(path)), KEY, 5.0, response_format=fmt))


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_the_client_reads_definitions_submits_and_reads_cases_back_in_either_format(service, fmt):
    open311 = client(service, fmt)
    definition = await open311.service_definition("pothole")
    assert definition == await client(service, "json").service_definition("pothole")
    assert definition["attributes"][0]["required"] is True and definition["attributes"][0]["order"] == 1

    created = await open311.submit(REPORT, key=f"chat-{fmt}-0123456789")
    reference = created["service_request_id"]
    assert reference.startswith("NB-") and created["service_notice"]
    again = await open311.submit(REPORT, key=f"chat-{fmt}-0123456789")
    assert again["service_request_id"] == reference  # the resend key works in XML too

    found = await open311.get_request(reference)
    assert found == await client(service, "json").get_request(reference)
    assert found["status"] == "open" and found["attributes"] == {"size": "large", "surface": "road"}
    assert await open311.get_request("NB-2026-999999") is None

    recent = await open311.recent("pothole", "NB4 2QT", 7, dt.datetime.now(dt.timezone.utc))
    assert [r["service_request_id"] for r in recent] == [reference]


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_a_refusal_in_either_format_carries_the_services_description(service, fmt):
    with pytest.raises(Open311RejectedError) as info:
        await client(service, fmt).submit({**REPORT, "zipcode": "nowhere"})
    assert info.value.status == 400 and info.value.description == "zipcode 'nowhere' is not a valid UK postcode"


async def test_an_xml_bomb_from_a_council_endpoint_is_refused_as_unavailable(aiohttp_server):
    async def bomb(request):
        return web.Response(body=BOMB, content_type="text/xml")

    app = web.Application()
    app.router.add_get("/services/pothole.xml", bomb)
    server = await aiohttp_server(app)
    with pytest.raises(Open311UnavailableError, match="not XML"):
        await client(server, "xml", "/").service_definition("pothole")


def test_open311_format_is_json_or_xml_and_anything_else_fails_naming_the_variable():
    assert Open311Settings.from_env({}).response_format == "json"
    assert Open311Settings.from_env({"OPEN311_FORMAT": "xml"}).response_format == "xml"
    with pytest.raises(SettingsError, match="OPEN311_FORMAT: 'XML' must be one of: json, xml"):
        Open311Settings.from_env({"OPEN311_FORMAT": "XML"})
