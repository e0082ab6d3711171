"""Status-change emails, received by a real SMTP server process (the mail catcher, on aiosmtpd)."""

import asyncio
import datetime as dt
import email
import email.policy
import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import aiohttp
import pytest

from live_handoff.case_api import CaseDesk
from service_requests.app import create_standalone_app
from service_requests.catalogue import load_catalogue
from service_requests.notifications import outbox
from service_requests.notifications.sender import LEASE, Sender
from service_requests.settings import PACKAGE_DIR, Settings
from service_requests.store import CaseStore
from service_requests.validation import NewRequest
from tests.service_requests.conftest import API_KEY, BASE, STAFF_KEY, post, pothole

pytestmark = pytest.mark.servers
SECRET = "unsubscribe-secret-0123456789-abcdef"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def catcher(tmp_path):
    """The mail catcher as its own process; yields (port, folder of received mail)."""
    port, folder = free_port(), tmp_path / "mail"
    process = subprocess.Popen(
        [sys.executable, "-m", "service_requests.notifications.catcher", "--port", str(port), "--dir", str(folder)],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("the mail catcher did not start") from None
            time.sleep(0.05)
    yield port, folder
    process.terminate()
    process.wait(5)


def env_for(tmp_path, port, **more):
    return {
        "OPEN311_API_KEYS": API_KEY,
        "OPEN311_STAFF_KEYS": STAFF_KEY,
        "OPEN311_DB": str(tmp_path / "cases.sqlite3"),
        "NOTIFY_PROVIDER": "smtp",
        "NOTIFY_PUBLIC_URL": "http://chat.northbridge.test",
        "NOTIFY_SECRET": SECRET,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(port),
        "MAIL_FROM": "updates@northbridge.test",
        "MAIL_REPLY_TO": "highways@northbridge.test",
        "NOTIFY_POLL_SECONDS": "0.05",
        "NOTIFY_RETRY_SECONDS": "0.05",
        **more,
    }


def mails(folder):
    return sorted(folder.glob("*.eml")) if folder.exists() else []


async def wait_for_mail(folder, count, timeout=10.0):
    deadline = time.monotonic() + timeout
    while len(mails(folder)) < count:
        assert time.monotonic() < deadline, f"expected {count} mail(s), got {len(mails(folder))}"
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.5)  # long enough for a second, wrong copy to arrive
    return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default) for p in mails(folder)]


async def change(api, reference, status, notes=None):
    form = {"api_key": STAFF_KEY, "extended_status": status, "updated_by": "Sam Patel"}
    if notes:
        form["status_notes"] = notes
    response = await api.post(f"{BASE}/requests/{reference}/status.json", data=form)
    assert response.status == 200, await response.text()


async def report_with_email(api, **more):
    status, body = await post(api, "/requests.json", pothole(email="jo@example.com", first_name="Jo", **more))
    assert status == 201
    return body[0]["service_request_id"]


async def test_a_status_change_by_staff_sends_one_plain_english_email(aiohttp_client, tmp_path, catcher):
    port, folder = catcher
    api = await aiohttp_client(create_standalone_app(Settings.from_env(env_for(tmp_path, port))))
    reference = await report_with_email(api)
    await change(api, reference, "FIXED", "Filled and rolled on Tuesday")
    [mail] = await wait_for_mail(folder, 1)
    assert mail["To"] == "jo@example.com" and mail["From"] == "updates@northbridge.test"
    assert mail["Subject"] == f"Your report {reference} is now fixed"
    body = mail.get_content()
    assert "Dear Jo," in body
    assert f"There is news about your pothole report, reference {reference}." in body
    assert "What changed: It was open. It is now fixed." in body
    assert "Note from the council: Filled and rolled on Tuesday" in body
    assert "What happens next: Nothing more for you to do." in body
    assert "Reply to this email, or ask in the web chat" in body
    assert "http://chat.northbridge.test/open311/v2/notifications/unsubscribe?ref=" in body
    report = await (await api.get(f"{BASE}/notifications.json", params={"api_key": STAFF_KEY})).json()
    assert report["counts"]["sent"] == 1 and report["failed"] == []
    with sqlite3.connect(tmp_path / "cases.sqlite3") as db:  # the address leaves the outbox once sent
        assert db.execute("SELECT address FROM notification_outbox").fetchall() == [(None,)]


async def test_each_change_is_one_email_and_a_note_on_the_same_status_is_none(aiohttp_client, tmp_path, catcher):
    port, folder = catcher
    api = await aiohttp_client(create_standalone_app(Settings.from_env(env_for(tmp_path, port))))
    reference = await report_with_email(api)
    await change(api, reference, "INVESTIGATING")
    await change(api, reference, "INVESTIGATING", "Still looking")
    await change(api, reference, "ACTION_SCHEDULED")
    received = await wait_for_mail(folder, 2)
    assert sorted(m["Subject"] for m in received) == [
        f"Your report {reference} is now being investigated",
        f"Your report {reference} is now scheduled for work",
    ]


async def test_a_report_without_contact_details_sends_nothing(aiohttp_client, tmp_path, catcher):
    port, folder = catcher
    api = await aiohttp_client(create_standalone_app(Settings.from_env(env_for(tmp_path, port))))
    _, body = await post(api, "/requests.json", pothole())
    await change(api, body[0]["service_request_id"], "FIXED")
    await asyncio.sleep(0.5)
    assert mails(folder) == []


class Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


def store_with_change(tmp_path, now, count=1):
    """A case store with ``count`` cases whose status changed (through the store, as every path does)."""
    store = CaseStore(tmp_path / "cases.sqlite3")
    service = load_catalogue(PACKAGE_DIR / "services.yml")["pothole"]
    references = []
    for n in range(count):
        new = NewRequest(
            service_code="pothole",
            description=f"Hole {n}",
            address="Station Road",
            zipcode="NB4 2QT",
            lat=None,
            long=None,
            attributes={},
            email=f"resident{n}@example.com",
            phone=None,
            first_name=None,
            last_name=None,
        )
        reference = store.create(new, service, now)["service_request_id"]
        store.update_status(reference, "FIXED", None, "Sam", now)
        references.append(reference)
    return store, references


def sender(store, tmp_path, port, clock, name):
    settings = Settings.from_env(env_for(tmp_path, port))
    return Sender(store.notification_db, settings.notifications, 90, clock, name=name)


async def test_a_sender_restarted_after_sending_sends_nothing_again(tmp_path, catcher):
    port, folder = catcher
    clock = Clock(dt.datetime.now(dt.timezone.utc))
    store, _ = store_with_change(tmp_path, clock.now)
    assert await sender(store, tmp_path, port, clock, "first").run_once() == 1
    assert await sender(store, tmp_path, port, clock, "after restart").run_once() == 0
    assert len(await wait_for_mail(folder, 1)) == 1


async def test_a_sender_that_dies_holding_a_change_leaves_it_to_the_next_once(tmp_path, catcher):
    port, folder = catcher
    clock = Clock(dt.datetime.now(dt.timezone.utc))
    store, _ = store_with_change(tmp_path, clock.now)
    with store.notification_db() as db:
        assert len(outbox.claim(db, "died", clock.now, LEASE)) == 1  # claimed, then the process died
    assert await sender(store, tmp_path, port, clock, "next").run_once() == 0  # its lease still runs
    clock.now += LEASE
    assert await sender(store, tmp_path, port, clock, "next").run_once() == 1
    clock.now += LEASE
    assert await sender(store, tmp_path, port, clock, "third").run_once() == 0
    assert len(await wait_for_mail(folder, 1)) == 1


async def test_two_senders_at_once_send_each_change_once(tmp_path, catcher):
    port, folder = catcher
    clock = Clock(dt.datetime.now(dt.timezone.utc))
    store, references = store_with_change(tmp_path, clock.now, count=12)
    one, two = sender(store, tmp_path, port, clock, "one"), sender(store, tmp_path, port, clock, "two")

    async def drain(s):
        total = 0
        while handled := await s.run_once():
            total += handled
        return total

    counts = await asyncio.gather(drain(one), drain(two))
    assert sum(counts) == 12
    received = await wait_for_mail(folder, 12)
    assert sorted(m["To"] for m in received) == sorted(f"resident{n}@example.com" for n in range(12))


async def test_nothing_is_sent_after_the_contact_retention_period(tmp_path, catcher):
    port, folder = catcher
    closed_at = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=91)
    store, _ = store_with_change(tmp_path, closed_at)
    clock = Clock(dt.datetime.now(dt.timezone.utc))
    assert await sender(store, tmp_path, port, clock, "late").run_once() == 0  # purged before claiming
    await asyncio.sleep(0.5)
    assert mails(folder) == []
    with store.notification_db() as db:
        assert db.execute("SELECT COUNT(*) FROM notification_outbox").fetchone()[0] == 0  # forgotten, never sent


async def test_an_unsubscribed_resident_hears_nothing_more_about_that_case(aiohttp_client, tmp_path, catcher):
    port, folder = catcher
    api = await aiohttp_client(create_standalone_app(Settings.from_env(env_for(tmp_path, port))))
    reference = await report_with_email(api)
    await change(api, reference, "INVESTIGATING")
    [mail] = await wait_for_mail(folder, 1)
    link = mail["List-Unsubscribe"].strip("<>")
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(link).query))
    page = await api.get(f"{BASE}/notifications/unsubscribe", params=query)
    assert page.status == 200 and "Stop updates" in await page.text()
    forged = await api.post(f"{BASE}/notifications/unsubscribe", data={**query, "token": "x" * 22})
    assert forged.status == 400
    done = await api.post(f"{BASE}/notifications/unsubscribe", data=query)
    assert done.status == 200 and "Updates stopped" in await done.text()
    await change(api, reference, "FIXED")
    await asyncio.sleep(0.5)
    assert len(mails(folder)) == 1


async def test_a_mail_server_that_is_down_is_retried_then_given_up_and_shown_to_staff(aiohttp_client, tmp_path):
    settings = Settings.from_env(env_for(tmp_path, free_port(), NOTIFY_MAX_ATTEMPTS="3"))
    api = await aiohttp_client(create_standalone_app(settings))
    reference = await report_with_email(api)
    await change(api, reference, "FIXED")
    deadline = time.monotonic() + 10
    while True:
        report = await (await api.get(f"{BASE}/notifications.json", params={"api_key": STAFF_KEY})).json()
        if report["counts"]["failed"]:
            break
        assert time.monotonic() < deadline, report
        await asyncio.sleep(0.05)
    [failed] = report["failed"]
    assert failed["service_request_id"] == reference and failed["attempts"] == 3
    assert failed["last_error"].startswith("gave up after 3 tries: SMTP: ConnectionRefusedError")
    refused = await api.get(f"{BASE}/notifications.json", params={"api_key": API_KEY})
    assert refused.status == 403


async def test_a_status_change_from_the_advisor_console_sends_one_email(aiohttp_server, tmp_path, catcher):
    port, folder = catcher
    server = await aiohttp_server(create_standalone_app(Settings.from_env(env_for(tmp_path, port))))
    base = str(server.make_url("/open311/v2/"))
    async with aiohttp.ClientSession() as session:
        async with session.post(base + "requests.json", data=pothole(email="jo@example.com")) as response:
            reference = (await response.json())[0]["service_request_id"]
        desk = CaseDesk(session, base, API_KEY, STAFF_KEY)
        await desk.update(reference, "IN_PROGRESS", "Crew booked", "Sam Patel")
    [mail] = await wait_for_mail(folder, 1)
    assert mail["Subject"] == f"Your report {reference} is now in progress"
    assert "Note from the council: Crew booked" in mail.get_content()


def test_two_service_processes_sharing_one_case_store_send_each_change_once(tmp_path, catcher):
    port, folder = catcher
    env = {**os.environ, **env_for(tmp_path, port), "PYTHONPATH": str(PACKAGE_DIR.parent)}
    ports = [free_port()]
    while len(ports) < 2:  # two distinct ports, however the kernel hands them out
        ports = sorted({*ports, free_port()})
    logs = [tmp_path / f"service{n}.log" for n in range(2)]
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "service_requests", "--port", str(p)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log.open("wb"),
        )
        for p, log in zip(ports, logs)
    ]
    try:
        for p, process, log in zip(ports, processes, logs):
            # Generous: a loaded two-core machine starts Python processes slowly.
            deadline = time.monotonic() + 60
            while True:
                try:
                    socket.create_connection(("127.0.0.1", p), timeout=1).close()
                    break
                except OSError:
                    assert process.poll() is None, f"the Open311 service stopped: {log.read_text()[-2000:]}"
                    assert time.monotonic() < deadline, "the Open311 service did not start"
                    time.sleep(0.05)
        references = []
        for n in range(10):
            base = f"http://127.0.0.1:{ports[n % 2]}/open311/v2"
            data = urllib.parse.urlencode(pothole(email=f"resident{n}@example.com")).encode()
            with urllib.request.urlopen(f"{base}/requests.json", data=data, timeout=10) as response:
                references.append(json.load(response)[0]["service_request_id"])
        for n, reference in enumerate(references):  # each change made through the other process
            base = f"http://127.0.0.1:{ports[(n + 1) % 2]}/open311/v2"
            form = {"api_key": STAFF_KEY, "extended_status": "FIXED", "updated_by": "Sam"}
            urllib.request.urlopen(f"{base}/requests/{reference}/status.json", urllib.parse.urlencode(form).encode())
        deadline = time.monotonic() + 30
        while len(mails(folder)) < 10:
            assert time.monotonic() < deadline, f"got {len(mails(folder))} of 10 mails"
            time.sleep(0.05)
        time.sleep(1.0)  # both senders keep polling: a second copy would arrive now
        received = [email.message_from_bytes(p.read_bytes(), policy=email.policy.default) for p in mails(folder)]
        assert sorted(m["Subject"] for m in received) == sorted(f"Your report {r} is now fixed" for r in references)
    finally:
        for process in processes:
            process.terminate()
            process.wait(10)
