import json
from pathlib import Path

import jsonschema
import pytest

from contracts import open311_xml
from service_requests.app import create_standalone_app
from service_requests.settings import Settings
from tests.service_requests.swagger import swagger_conforms

API_KEY = "chat-key-0123456789"
STAFF_KEY = "staff-key-0123456789"
SCHEMAS = Path(__file__).resolve().parents[2] / "contracts" / "open311"
BASE = "/open311/v2"


@pytest.fixture
def settings(tmp_path):
    return Settings.from_env(
        {"OPEN311_API_KEYS": API_KEY, "OPEN311_STAFF_KEYS": STAFF_KEY, "OPEN311_DB": str(tmp_path / "cases.sqlite3")}
    )


@pytest.fixture
async def api(aiohttp_client, settings):
    return await aiohttp_client(create_standalone_app(settings))


def conforms(kind: str, body) -> None:
    """Open311 conformance: every response is checked against our GeoReport v2 schema and
    against the community's Swagger description (contracts/open311/vendor/)."""
    schema = json.loads((SCHEMAS / f"{kind}.schema.json").read_text())
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER).validate(
        body
    )
    swagger_conforms(kind, body)


async def xml_body(response, kind: str):
    """An XML answer read the way a GeoReport v2 client reads it, checked like a JSON one.

    The document is parsed with defusedxml into its JSON shape (``contracts.open311_xml``),
    so the same schemas check that every element is where the standard puts it.
    """
    assert response.content_type == "text/xml", response.content_type
    text = await response.read()
    assert text.startswith(b"<?xml version='1.0' encoding='utf-8'?>"), text[:60]
    body = open311_xml.parse(text)
    conforms(kind, body)
    return body


def pothole(**overrides):
    form = {
        "api_key": API_KEY,
        "service_code": "pothole",
        "description": "Deep hole by the bus stop",
        "address_string": "Station Road, outside number 12",
        "zipcode": "nb4 2qt",
        "attribute[surface]": "road",
        "attribute[size]": "large",
    }
    form.update(overrides)
    return {k: v for k, v in form.items() if v is not None}


def contact_message(**overrides):
    """A message left in the web chat out of hours: a service that needs no location."""
    form = {
        "api_key": API_KEY,
        "service_code": "contact_centre_message",
        "description": "Please call me about my council tax bill",
        "attribute[call_back]": "yes",
        "attribute[conversation_id]": "conv-20261123-0042",
    }
    form.update(overrides)
    return {k: v for k, v in form.items() if v is not None}


async def post(api, path, form):
    response = await api.post(BASE + path, data=form)
    return response.status, await response.json()
