"""The relay's Open311 clients (messages left, advisors' case desk) speak JSON or XML."""

from __future__ import annotations

import aiohttp
import pytest

from live_handoff.case_api import CaseApiError, CaseDesk
from live_handoff.cases import CaseClient, CaseRejectedError
from live_handoff.settings import Settings, SettingsError
from service_requests.app import create_standalone_app
from service_requests.settings import Settings as Open311Settings

API_KEY = "chat-key-0123456789"
STAFF_KEY = "staff-key-0123456789"
TEXT = "Please ring me about my bin collection & the new calendar (2 > 1)"


@pytest.fixture
async def open311(aiohttp_server, tmp_path):
    settings = Open311Settings.from_env(
        {"OPEN311_API_KEYS": API_KEY, "OPEN311_STAFF_KEYS": STAFF_KEY, "OPEN311_DB": str(tmp_path / "cases.sqlite3")}
    )
    server = await aiohttp_server(create_standalone_app(settings))
    return str(server.make_url("/open311/v2/"))


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_a_message_left_becomes_a_case_advisors_read_and_update_in_either_format(open311, fmt):
    async with aiohttp.ClientSession() as session:
        cases = CaseClient(session, open311, API_KEY, response_format=fmt)
        reference = await cases.create({"text": TEXT, "conversation_id": "c_abcdef123456", "phone": "01632 960123"})
        desk = CaseDesk(session, open311, API_KEY, STAFF_KEY, fmt)
        case = await desk.get(reference)
        assert (case["service_request_id"], case["description"]) == (reference, TEXT)
        updated = await desk.update(reference, "CLOSED", "Rang back", "Sam Patel")
        assert (updated["status"], updated["status_notes"]) == ("closed", "Rang back")
        with pytest.raises(CaseApiError) as info:
            await desk.get("NB-2026-999999")
        assert info.value.status == 404


async def test_a_refusal_in_xml_names_the_services_reason(open311):
    async with aiohttp.ClientSession() as session:
        with pytest.raises(CaseRejectedError, match="conversation_id"):
            await CaseClient(session, open311, API_KEY, response_format="xml").create(
                {"text": "Hello", "conversation_id": "x" * 300}
            )


def test_the_relays_open311_format_is_json_or_xml_and_anything_else_fails_naming_the_variable():
    assert Settings.from_env({}).open311_format == "json"
    assert Settings.from_env({"OPEN311_FORMAT": "xml"}).open311_format == "xml"
    with pytest.raises(SettingsError, match="OPEN311_FORMAT: 'soap' must be one of: json, xml"):
        Settings.from_env({"OPEN311_FORMAT": "soap"})
