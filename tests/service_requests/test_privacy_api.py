"""The staff-only privacy extension: subject access and erasure of cases."""

import sqlite3

from tests.service_requests.conftest import API_KEY, BASE, STAFF_KEY, contact_message, pothole

PRIVACY = f"{BASE}/privacy"


async def make(api, form) -> str:
    response = await api.post(f"{BASE}/requests.json", data=form)
    assert response.status == 201, await response.text()
    return (await response.json())[0]["service_request_id"]


async def test_only_a_staff_key_reads_a_persons_cases(api):
    await make(api, contact_message(email="jo@example.com"))
    assert (await api.get(f"{PRIVACY}/requests.json", params={"email": "jo@example.com"})).status == 403
    chat_key = await api.get(f"{PRIVACY}/requests.json", params={"api_key": API_KEY, "email": "jo@example.com"})
    assert chat_key.status == 403
    nothing = await api.get(f"{PRIVACY}/requests.json", params={"api_key": STAFF_KEY})
    assert nothing.status == 400


async def test_a_persons_cases_are_found_by_email_phone_or_conversation_with_contact_details_and_history(api):
    mine = await make(api, contact_message(email="Jo@Example.com", phone="07700 900123", first_name="Jo"))
    by_phone_in_text = await make(api, pothole(description="Deep hole, ring me on +44 7700 900 123"))
    other = await make(api, contact_message(email="sam@example.com", **{"attribute[conversation_id]": "c_other"}))
    await api.post(
        f"{BASE}/requests/{mine}/status.json",
        data={"api_key": STAFF_KEY, "extended_status": "IN_PROGRESS", "updated_by": "Sam", "status_notes": "Rang Jo"},
    )

    def ask(**params):
        return api.get(f"{PRIVACY}/requests.json", params={"api_key": STAFF_KEY, **params})

    by_email = await (await ask(email="jo@example.com")).json()
    assert [r["service_request_id"] for r in by_email] == [mine]
    assert by_email[0]["email"] == "Jo@Example.com" and by_email[0]["first_name"] == "Jo"
    assert [h["notes"] for h in by_email[0]["history"]] == [None, "Rang Jo"]
    by_phone = await (await ask(phone="07700900123")).json()
    assert {r["service_request_id"] for r in by_phone} == {mine, by_phone_in_text}
    by_conversation = await (await ask(conversation_id="c_other")).json()
    assert [r["service_request_id"] for r in by_conversation] == [other]
    by_id = await (await ask(service_request_id=f"{other},NB-2026-999999")).json()
    assert [r["service_request_id"] for r in by_id] == [other]


async def test_erasure_anonymises_a_case_but_keeps_its_service_dates_and_status(api, settings):
    mine = await make(api, pothole(email="jo@example.com", first_name="Jo", last_name="Bloggs"))
    other = await make(api, pothole(description="Another hole"))
    await api.post(
        f"{BASE}/requests/{mine}/status.json",
        data={"api_key": STAFF_KEY, "extended_status": "FIXED", "updated_by": "Sam", "status_notes": "Told Jo Bloggs"},
    )
    refused = await api.post(f"{PRIVACY}/erase.json", data={"api_key": API_KEY, "service_request_id": mine})
    assert refused.status == 403
    erased = await api.post(
        f"{PRIVACY}/erase.json", data={"api_key": STAFF_KEY, "service_request_id": f"{mine},NB-2026-999999"}
    )
    assert await erased.json() == [{"service_request_id": mine, "erased": True}]
    with sqlite3.connect(settings.database) as db:
        dump = "\n".join(db.iterdump())
        row = db.execute(
            "SELECT service_code, extended_status, description, address, zipcode, email, first_name, attributes,"
            " requested IS NOT NULL FROM requests WHERE id = ?",
            (mine,),
        ).fetchone()
    assert row == ("pothole", "FIXED", "[erased]", None, None, None, None, "{}", 1)
    assert "Jo Bloggs" not in dump and "jo@example.com" not in dump and "Station Road" in dump  # the other case
    assert settings.database.read_bytes().count(b"jo@example.com") == 0
    got = await (await api.get(f"{BASE}/requests/{other}.json")).json()
    assert got[0]["description"] == "Another hole"


async def test_residents_updates_and_photo_addresses_are_found_for_subject_access_and_erased(api, settings):
    mine = await make(api, pothole(media_url="https://fixmystreet.example/photo/9.full.jpeg"))
    update = {
        "api_key": API_KEY,
        "service_request_id": mine,
        "description": "Still there, email me at jo@example.com",
        "media_url": "https://fixmystreet.example/photo/10.full.jpeg",
        "update_id": "77",
    }
    assert (await api.post(f"{BASE}/servicerequestupdates.json", data=update)).status == 201
    found = await (
        await api.get(f"{PRIVACY}/requests.json", params={"api_key": STAFF_KEY, "email": "jo@example.com"})
    ).json()
    assert [r["service_request_id"] for r in found] == [mine]
    assert [u["description"] for u in found[0]["citizen_updates"]] == ["Still there, email me at jo@example.com"]

    await api.post(f"{PRIVACY}/erase.json", data={"api_key": STAFF_KEY, "service_request_id": mine})
    with sqlite3.connect(settings.database) as db:
        dump = "\n".join(db.iterdump())
    assert "jo@example.com" not in dump and "fixmystreet.example/photo" not in dump
