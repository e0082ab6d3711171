"""Advisors' case lookups (live_handoff/case_api.py) against the real Open311 service."""

from __future__ import annotations

import aiohttp
import pytest

from live_handoff.case_api import CaseApiError, CaseDesk
from live_handoff.cases import CaseClient
from service_requests.app import create_standalone_app
from service_requests.settings import Settings as Open311Settings

API_KEY = "chat-key-0123456789"
STAFF_KEY = "staff-key-0123456789"
TEXT = "My account 1234567890 is wrong, please ring me on 01632 960123"


@pytest.fixture
async def open311(aiohttp_server, tmp_path):
    settings = Open311Settings.from_env(
        {"OPEN311_API_KEYS": API_KEY, "OPEN311_STAFF_KEYS": STAFF_KEY, "OPEN311_DB": str(tmp_path / "cases.sqlite3")}
    )
    server = await aiohttp_server(create_standalone_app(settings))
    return str(server.make_url("/open311/v2/"))


async def test_advisors_read_a_message_left_for_the_contact_centre_in_full_with_the_staff_key(open311):
    async with aiohttp.ClientSession() as session:
        reference = await CaseClient(session, open311, API_KEY).create(
            {"text": TEXT, "conversation_id": "c_abcdef123456", "phone": "01632 960123"}
        )
        case = await CaseDesk(session, open311, API_KEY, STAFF_KEY).get(reference)
    assert case["service_request_id"] == reference
    assert case["service_name"] == "Message for the contact centre"
    assert case["description"] == TEXT


async def test_without_a_staff_key_advisors_see_only_what_anyone_can(open311):
    async with aiohttp.ClientSession() as session:
        reference = await CaseClient(session, open311, API_KEY).create(
            {"text": TEXT, "conversation_id": "c_abcdef123456"}
        )
        desk = CaseDesk(session, open311, API_KEY, "")
        with pytest.raises(CaseApiError) as error:
            await desk.get(reference)
    assert (error.value.status, error.value.code) == (404, "unknown_case")
