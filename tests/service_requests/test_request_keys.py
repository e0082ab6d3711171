"""A resend under the same client_request_key finds the case the first send made."""

import asyncio
import datetime as dt
import sqlite3

import pytest

from service_requests.app import create_standalone_app
from service_requests.catalogue import load_catalogue
from service_requests.errors import Open311Error
from service_requests.request_keys import client_of, request_key
from service_requests.settings import PACKAGE_DIR, Settings
from service_requests.store import CaseStore
from tests.service_requests.conftest import API_KEY, BASE, STAFF_KEY, conforms, post, pothole
from tests.service_requests.test_store import NOW, new_request

OTHER_KEY = "council-app-key-0123456789"


def count(path) -> int:
    with sqlite3.connect(path) as db:
        return db.execute("SELECT COUNT(*) FROM requests").fetchone()[0]


async def test_a_resend_with_the_same_key_gets_the_same_case_with_200_and_nothing_new(api, settings):
    status, first = await post(api, "/requests.json", pothole(client_request_key="chat-0123456789abcdef"))
    assert status == 201
    status, again = await post(api, "/requests.json", pothole(client_request_key="chat-0123456789abcdef"))
    assert status == 200
    conforms("request_created", again)
    assert again == first
    assert count(settings.database) == 1


async def test_a_resend_whose_other_fields_differ_still_gets_the_first_case_unchanged(api):
    _, first = await post(api, "/requests.json", pothole(client_request_key="chat-key-differs-1"))
    _, again = await post(
        api,
        "/requests.json",
        pothole(client_request_key="chat-key-differs-1", description="Deep hole by the bus stop, getting worse"),
    )
    assert again[0]["service_request_id"] == first[0]["service_request_id"]
    stored = await (await api.get(f"{BASE}/requests/{first[0]['service_request_id']}.json")).json()
    assert stored[0]["description"] == "Deep hole by the bus stop"


async def test_different_keys_and_no_key_each_make_a_new_case(api, settings):
    references = set()
    for extra in ({"client_request_key": "chat-report-one"}, {"client_request_key": "chat-report-two"}, {}, {}):
        status, body = await post(api, "/requests.json", pothole(**extra))
        assert status == 201
        references.add(body[0]["service_request_id"])
    assert len(references) == 4 and count(settings.database) == 4


async def test_the_same_key_from_another_client_is_another_case(aiohttp_client, tmp_path):
    settings = Settings.from_env(
        {
            "OPEN311_API_KEYS": f"{API_KEY},{OTHER_KEY}",
            "OPEN311_STAFF_KEYS": STAFF_KEY,
            "OPEN311_DB": str(tmp_path / "cases.sqlite3"),
        }
    )
    api = await aiohttp_client(create_standalone_app(settings))
    _, ours = await post(api, "/requests.json", pothole(client_request_key="shared-key-123"))
    status, theirs = await post(api, "/requests.json", pothole(api_key=OTHER_KEY, client_request_key="shared-key-123"))
    assert status == 201
    assert ours[0]["service_request_id"] != theirs[0]["service_request_id"]


@pytest.mark.parametrize("key", ["short", "x" * 101, "has space in it", "semi;colon-key", "caf\u00e9-key-1234"])
async def test_a_malformed_key_is_a_clear_400_and_stores_nothing(api, settings, key):
    status, body = await post(api, "/requests.json", pothole(client_request_key=key))
    assert status == 400
    conforms("errors", body)
    assert "client_request_key" in body[0]["description"]
    assert count(settings.database) == 0


async def test_racing_resends_of_one_report_make_exactly_one_case(api, settings):
    results = await asyncio.gather(
        *(post(api, "/requests.json", pothole(client_request_key="chat-racing-resend")) for _ in range(20))
    )
    assert sorted(status for status, _ in results) == [200] * 19 + [201]
    assert len({body[0]["service_request_id"] for _, body in results}) == 1
    assert count(settings.database) == 1


def test_the_key_is_read_from_its_own_form_field_and_absent_means_none():
    assert request_key({"client_request_key": "chat-abc:123_x.y"}) == "chat-abc:123_x.y"
    assert request_key({}) is None and request_key({"client_request_key": ""}) is None
    with pytest.raises(Open311Error):
        request_key({"client_request_key": "bad key!"})


def test_the_store_never_holds_the_api_key_itself():
    assert client_of(API_KEY) != API_KEY and len(client_of(API_KEY)) == 32
    assert client_of(API_KEY) == client_of(API_KEY) != client_of(OTHER_KEY)


def test_a_key_expires_with_the_case_retention_then_a_resend_is_a_new_case(tmp_path):
    store = CaseStore(tmp_path / "cases.sqlite3")
    service = load_catalogue(PACKAGE_DIR / "services.yml")["graffiti"]
    first, created = store.create_once(new_request(email="a@example.com"), service, NOW, "client", "chat-expiring")
    assert created
    assert store.create_once(new_request(), service, NOW, "client", "chat-expiring") == (first, False)
    store.update_status(first["service_request_id"], "FIXED", "Cleaned", "Officer", NOW)
    store.purge_contact_details(NOW + dt.timedelta(days=89), retention_days=90)
    assert not store.create_once(new_request(), service, NOW, "client", "chat-expiring")[1]
    store.purge_contact_details(NOW + dt.timedelta(days=91), retention_days=90)
    later, created = store.create_once(new_request(), service, NOW + dt.timedelta(days=91), "client", "chat-expiring")
    assert created and later["service_request_id"] != first["service_request_id"]


def test_an_erased_case_forgets_its_key(tmp_path):
    store = CaseStore(tmp_path / "cases.sqlite3")
    service = load_catalogue(PACKAGE_DIR / "services.yml")["graffiti"]
    first, _ = store.create_once(new_request(), service, NOW, "client", "chat-erased-key")
    store.privacy_erase([first["service_request_id"]])
    with sqlite3.connect(store.path) as db:
        assert db.execute("SELECT client, client_request_key FROM requests").fetchone() == (None, None)


def test_a_database_made_before_keys_gains_the_columns_and_keeps_its_cases(tmp_path):
    path = tmp_path / "old.sqlite3"
    old_schema = """
    CREATE TABLE counters (year INTEGER PRIMARY KEY, last INTEGER NOT NULL);
    CREATE TABLE requests (
        id TEXT PRIMARY KEY, service_code TEXT NOT NULL, service_name TEXT NOT NULL, agency TEXT,
        service_notice TEXT, extended_status TEXT NOT NULL, status_notes TEXT, description TEXT NOT NULL,
        address TEXT, zipcode TEXT, lat REAL, long REAL, attributes TEXT NOT NULL,
        email TEXT, phone TEXT, first_name TEXT, last_name TEXT,
        requested TEXT NOT NULL, updated TEXT NOT NULL, expected TEXT, closed TEXT);
    INSERT INTO counters VALUES (2026, 7);
    INSERT INTO requests (id, service_code, service_name, extended_status, description, attributes, requested, updated)
    VALUES ('NB-2026-000007', 'graffiti', 'Graffiti', 'OPEN', 'Old case', '{}',
            '2026-11-01T10:00:00.000000+00:00', '2026-11-01T10:00:00.000000+00:00');
    """
    with sqlite3.connect(path) as db:
        db.executescript(old_schema)
    store = CaseStore(path)
    assert store.get("NB-2026-000007")["description"] == "Old case"
    service = load_catalogue(PACKAGE_DIR / "services.yml")["graffiti"]
    made, created = store.create_once(new_request(), service, NOW, "client", "chat-after-migration")
    assert created and made["service_request_id"] == "NB-2026-000008"
    assert store.create_once(new_request(), service, NOW, "client", "chat-after-migration") == (made, False)
    CaseStore(path)  # opening it again changes nothing
    assert count(path) == 2
