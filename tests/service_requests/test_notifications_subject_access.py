"""A subject access export lists the status-change updates queued or sent to the person
(real Open311 service and SMTP server process; the relay's export page rendered from its answer)."""

import urllib.parse

import pytest

from live_handoff.privacy.finding import selector
from live_handoff.privacy.gather import Found
from live_handoff.privacy.render import document, html_page
from service_requests.app import create_standalone_app
from service_requests.settings import Settings
from tests.service_requests.conftest import BASE, STAFF_KEY
from tests.service_requests.test_notifications_smtp import (  # noqa: F401
    SECRET,
    catcher,
    change,
    env_for,
    report_with_email,
    wait_for_mail,
)

pytestmark = pytest.mark.servers


async def test_the_export_lists_each_update_sent_and_the_stop_without_the_address_or_stop_link(
    aiohttp_client,
    tmp_path,
    catcher,  # noqa: F811
):
    port, folder = catcher
    api = await aiohttp_client(create_standalone_app(Settings.from_env(env_for(tmp_path, port))))
    reference = await report_with_email(api)
    await change(api, reference, "INVESTIGATING")
    [mail] = await wait_for_mail(folder, 1)
    link = mail["List-Unsubscribe"].strip("<>")
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(link).query))
    assert (await api.post(f"{BASE}/notifications/unsubscribe", data=query)).status == 200
    await change(api, reference, "FIXED")  # stopped: not queued

    response = await api.get(f"{BASE}/privacy/requests.json", params={"api_key": STAFF_KEY, "email": "jo@example.com"})
    [case] = await response.json()
    sent, stopped = case["notifications"]
    assert {k: sent[k] for k in ("service_request_id", "channel", "from_status", "to_status", "state")} == {
        "service_request_id": reference,
        "channel": "email",
        "from_status": "OPEN",
        "to_status": "INVESTIGATING",
        "state": "sent",
    }
    assert sent["queued_datetime"] and sent["finished_datetime"] and sent["last_error"] is None
    assert stopped["state"] == "updates stopped by the resident" and stopped["queued_datetime"]
    assert query["token"] not in str(case["notifications"]) and "jo@example.com" not in str(case["notifications"])

    found = Found(selector("email", "jo@example.com"), cases={reference: case})
    doc = document(found, "dpo.jo", "SAR 7", "2026-12-06T05:00:00+00:00")
    assert doc["summary"]["status_updates_to_you"] == 2
    page = html_page(doc)
    assert "Updates we sent you about this case" in page and "OPEN to INVESTIGATING" in page
    assert "Email" in page and "updates stopped by the resident" in page and query["token"] not in page
