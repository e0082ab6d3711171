"""Contact retention for what notifications keep: the built-in service's own purge removes a
resident's updates, their stop record and their FixMyStreet updates with their contact details
(real SMTP server process; a short retention and a clock moved past it)."""

import asyncio
import datetime as dt
from contextlib import closing

import pytest
from aiohttp import web

from service_requests.app import MOUNT, create_app
from service_requests.notifications import outbox
from service_requests.notifications.retention import REMOVED
from service_requests.settings import Settings
from service_requests.store import CaseStore
from service_requests.updates import CitizenUpdate, UpdateStore
from tests.service_requests.test_notifications_smtp import (  # noqa: F401
    catcher,
    change,
    env_for,
    report_with_email,
    wait_for_mail,
)

pytestmark = pytest.mark.servers


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime.now(dt.timezone.utc)

    def __call__(self) -> dt.datetime:
        return self.now


def held(store: CaseStore, reference: str) -> dict[str, object]:
    """What the case store still holds about the resident's updates on this case."""
    with closing(store.notification_db()) as db:
        return {
            "updates": db.execute(
                "SELECT COUNT(*) FROM notification_outbox WHERE request_id = ?", (reference,)
            ).fetchone()[0],
            "notes": [
                r[0] for r in db.execute("SELECT notes FROM notification_outbox WHERE request_id = ?", (reference,))
            ],
            "stopped": db.execute(
                "SELECT COUNT(*) FROM notification_optouts WHERE request_id = ?", (reference,)
            ).fetchone()[0],
            "their_updates": [
                (r[0], r[1])
                for r in db.execute(
                    "SELECT description, media_url FROM citizen_updates WHERE request_id = ?", (reference,)
                )
            ],
        }


async def test_the_retention_purge_removes_a_resident_s_updates_and_stop_record_with_their_contact_details(
    aiohttp_client,
    tmp_path,
    catcher,  # noqa: F811
):
    port, folder = catcher
    clock = Clock()
    settings = Settings.from_env(env_for(tmp_path, port, OPEN311_CONTACT_RETENTION_DAYS="1"))
    store = CaseStore(settings.database, settings.reference_prefix)

    def service() -> web.Application:
        root = web.Application()
        root.add_subapp(MOUNT, create_app(settings, store=store, clock=clock))
        return root

    api = await aiohttp_client(service())
    reference = await report_with_email(api)
    await change(api, reference, "INVESTIGATING", "Jo at number 12 says it is getting deeper")
    await wait_for_mail(folder, 1)
    UpdateStore(store).add_citizen_update(
        CitizenUpdate(reference, "Still there, Jo Bloggs, 07700 900123", media_url="https://fms.example/p.jpg"),
        "fixmystreet",
        clock(),
    )
    with closing(store.notification_db()) as db:
        outbox.unsubscribe(db, reference, clock())
    await change(api, reference, "FIXED")  # closed: the retention clock starts
    await api.close()
    before = held(store, reference)
    assert before["updates"] == 1 and before["stopped"] == 1 and len(before["their_updates"]) == 1

    clock.now += dt.timedelta(hours=23)  # within the day's retention: all kept
    store.purge_contact_details(clock(), 1)
    assert held(store, reference) == before

    clock.now += dt.timedelta(hours=2)  # past it: the service's purge at start removes them
    api = await aiohttp_client(service())
    for _ in range(100):
        if held(store, reference)["their_updates"] == [(REMOVED, None)]:
            break
        await asyncio.sleep(0.05)
    assert held(store, reference) == {"updates": 0, "notes": [], "stopped": 0, "their_updates": [(REMOVED, None)]}
    case = (await (await api.get(f"{MOUNT}requests/{reference}.json")).json())[0]
    assert case["extended_status"] == "FIXED"  # the case itself stays, as a council record
