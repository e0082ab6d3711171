"""GOV.UK Notify: the requests its official client sends, captured by a local server standing in for Notify's API."""

import asyncio
import time
import uuid

import jwt
from aiohttp import web

from service_requests.app import create_standalone_app
from service_requests.settings import Settings
from tests.service_requests.conftest import API_KEY, BASE, STAFF_KEY, post, pothole
from tests.waiting import until

SERVICE_ID = str(uuid.UUID(int=0x1234))
SECRET_KEY = str(uuid.UUID(int=0x5678))
EMAIL_TEMPLATE = str(uuid.UUID(int=0xE))
SMS_TEMPLATE = str(uuid.UUID(int=0x5))


async def notify_stand_in(aiohttp_server, answer=201):
    """A server answering like Notify's API, keeping every request it gets."""
    captured = []

    async def receive(request):
        captured.append({"path": request.path, "headers": dict(request.headers), "json": await request.json()})
        if answer != 201:
            return web.json_response({"status_code": answer, "errors": [{"error": "BadRequestError"}]}, status=answer)
        return web.json_response({"id": str(uuid.uuid4()), "reference": None, "content": {}}, status=201)

    app = web.Application()
    app.router.add_post("/v2/notifications/email", receive)
    app.router.add_post("/v2/notifications/sms", receive)
    server = await aiohttp_server(app)
    return server, captured


def settings_for(tmp_path, server, **more):
    return Settings.from_env(
        {
            "OPEN311_API_KEYS": API_KEY,
            "OPEN311_STAFF_KEYS": STAFF_KEY,
            "OPEN311_DB": str(tmp_path / "cases.sqlite3"),
            "NOTIFY_PROVIDER": "govuk_notify",
            "NOTIFY_PUBLIC_URL": "https://chat.northbridge.test",
            "NOTIFY_SECRET": "unsubscribe-secret-0123456789-abcdef",
            "NOTIFY_API_KEY": f"frontdesk_test-{SERVICE_ID}-{SECRET_KEY}",
            "NOTIFY_EMAIL_TEMPLATE_ID": EMAIL_TEMPLATE,
            "NOTIFY_SMS_TEMPLATE_ID": SMS_TEMPLATE,
            "NOTIFY_BASE_URL": str(server.make_url("")).rstrip("/"),
            "NOTIFY_POLL_SECONDS": "0.05",
            **more,
        }
    )


async def wait_for(captured, count, timeout=10.0):
    deadline = time.monotonic() + timeout
    while len(captured) < count:
        assert time.monotonic() < deadline, f"expected {count} request(s), got {len(captured)}"
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.3)
    return captured


def reported(api, outcome: str):
    """A check for ``until``: the notifications report once it counts an ``outcome``."""

    async def check() -> dict | None:
        report = await (await api.get(f"{BASE}/notifications.json", params={"api_key": STAFF_KEY})).json()
        return report if report["counts"].get(outcome) else None

    return check


async def change(api, reference, status):
    form = {"api_key": STAFF_KEY, "extended_status": status, "updated_by": "Sam Patel"}
    assert (await api.post(f"{BASE}/requests/{reference}/status.json", data=form)).status == 200


async def test_an_email_goes_to_notify_with_the_template_personalisation_and_a_signed_token(
    aiohttp_client, aiohttp_server, tmp_path
):
    server, captured = await notify_stand_in(aiohttp_server)
    api = await aiohttp_client(create_standalone_app(settings_for(tmp_path, server)))
    _, body = await post(api, "/requests.json", pothole(email="jo@example.com", phone="07700900123"))
    reference = body[0]["service_request_id"]
    await change(api, reference, "FIXED")
    [sent] = await wait_for(captured, 1)
    assert sent["path"] == "/v2/notifications/email"
    request = sent["json"]
    assert request["email_address"] == "jo@example.com" and request["template_id"] == EMAIL_TEMPLATE
    assert request["reference"].startswith("frontdesk-")
    assert request["one_click_unsubscribe_url"].startswith(
        f"https://chat.northbridge.test/open311/v2/notifications/unsubscribe?ref={reference}&token="
    )
    words = request["personalisation"]
    assert words["headline"] == f"Your report {reference} is now fixed"
    assert words["what_changed"] == "It was open. It is now fixed."
    assert words["reference"] == reference and words["status_notes"] == "None given."
    scheme, token = sent["headers"]["Authorization"].split(" ")
    assert scheme == "Bearer"
    claims = jwt.decode(token, SECRET_KEY, algorithms=["HS256"])
    assert claims["iss"] == SERVICE_ID and abs(claims["iat"] - time.time()) < 60


async def test_a_text_goes_to_notify_where_only_a_phone_was_given(aiohttp_client, aiohttp_server, tmp_path):
    server, captured = await notify_stand_in(aiohttp_server)
    api = await aiohttp_client(create_standalone_app(settings_for(tmp_path, server)))
    _, body = await post(api, "/requests.json", pothole(phone="07700 900123"))
    reference = body[0]["service_request_id"]
    await change(api, reference, "ACTION_SCHEDULED")
    [sent] = await wait_for(captured, 1)
    assert sent["path"] == "/v2/notifications/sms"
    assert sent["json"]["template_id"] == SMS_TEMPLATE
    assert sent["json"]["phone_number"].replace(" ", "") == "07700900123"
    assert sent["json"]["personalisation"]["headline"] == f"Your report {reference} is now scheduled for work"


async def test_without_an_sms_template_a_phone_only_resident_gets_nothing_and_it_is_counted(
    aiohttp_client, aiohttp_server, tmp_path
):
    server, captured = await notify_stand_in(aiohttp_server)
    api = await aiohttp_client(create_standalone_app(settings_for(tmp_path, server, NOTIFY_SMS_TEMPLATE_ID="")))
    _, body = await post(api, "/requests.json", pothole(phone="07700900123"))
    await change(api, body[0]["service_request_id"], "FIXED")
    report = await until(reported(api, "skipped"), "the sender records the text it could not send as skipped")
    assert report["counts"]["skipped"] == 1
    assert captured == []


async def test_a_request_notify_refuses_is_not_retried(aiohttp_client, aiohttp_server, tmp_path):
    server, captured = await notify_stand_in(aiohttp_server, answer=400)
    api = await aiohttp_client(create_standalone_app(settings_for(tmp_path, server)))
    _, body = await post(api, "/requests.json", pothole(email="jo@example.com"))
    await change(api, body[0]["service_request_id"], "FIXED")
    await wait_for(captured, 1)
    # The sender records the refusal after Notify's answer: wait for it.
    report = await until(reported(api, "failed"), "the sender records Notify's refusal as failed")
    assert report["counts"]["failed"] == 1 and report["failed"][0]["attempts"] == 1
    assert report["failed"][0]["last_error"].startswith("Notify 400")
