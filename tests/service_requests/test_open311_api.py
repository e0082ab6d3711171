"""The Open311 API over HTTP against the real service and its SQLite store."""

import asyncio

import pytest

from service_requests.app import create_standalone_app
from tests.service_requests.conftest import API_KEY, BASE, STAFF_KEY, conforms, contact_message, post, pothole

SERVICE_CODES = [
    "missed_bin",
    "pothole",
    "street_light",
    "fly_tipping",
    "graffiti",
    "dog_fouling",
    "abandoned_vehicle",
    "bin_replacement",
]
PRIVATE = "contact_centre_message"
STAFF = f"api_key={STAFF_KEY}"


async def test_the_public_services_are_listed_and_staff_also_see_the_private_one(api):
    response = await api.get(f"{BASE}/services.json")
    body = await response.json()
    conforms("services", body)
    assert [s["service_code"] for s in body] == SERVICE_CODES
    body = await (await api.get(f"{BASE}/services.json?{STAFF}")).json()
    conforms("services", body)
    assert [s["service_code"] for s in body] == [*SERVICE_CODES, PRIVATE]


@pytest.mark.parametrize("code", SERVICE_CODES)
async def test_each_service_has_a_definition_with_its_questions(api, code):
    body = await (await api.get(f"{BASE}/services/{code}.json")).json()
    conforms("service_definition", body)
    assert body["service_code"] == code and body["attributes"]


async def test_the_private_service_definition_is_for_staff_and_unknown_to_others(api):
    body = await (await api.get(f"{BASE}/services/{PRIVATE}.json?{STAFF}")).json()
    conforms("service_definition", body)
    assert body["service_code"] == PRIVATE and body["attributes"]
    for query in ("", f"?api_key={API_KEY}"):
        response = await api.get(f"{BASE}/services/{PRIVATE}.json{query}")
        assert response.status == 404
        assert await response.json() == [
            {"code": 404, "description": f"service_code {PRIVATE!r} is not a service here"}
        ]


async def test_unknown_service_is_404_in_the_standard_error_shape(api):
    response = await api.get(f"{BASE}/services/lost_cat.json")
    assert response.status == 404
    body = await response.json()
    conforms("errors", body)
    assert body == [{"code": 404, "description": "service_code 'lost_cat' is not a service here"}]


async def test_a_valid_report_gets_a_reference_and_can_be_read_back(api):
    status, body = await post(api, "/requests.json", pothole())
    assert status == 201
    conforms("request_created", body)
    reference = body[0]["service_request_id"]
    assert reference.startswith("NB-") and body[0]["service_notice"]

    found = await (await api.get(f"{BASE}/requests/{reference}.json")).json()
    conforms("requests", found)
    assert found[0]["status"] == "open" and found[0]["extended_status"] == "OPEN"
    assert found[0]["zipcode"] == "NB4 2QT"
    assert found[0]["attributes"] == {"size": "large", "surface": "road"}
    assert found[0]["expected_datetime"] > found[0]["requested_datetime"]


async def test_a_contact_centre_message_needs_no_location_and_reads_back_without_one(api):
    status, body = await post(api, "/requests.json", contact_message())
    assert status == 201
    conforms("request_created", body)
    reference = body[0]["service_request_id"]
    assert reference.startswith("NB-")
    assert body[0]["service_notice"] == "An advisor will reply on the next working day."

    found = await (await api.get(f"{BASE}/requests/{reference}.json?{STAFF}")).json()
    conforms("requests", found)
    assert found[0]["service_code"] == "contact_centre_message"
    assert not {"address", "zipcode", "lat", "long"} & set(found[0])  # unknown: left out, never null
    assert found[0]["attributes"] == {"call_back": "yes", "conversation_id": "conv-20261123-0042"}
    assert found[0]["expected_datetime"] > found[0]["requested_datetime"]

    listed = await (await api.get(f"{BASE}/requests.json?service_code=contact_centre_message&{STAFF}")).json()
    conforms("requests", listed)
    assert [r["service_request_id"] for r in listed] == [reference]
    assert await (await api.get(f"{BASE}/requests.json?zipcode=NB42QT")).json() == []


async def test_a_contact_centre_message_questions_can_all_be_skipped(api):
    status, body = await post(
        api, "/requests.json", contact_message(**{"attribute[call_back]": None, "attribute[conversation_id]": None})
    )
    assert status == 201
    found = await (await api.get(f"{BASE}/requests/{body[0]['service_request_id']}.json?{STAFF}")).json()
    conforms("requests", found)
    assert found[0]["attributes"] == {}


async def test_a_contact_centre_message_location_if_given_is_kept(api):
    status, body = await post(api, "/requests.json", contact_message(zipcode="nb4 2qt"))
    assert status == 201
    found = await (await api.get(f"{BASE}/requests/{body[0]['service_request_id']}.json?{STAFF}")).json()
    assert found[0]["zipcode"] == "NB4 2QT"


async def test_a_pothole_without_a_location_is_still_refused(api):
    status, body = await post(api, "/requests.json", pothole(zipcode=None, address_string=None))
    assert status == 400
    conforms("errors", body)
    assert body[0]["description"] == "a location is required: address_string, zipcode, or lat and long"
    assert await (await api.get(f"{BASE}/requests.json")).json() == []


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"attribute[call_back]": "maybe"}, "attribute[call_back] must be one of: yes, no"),
        ({"attribute[call_back]": "Yes please"}, "attribute[call_back] must be one of: yes, no"),
        ({"zipcode": "NB99 ZZZ"}, "is not a valid UK postcode"),
        ({"lat": "52.1"}, "lat and long must be given together"),
        ({"lat": "95", "long": "0"}, "lat must be between -90 and 90"),
        ({"address_string": "<b>here</b>"}, "address_string must not contain HTML"),
        ({"description": ""}, "description is required"),
        ({"attribute[post code]": "NB4 2QT"}, "attribute[post code]: an attribute code must be"),
    ],
)
async def test_a_contact_centre_message_is_still_checked(api, overrides, message):
    status, body = await post(api, "/requests.json", contact_message(**overrides))
    assert status == 400
    conforms("errors", body)
    assert message in body[0]["description"]
    assert await (await api.get(f"{BASE}/requests.json?{STAFF}")).json() == []


async def test_contact_details_are_stored_but_never_shown(api):
    status, body = await post(
        api, "/requests.json", pothole(email="ann@example.com", phone="01632 960123", first_name="Ann")
    )
    assert status == 201
    text = await (await api.get(f"{BASE}/requests/{body[0]['service_request_id']}.json")).text()
    assert "ann@example.com" not in text and "960123" not in text and "Ann" not in text


@pytest.mark.parametrize(
    "overrides, status, message",
    [
        ({"api_key": None}, 403, "api_key is required"),
        ({"api_key": "wrong-key-0000000000"}, 403, "api_key is not valid"),
        ({"service_code": "unicorn"}, 400, "service_code 'unicorn' is not a service here"),
        ({"description": ""}, 400, "description is required"),
        ({"description": "x" * 10_001}, 400, "description is too long: at most 10000 characters"),
        ({"description": "<script>alert(1)</script>"}, 400, "description must not contain HTML"),
        ({"address_string": "<img src=x onerror=alert(1)>"}, 400, "address_string must not contain HTML"),
        ({"zipcode": "NB99 ZZZ"}, 400, "is not a valid UK postcode"),
        ({"zipcode": None, "address_string": None}, 400, "a location is required"),
        ({"attribute[size]": None}, 400, "attribute[size] is required"),
        ({"attribute[size]": "enormous"}, 400, "attribute[size] must be one of: small, medium, large"),
        ({"attribute[colour]": "<b>red</b>"}, 400, "attribute[colour] must not contain HTML"),
        ({"attribute[colour]": "r" * 10_001}, 400, "attribute[colour] is too long: at most 10000"),
        ({"email": "not-an-email"}, 400, "email is not a valid email address"),
        ({"lat": "52.1"}, 400, "lat and long must be given together"),
    ],
)
async def test_bad_submissions_get_a_clear_error_and_store_nothing(api, overrides, status, message):
    got_status, body = await post(api, "/requests.json", pothole(**overrides))
    assert got_status == status
    conforms("errors", body)
    assert message in body[0]["description"]
    listed = await (await api.get(f"{BASE}/requests.json")).json()
    assert listed == []


async def test_json_body_instead_of_form_is_refused_clearly(api):
    response = await api.post(f"{BASE}/requests.json", json=pothole())
    assert response.status == 400
    assert "form-encoded" in (await response.json())[0]["description"]


async def test_oversized_body_is_refused_in_the_standard_shape(api):
    response = await api.post(f"{BASE}/requests.json", data=pothole(description="x" * 100_000))
    assert response.status == 413
    conforms("errors", await response.json())


async def test_filters_by_code_status_postcode_and_dates(api):
    await post(api, "/requests.json", pothole())
    await post(
        api,
        "/requests.json",
        pothole(
            service_code="graffiti",
            **{"attribute[surface]": "wall", "attribute[size]": None, "attribute[offensive]": "no"},
        ),
    )
    assert len(await (await api.get(f"{BASE}/requests.json?service_code=pothole")).json()) == 1
    assert len(await (await api.get(f"{BASE}/requests.json?status=open&zipcode=NB42QT")).json()) == 2
    assert await (await api.get(f"{BASE}/requests.json?status=closed")).json() == []
    future = await (await api.get(f"{BASE}/requests.json?start_date=2099-01-01T00:00:00Z")).json()
    assert future == []


@pytest.mark.parametrize(
    "query, message",
    [
        ("start_date=yesterday", "start_date must be an ISO 8601 date-time"),
        ("status=pending", "status must be open, closed"),
        ("service_code=nope", "'nope' is not a service here"),
        ("start_date=2026-12-01T00:00:00Z&end_date=2026-11-01T00:00:00Z", "start_date must be before end_date"),
    ],
)
async def test_malformed_filters_are_400(api, query, message):
    response = await api.get(f"{BASE}/requests.json?{query}")
    assert response.status == 400
    assert message in (await response.json())[0]["description"]


async def test_unknown_request_and_token_are_404(api):
    for path in ("/requests/NB-2026-999999.json", "/tokens/abc.json", "/nothing-here"):
        response = await api.get(BASE + path)
        assert response.status == 404
        conforms("errors", await response.json())


async def test_staff_change_status_with_notes_and_it_is_recorded_with_who_and_when(api):
    _, body = await post(api, "/requests.json", pothole())
    reference = body[0]["service_request_id"]
    status, updated = await post(
        api,
        f"/requests/{reference}/status.json",
        {
            "api_key": STAFF_KEY,
            "extended_status": "fixed",
            "status_notes": "Filled on Tuesday",
            "updated_by": "Sam Patel",
        },
    )
    assert status == 200
    conforms("requests", updated)
    assert (updated[0]["status"], updated[0]["extended_status"]) == ("closed", "FIXED")
    assert updated[0]["status_notes"] == "Filled on Tuesday"
    history = await (await api.get(f"{BASE}/requests/{reference}/history.json?api_key={STAFF_KEY}")).json()
    assert [(h["by"], h["extended_status"]) for h in history] == [("submitted", "OPEN"), ("Sam Patel", "FIXED")]


async def test_status_changes_need_a_staff_key_a_known_status_and_a_name(api):
    _, body = await post(api, "/requests.json", pothole())
    path = f"/requests/{body[0]['service_request_id']}/status.json"
    assert (await post(api, path, {"api_key": API_KEY, "extended_status": "FIXED", "updated_by": "x"}))[0] == 403
    assert (await post(api, path, {"api_key": STAFF_KEY, "extended_status": "DONE", "updated_by": "x"}))[0] == 400
    assert (await post(api, path, {"api_key": STAFF_KEY, "extended_status": "FIXED"}))[0] == 400


async def test_concurrent_submissions_never_share_a_reference(api):
    results = await asyncio.gather(*(post(api, "/requests.json", pothole()) for _ in range(40)))
    references = [body[0]["service_request_id"] for _, body in results]
    assert len(set(references)) == 40


async def test_a_restart_loses_nothing_and_numbering_continues(aiohttp_client, settings):
    first = await aiohttp_client(create_standalone_app(settings))
    _, body = await post(first, "/requests.json", pothole())
    await first.close()
    second = await aiohttp_client(create_standalone_app(settings))
    found = await (await second.get(f"{BASE}/requests/{body[0]['service_request_id']}.json")).json()
    assert found[0]["description"] == "Deep hole by the bus stop"
    _, again = await post(second, "/requests.json", pothole())
    assert int(again[0]["service_request_id"][-6:]) == int(body[0]["service_request_id"][-6:]) + 1


def test_the_access_log_never_records_keys_or_postcodes(caplog):
    import logging

    from service_requests.__main__ import PathOnlyAccessLogger

    class Request:
        method, path = "GET", "/open311/v2/requests/NB-2026-000001/history.json"

    class Response:
        status = 200

    with caplog.at_level(logging.INFO):
        PathOnlyAccessLogger(logging.getLogger("access"), "").log(Request(), Response(), 0.002)
    assert caplog.text.strip().endswith("GET /open311/v2/requests/NB-2026-000001/history.json 200 2.0ms")
