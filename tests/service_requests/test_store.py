"""The case store on its own: retention of contact details and status history."""

import datetime as dt
import sqlite3

import pytest

from service_requests.catalogue import load_catalogue
from service_requests.settings import PACKAGE_DIR
from service_requests.store import CaseStore, Filters, NotFoundError
from service_requests.validation import NewRequest

NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.timezone.utc)


def new_request(**contact):
    return NewRequest(
        service_code="graffiti",
        description="Tag on the wall",
        address="Mill Lane",
        zipcode="NB7 5HD",
        lat=None,
        long=None,
        attributes={"surface": "wall", "offensive": "no"},
        **contact,
    )


def raw_contact(store, request_id):
    with sqlite3.connect(store.path) as db:
        return db.execute("SELECT email, phone, first_name FROM requests WHERE id = ?", (request_id,)).fetchone()


def test_contact_details_are_removed_only_after_the_retention_period_once_closed(tmp_path):
    store = CaseStore(tmp_path / "cases.sqlite3")
    service = load_catalogue(PACKAGE_DIR / "services.yml")["graffiti"]
    open_case = store.create(new_request(email="a@example.com"), service, NOW)["service_request_id"]
    closed_case = store.create(new_request(email="b@example.com", phone="01632 960111"), service, NOW)[
        "service_request_id"
    ]
    store.update_status(closed_case, "FIXED", "Cleaned", "Officer", NOW)

    assert store.purge_contact_details(NOW + dt.timedelta(days=89), retention_days=90) == 0
    assert store.purge_contact_details(NOW + dt.timedelta(days=91), retention_days=90) == 1
    assert raw_contact(store, closed_case) == (None, None, None)
    assert raw_contact(store, open_case) == ("a@example.com", None, None)
    assert store.get(closed_case)["description"] == "Tag on the wall"  # the case itself is kept


def test_references_restart_at_one_each_year_and_expected_dates_skip_bank_holidays(tmp_path):
    store = CaseStore(tmp_path / "cases.sqlite3")
    service = load_catalogue(PACKAGE_DIR / "services.yml")["missed_bin"]  # 2 working days
    christmas_eve = dt.datetime(2026, 12, 24, 12, 0, tzinfo=dt.timezone.utc)
    first = store.create(new_request(), service, christmas_eve)
    assert first["service_request_id"] == "NB-2026-000001"
    # 25 and 26 December 2026 are bank holidays (the 26th a Saturday, substitute on Monday 28th)
    assert first["expected_datetime"].startswith("2026-12-30")
    next_year = store.create(new_request(), service, dt.datetime(2027, 1, 4, 9, tzinfo=dt.timezone.utc))
    assert next_year["service_request_id"] == "NB-2027-000001"
    assert len(store.search(Filters(zipcode="NB7 5HD"))) == 2


def test_an_existing_case_file_readable_by_others_is_made_private(tmp_path):
    path = tmp_path / "cases.sqlite3"
    path.touch(mode=0o644)
    path.chmod(0o644)
    CaseStore(path)
    assert path.stat().st_mode & 0o777 == 0o600


def test_a_photo_address_set_on_a_case_is_its_media_url_without_counting_as_a_change(tmp_path):
    store = CaseStore(tmp_path / "cases.sqlite3")
    created = store.create(new_request(), load_catalogue(PACKAGE_DIR / "services.yml")["graffiti"], NOW)
    assert created["media_url"] is None
    store.set_media_url(created["service_request_id"], "https://northbridge.example/photos/1.jpeg")
    found = store.get(created["service_request_id"])
    assert found["media_url"] == "https://northbridge.example/photos/1.jpeg"
    assert found["updated_datetime"] == created["updated_datetime"]
    assert len(store.history(created["service_request_id"])) == 1
    with pytest.raises(NotFoundError):
        store.set_media_url("NB-2026-999999", "https://x.example/1.jpeg")
