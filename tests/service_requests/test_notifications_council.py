"""Council mode, end to end with real processes: the built-in Open311 service run on its own
stands in for a council's case system (its own sender off), the front door's council
component watches and polls it, and the real mail catcher (aiosmtpd) receives the emails."""

import asyncio
import datetime as dt
import email
import email.policy
import os
import time
from contextlib import closing

import aiohttp
import pytest
from aiohttp import web

from actions.clients.open311 import Open311Client
from actions.settings import Open311Settings
from bot.processes import ROOT, Open311Service
from service_requests.notifications import outbox, watch
from service_requests.notifications.poller import Poller
from service_requests.notifications.sender import Sender
from service_requests.notifications.settings import NotifySettings
from service_requests.notifications.wiring import install_council
from tests.service_requests.conftest import API_KEY, STAFF_KEY, pothole
from tests.service_requests.test_notifications_smtp import SECRET, catcher, free_port  # noqa: F401
from tests.waiting import until

pytestmark = pytest.mark.servers
WATCH_KEY = "watch-key-0123456789-abcdef"
RESIDENT = "sam@example.org"
counted: list[str] = []  # what the front door would count in /metrics


@pytest.fixture(scope="module")
def council(tmp_path_factory):
    """The built-in service as a separate process playing a council's CRM; it sends no mail itself."""
    folder = tmp_path_factory.mktemp("council")
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "OPEN311_API_KEYS": API_KEY,
        "OPEN311_STAFF_KEYS": STAFF_KEY,
        "OPEN311_DB": str(folder / "council.sqlite3"),
        "NOTIFY_PROVIDER": "none",
    }
    service = Open311Service(free_port(), env, folder / "council.log")
    service.start()
    yield service
    service.stop()


def notify_env(mail_port: int) -> dict[str, str]:
    return {
        "NOTIFY_PROVIDER": "smtp",
        "NOTIFY_PUBLIC_URL": "https://chat.example.gov.uk",
        "NOTIFY_SECRET": SECRET,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(mail_port),
        "MAIL_FROM": "updates@example.gov.uk",
        "NOTIFY_POLL_SECONDS": "0.05",
    }


@pytest.fixture
async def front_door(council, catcher, tmp_path, monkeypatch):  # noqa: F811
    """The front door's council component on a real port; yields (watch URL, mail folder)."""
    port, folder = catcher
    env = {
        **notify_env(port),
        "OPEN311_URL": council.url,
        "NOTIFY_WATCH_KEY": WATCH_KEY,
        "NOTIFY_WATCH_DB": str(tmp_path / "watch.sqlite3"),
        "NOTIFY_COUNCIL_POLL_SECONDS": "0.2",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    app = web.Application()
    counted.clear()
    assert install_council(app, builtin_mounted=False, count=counted.append)
    runner = web.AppRunner(app)
    await runner.setup()
    door = free_port()
    await web.TCPSite(runner, "127.0.0.1", door).start()
    yield f"http://127.0.0.1:{door}", folder
    await runner.cleanup()


def chat_client(council_url: str, watch_url: str) -> Open311Client:
    return Open311Client(
        Open311Settings(council_url, API_KEY, watch_url=watch_url + "/notifications/v1/watch", watch_key=WATCH_KEY)
    )


async def set_status(council_url: str, reference: str, status: str, notes: str = "") -> float:
    """Change a case's status on the "council" as its staff would; returns when it answered."""
    form = {"api_key": STAFF_KEY, "extended_status": status, "status_notes": notes, "updated_by": "Highways"}
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{council_url}requests/{reference}/status.json", data=form) as response:
            assert response.status == 200, await response.text()
    return time.monotonic()


def mails(folder) -> list:
    if not folder.exists():
        return []
    return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default) for p in sorted(folder.glob("*.eml"))]


async def wait_for_mail(folder, count: int, seconds: float = 10.0) -> list:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = mails(folder)
        if len(found) >= count:
            return found
        await asyncio.sleep(0.02)
    return mails(folder)


async def watch_status(door: str) -> dict:
    async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {WATCH_KEY}"}) as session:
        async with session.get(door + "/notifications/v1/watch/status") as response:
            return await response.json()


async def more_polls(door: str, count: int) -> dict:
    """The watch status once the front door has polled the council ``count`` more times:
    a fixed sleep is fewer polls on a loaded machine, and a check after it proves less."""
    before = (await watch_status(door))["polls"]

    async def polled() -> dict | None:
        status = await watch_status(door)
        return status if status["polls"] >= before + count else None

    return await until(polled, f"the front door polls the council {count} more times", timeout=15)


def submission() -> dict[str, str]:
    form = pothole(email=RESIDENT, first_name="Sam")
    form.pop("api_key")
    return form


async def test_a_status_change_in_the_council_system_reaches_the_resident_once(council, front_door):
    door, folder = front_door
    created = await chat_client(council.url, door).submit(submission())
    reference = created["service_request_id"]
    changed = await set_status(council.url, reference, "FIXED", "Filled on Tuesday")
    [mail] = await wait_for_mail(folder, 1)
    print(f"status change to email: {(time.monotonic() - changed) * 1000:.0f} ms at a 0.2 s poll")
    assert mail["To"] == RESIDENT
    assert mail["Subject"] == f"Your report {reference} is now fixed"
    body = mail.get_body(("plain",)).get_content()
    assert "Filled on Tuesday" in body and "https://chat.example.gov.uk/open311/v2/notifications/unsubscribe" in body
    status = await more_polls(door, 5)  # five more polls see the same status
    assert len(mails(folder)) == 1
    assert status["watched"] == 1 and status["queued"] == 1


async def test_the_watch_endpoint_refuses_a_wrong_key_and_a_registration_without_contact(front_door):
    door, _ = front_door
    async with aiohttp.ClientSession() as session:
        form = {"service_request_id": "NB-1", "email": RESIDENT}
        async with session.post(door + "/notifications/v1/watch", data=form) as response:
            assert response.status == 403
        headers = {"Authorization": f"Bearer {WATCH_KEY}"}
        async with session.post(
            door + "/notifications/v1/watch", data={"service_request_id": "NB-1"}, headers=headers
        ) as response:
            assert response.status == 400
            assert "email or phone" in (await response.json())["error"]
    assert counted == ["watch_refused", "watch_refused"]


async def test_the_stop_link_is_served_in_council_mode_and_stops_later_updates(council, front_door):
    door, folder = front_door
    created = await chat_client(council.url, door).submit(submission())
    reference = created["service_request_id"]
    await set_status(council.url, reference, "IN_PROGRESS")
    [mail] = await wait_for_mail(folder, 1)
    link = next(line for line in mail.get_body(("plain",)).get_content().split() if "unsubscribe?" in line)
    local = door + link.removeprefix("https://chat.example.gov.uk")
    query = dict(p.split("=", 1) for p in local.split("?", 1)[1].split("&"))
    async with aiohttp.ClientSession() as session:
        async with session.post(local.split("?")[0], data=query) as response:
            assert response.status == 200 and "Updates stopped" in await response.text()
    await set_status(council.url, reference, "FIXED")
    await more_polls(door, 3)  # polls that see the change, and would have queued a mail
    await asyncio.sleep(0.5)  # the sender's turn (every 0.05 s) to send one, if it were queued
    assert len(mails(folder)) == 1


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime.now(dt.timezone.utc)

    def __call__(self) -> dt.datetime:
        return self.now


async def test_after_contact_retention_and_after_an_erasure_nobody_is_watched_or_told(council, catcher, tmp_path):  # noqa: F811
    port, folder = catcher
    clock = Clock()
    settings = watch.CouncilSettings(council.url, WATCH_KEY, database=tmp_path / "w.sqlite3", retention_days=30)
    connect = watch.opener(settings.database)
    poller = Poller(connect, settings, clock)
    sender = Sender(connect, NotifySettings.from_env(notify_env(port)), 30, clock)
    client = Open311Client(Open311Settings(council.url, API_KEY))
    kept, erased = [(await client.submit(submission()))["service_request_id"] for _ in range(2)]
    db = connect()
    for reference in (kept, erased):
        watch.add(db, watch.Watch(reference, "Pothole", "OPEN", email=RESIDENT), clock())
        assert await poller.start_from_now(reference)  # as the watch endpoint does

    await set_status(council.url, kept, "FIXED")  # closes it: the retention clock starts
    assert await poller.run_once() == 1, [tuple(r) for r in db.execute("SELECT * FROM council_changes")]
    await sender.run_once()
    assert len(mails(folder)) == 1
    assert await poller.run_once() == 0  # a second poll sends nothing

    assert watch.erase(db, [], email=RESIDENT.upper()) == sorted([kept, erased])
    await set_status(council.url, erased, "IN_PROGRESS")
    assert await poller.run_once() == 0
    assert db.execute("SELECT COUNT(*) FROM council_changes").fetchone()[0] == 0

    watch.add(db, watch.Watch(kept, "Pothole", "OPEN", email=RESIDENT), clock())
    assert await poller.start_from_now(kept)
    await set_status(council.url, kept, "CLOSED")
    assert await poller.run_once() == 1
    clock.now += dt.timedelta(days=31)
    await sender.run_once()  # queued before the cut-off, sent after it: never
    assert len(mails(folder)) == 1
    assert await poller.run_once() == 0
    assert watch.watched(db) == {}
    # The updates of both (one past retention, one erased) went with the watches.
    assert db.execute("SELECT COUNT(*) FROM notification_outbox").fetchone()[0] == 0
    db.close()


async def test_a_case_the_council_stops_returning_is_forgotten_after_contact_retention(council, tmp_path):
    clock = Clock()
    settings = watch.CouncilSettings(council.url, WATCH_KEY, database=tmp_path / "w.sqlite3", retention_days=30)
    connect = watch.opener(settings.database)
    poller = Poller(connect, settings, clock)
    reference = (await Open311Client(Open311Settings(council.url, API_KEY)).submit(submission()))["service_request_id"]
    with closing(connect()) as db:
        for ref in (reference, "NB-1999-000001"):  # the second: unknown to the council (deleted there)
            watch.add(db, watch.Watch(ref, "Pothole", "OPEN", email=RESIDENT), clock())
        outbox.unsubscribe(db, "NB-1999-000001", clock())
    await poller.run_once()
    clock.now += dt.timedelta(days=29)
    await poller.run_once()
    assert set(watch.watched(connect())) == {reference, "NB-1999-000001"}
    clock.now += dt.timedelta(days=2)  # 31 days since the council last returned the unknown one
    await poller.run_once()
    assert watch.watched(connect()) == {reference: "OPEN"}  # still open, returned at every poll
    with closing(connect()) as db:
        assert db.execute("SELECT COUNT(*) FROM notification_optouts").fetchone()[0] == 0


async def test_two_pollers_take_turns_so_a_change_is_queued_once(council, tmp_path):
    clock = Clock()
    settings = watch.CouncilSettings(council.url, WATCH_KEY, database=tmp_path / "w.sqlite3")
    connect = watch.opener(settings.database)
    first, second = Poller(connect, settings, clock, name="a"), Poller(connect, settings, clock, name="b")
    reference = (await Open311Client(Open311Settings(council.url, API_KEY)).submit(submission()))["service_request_id"]
    db = connect()
    watch.add(db, watch.Watch(reference, "Pothole", "OPEN", email=RESIDENT), clock())
    assert await first.start_from_now(reference)
    await set_status(council.url, reference, "INVESTIGATING")
    results = await asyncio.gather(first.run_once(), second.run_once())
    assert sorted(results) == [0, 1]
    assert second.polls + first.polls == 1
    assert db.execute("SELECT COUNT(*) FROM notification_outbox").fetchone()[0] == 1
    db.close()


async def test_a_council_endpoint_that_does_not_answer_is_counted_and_asked_again(tmp_path):
    failures: list[int] = []
    settings = watch.CouncilSettings(
        f"http://127.0.0.1:{free_port()}/open311/v2/", WATCH_KEY, database=tmp_path / "w.sqlite3"
    )
    connect = watch.opener(settings.database)
    poller = Poller(connect, settings, Clock(), on_failure=lambda: failures.append(1))
    with connect() as db:
        watch.add(
            db, watch.Watch("NB-2026-000001", "Pothole", "OPEN", email=RESIDENT), dt.datetime.now(dt.timezone.utc)
        )
    assert await poller.run_once() == 0
    assert await poller.run_once() == 0
    assert len(failures) == 2 and poller.polls == 2
    assert watch.watched(connect()) == {"NB-2026-000001": "OPEN"}


async def test_the_front_door_serves_council_mode_without_the_built_in_service(
    redis_server, aiohttp_client, council, tmp_path, monkeypatch
):
    import uuid

    from front_door.app import build_app
    from live_handoff.settings import Settings
    from tests.live_handoff.conftest import ALWAYS_OPEN, DEAD_RASA

    for name, value in {
        **notify_env(free_port()),
        "OPEN311_URL": council.url,
        "NOTIFY_WATCH_KEY": WATCH_KEY,
        "NOTIFY_WATCH_DB": str(tmp_path / "watch.sqlite3"),
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("OPEN311_API_KEYS", raising=False)
    settings = Settings(
        redis_url=redis_server.url, rasa_url=DEAD_RASA, key_prefix=f"c{uuid.uuid4().hex[:8]}", opening_hours=ALWAYS_OPEN
    )
    client = await aiohttp_client(build_app(settings))
    headers = {"Authorization": f"Bearer {WATCH_KEY}"}
    form = {"service_request_id": "NB-2026-000001", "email": RESIDENT}
    response = await client.post("/notifications/v1/watch", data=form, headers=headers)
    assert response.status == 200 and (await response.json())["new"] is True
    page = await client.get("/open311/v2/notifications/unsubscribe?ref=NB-2026-000001&token=wrong")
    assert page.status == 400  # the stop page is served; this link is not one we signed
    assert (await client.get("/open311/v2/services.json")).status == 404  # no built-in service


async def test_the_data_protection_officer_s_erasure_stops_the_watch_on_a_person_s_cases(
    redis_server, aiohttp_client, tmp_path, monkeypatch
):
    from live_handoff import auth
    from tests.front_door.test_pages import app_and_store
    from tests.front_door.test_privacy_page import signed_in
    from tests.live_handoff.conftest import PASSWORD

    for name, value in {
        **notify_env(free_port()),
        "OPEN311_URL": "http://127.0.0.1:9/open311/v2/",
        "NOTIFY_WATCH_KEY": WATCH_KEY,
        "NOTIFY_WATCH_DB": str(tmp_path / "watch.sqlite3"),
    }.items():
        monkeypatch.setenv(name, value)
    app, store, _ = await app_and_store(redis_server)
    await auth.add_user(store, "dpo.jo", "Jo Dee", PASSWORD, {"dpo"}, 1)
    client = await aiohttp_client(app)
    headers = {"Authorization": f"Bearer {WATCH_KEY}"}
    for reference, contact in (("NB-2026-000007", RESIDENT), ("NB-2026-000008", "someone.else@example.org")):
        form = {"service_request_id": reference, "email": contact}
        assert (await client.post("/notifications/v1/watch", data=form, headers=headers)).status == 200
    csrf = await signed_in(client, "dpo.jo")
    form = {"csrf": csrf, "kind": "email", "value": RESIDENT, "why": "Erasure 2026-7", "confirm": "yes"}
    erased = await client.post("/manager/privacy/", data={**form, "action": "erase"})
    text = await erased.text()
    assert erased.status == 200 and "cases no longer watched" in text
    db = watch.opener(tmp_path / "watch.sqlite3")()
    assert watch.watched(db) == {"NB-2026-000008": "OPEN"}
    db.close()
    await store.redis.close()


async def test_a_case_whose_first_status_is_not_open_sends_nothing_until_it_changes(council, catcher, tmp_path):  # noqa: F811
    port, folder = catcher
    clock = Clock()
    settings = watch.CouncilSettings(council.url, WATCH_KEY, database=tmp_path / "w.sqlite3")
    connect = watch.opener(settings.database)
    poller = Poller(connect, settings, clock)
    sender = Sender(connect, NotifySettings.from_env(notify_env(port)), 90, clock)
    reference = (await Open311Client(Open311Settings(council.url, API_KEY)).submit(submission()))["service_request_id"]
    # This council's reports start as INVESTIGATING; the chat registers the watch as it always does.
    await set_status(council.url, reference, "INVESTIGATING")
    with closing(connect()) as db:
        watch.add(db, watch.parse({"service_request_id": reference, "email": RESIDENT, "status": "open"}), clock())
    assert await poller.run_once() == 0  # the first status seen is where the case starts
    await sender.run_once()
    assert mails(folder) == []
    assert watch.watched(connect()) == {reference: "INVESTIGATING"}
    await set_status(council.url, reference, "FIXED")
    assert await poller.run_once() == 1
    await sender.run_once()
    [mail] = mails(folder)
    assert mail["Subject"] == f"Your report {reference} is now fixed"
    assert "It was being investigated" in mail.get_body(("plain",)).get_content()


async def test_a_phone_only_resident_gets_a_text_through_notify_in_council_mode(
    council, aiohttp_server, tmp_path, monkeypatch
):
    from tests.service_requests import test_notifications_notify as notify_test

    notify, captured = await notify_test.notify_stand_in(aiohttp_server)
    env = {
        "NOTIFY_PROVIDER": "govuk_notify",
        "NOTIFY_PUBLIC_URL": "https://chat.example.gov.uk",
        "NOTIFY_SECRET": SECRET,
        "NOTIFY_API_KEY": f"frontdesk_test-{notify_test.SERVICE_ID}-{notify_test.SECRET_KEY}",
        "NOTIFY_EMAIL_TEMPLATE_ID": notify_test.EMAIL_TEMPLATE,
        "NOTIFY_SMS_TEMPLATE_ID": notify_test.SMS_TEMPLATE,
        "NOTIFY_BASE_URL": str(notify.make_url("")).rstrip("/"),
        "NOTIFY_POLL_SECONDS": "0.05",
        "OPEN311_URL": council.url,
        "NOTIFY_WATCH_KEY": WATCH_KEY,
        "NOTIFY_WATCH_DB": str(tmp_path / "watch.sqlite3"),
        "NOTIFY_COUNCIL_POLL_SECONDS": "0.2",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    app = web.Application()
    assert install_council(app, builtin_mounted=False)
    runner = web.AppRunner(app)
    await runner.setup()
    door = free_port()
    await web.TCPSite(runner, "127.0.0.1", door).start()
    try:
        form = {**submission(), "phone": "07700 900123"}
        form.pop("email")
        reference = (await chat_client(council.url, f"http://127.0.0.1:{door}").submit(form))["service_request_id"]
        await set_status(council.url, reference, "ACTION_SCHEDULED")
        deadline = time.monotonic() + 10
        while not captured and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.6)  # three more polls: nothing more is sent
        [sent] = captured
        assert sent["path"] == "/v2/notifications/sms" and sent["json"]["template_id"] == notify_test.SMS_TEMPLATE
        assert sent["json"]["phone_number"].replace(" ", "") == "07700900123"
        assert sent["json"]["personalisation"]["headline"] == f"Your report {reference} is now scheduled for work"
        assert "/open311/v2/notifications/unsubscribe?ref=" in sent["json"]["personalisation"]["unsubscribe_url"]
    finally:
        await runner.cleanup()


async def test_the_data_protection_officer_s_export_lists_a_person_s_watched_cases_and_updates_sent(
    redis_server, aiohttp_client, tmp_path, monkeypatch
):
    from live_handoff import auth
    from tests.front_door.test_pages import app_and_store
    from tests.front_door.test_privacy_page import signed_in
    from tests.live_handoff.conftest import PASSWORD

    for name, value in {
        **notify_env(free_port()),
        "OPEN311_URL": "http://127.0.0.1:9/open311/v2/",
        "NOTIFY_WATCH_KEY": WATCH_KEY,
        "NOTIFY_WATCH_DB": str(tmp_path / "watch.sqlite3"),
    }.items():
        monkeypatch.setenv(name, value)
    app, store, _ = await app_and_store(redis_server)
    await auth.add_user(store, "dpo.jo", "Jo Dee", PASSWORD, {"dpo"}, 1)
    client = await aiohttp_client(app)
    headers = {"Authorization": f"Bearer {WATCH_KEY}"}
    for reference, contact in (("NB-2026-000007", RESIDENT), ("NB-2026-000008", "someone.else@example.org")):
        form = {"service_request_id": reference, "email": contact, "first_name": "Sam"}
        assert (await client.post("/notifications/v1/watch", data=form, headers=headers)).status == 200
    with closing(watch.opener(tmp_path / "watch.sqlite3")()) as db:
        now = dt.datetime.now(dt.timezone.utc)
        watch.first_seen(db, {"NB-2026-000007": watch.Seen("OPEN")}, now)
        assert watch.record(db, "NB-2026-000007", watch.Seen("FIXED", "Filled"), now)
    csrf = await signed_in(client, "dpo.jo")
    form = {"csrf": csrf, "kind": "email", "value": RESIDENT, "why": "SAR 2026-9", "action": "export"}
    exported = await client.post("/manager/privacy/", data={**form, "format": "json"})
    doc = await exported.json()
    [case] = doc["cases_watched_for_updates"]
    assert case["service_request_id"] == "NB-2026-000007" and case["email"] == RESIDENT
    [update] = case["notifications"]
    assert (update["channel"], update["from_status"], update["to_status"], update["state"]) == (
        "email",
        "OPEN",
        "FIXED",
        "pending",
    )
    assert doc["summary"]["status_updates_to_you"] == 1 and doc["summary"]["cases_watched_for_updates"] == 1
    page = await (await client.post("/manager/privacy/", data={**form, "format": "html"})).text()
    assert "Updates about cases in the council" in page and "OPEN to FIXED" in page
    assert "someone.else" not in page
    await store.redis.close()
