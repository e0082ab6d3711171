"""Every Open311 endpoint in XML, discovery, media_url and the service request updates extension."""

import pytest

from contracts import open311_xml
from tests.service_requests.conftest import API_KEY, BASE, STAFF_KEY, conforms, pothole, xml_body

STAFF = f"api_key={STAFF_KEY}"


async def create(api, fmt="xml", **overrides):
    response = await api.post(f"{BASE}/requests.{fmt}", data=pothole(**overrides))
    assert response.status == 201, await response.text()
    body = await xml_body(response, "request_created") if fmt == "xml" else await response.json()
    return body[0]["service_request_id"]


async def change_status(api, reference, status, notes):
    form = {"api_key": STAFF_KEY, "extended_status": status, "status_notes": notes, "updated_by": "Sam Patel"}
    response = await api.post(f"{BASE}/requests/{reference}/status.json", data=form)
    assert response.status == 200, await response.text()


async def test_services_xml_lists_the_same_services_as_services_json(api):
    as_json = await (await api.get(f"{BASE}/services.json")).json()
    as_xml = await xml_body(await api.get(f"{BASE}/services.xml"), "services")
    assert as_xml == as_json
    assert as_xml[0]["metadata"] is True and as_xml[0]["type"] == "realtime"


async def test_a_service_definition_in_xml_has_its_attributes_and_values(api):
    as_json = await (await api.get(f"{BASE}/services/pothole.json")).json()
    response = await api.get(f"{BASE}/services/pothole.xml")
    raw = (await response.read()).decode()
    assert "<service_definition><service_code>pothole</service_code><attributes><attribute>" in raw
    assert "<values><value><key>road</key>" in raw
    as_xml = await xml_body(response, "service_definition")
    assert as_xml == as_json
    assert "datatype_description" not in as_xml["attributes"][0]  # never null: the Swagger says string


async def test_a_report_posted_to_requests_xml_reads_back_from_requests_xml_and_json(api):
    reference = await create(api, media_url="https://fixmystreet.example/photo/1.full.jpeg")
    one = await xml_body(await api.get(f"{BASE}/requests/{reference}.xml"), "requests")
    listed = await xml_body(await api.get(f"{BASE}/requests.xml?service_request_id={reference}"), "requests")
    as_json = await (await api.get(f"{BASE}/requests/{reference}.json")).json()
    conforms("requests", as_json)
    assert one == listed == as_json
    assert one[0]["media_url"] == "https://fixmystreet.example/photo/1.full.jpeg"
    assert one[0]["attributes"] == {"size": "large", "surface": "road"}


async def test_media_url_is_left_out_until_there_is_a_photo_and_must_be_a_web_address(api):
    reference = await create(api, fmt="json")
    found = await (await api.get(f"{BASE}/requests/{reference}.json")).json()
    assert "media_url" not in found[0]
    response = await api.post(f"{BASE}/requests.xml", data=pothole(media_url="ftp://example.org/photo.jpg"))
    assert response.status == 400
    errors = await xml_body(response, "errors")
    assert errors == [{"code": 400, "description": "media_url must be an http:// or https:// address"}]


@pytest.mark.parametrize(
    "path, status",
    [
        ("/services/lost_cat.xml", 404),
        ("/requests/NB-2026-999999.xml", 404),
        ("/tokens/abc.xml", 404),
        ("/requests.xml?status=pending", 400),
        ("/nothing-here.xml", 404),
    ],
)
async def test_errors_in_xml_are_the_standard_errors_element(api, path, status):
    response = await api.get(BASE + path)
    assert response.status == status
    raw = await response.read()
    assert raw.startswith(b"<?xml version='1.0' encoding='utf-8'?>\n<errors><error><code>%d</code>" % status)
    errors = await xml_body(response, "errors")
    assert errors[0]["code"] == status and errors[0]["description"]


async def test_a_refused_post_to_requests_xml_is_an_xml_error(api):
    response = await api.post(f"{BASE}/requests.xml", data=pothole(api_key="wrong-key-0123456789"))
    assert response.status == 403
    assert await xml_body(response, "errors") == [{"code": 403, "description": "api_key is not valid"}]


async def test_text_with_markup_characters_is_escaped_in_xml(api):
    reference = await create(api, description="Hole & crack > 10cm")
    found = await xml_body(await api.get(f"{BASE}/requests/{reference}.xml?{STAFF}"), "requests")
    assert found[0]["description"] == "Hole & crack > 10cm"


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_discovery_names_the_endpoint_and_both_formats(api, fmt):
    response = await api.get(f"{BASE}/discovery.{fmt}")
    assert response.status == 200
    body = open311_xml.parse(await response.read()) if fmt == "xml" else await response.json()
    endpoint = body["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2/")
    assert endpoint["formats"] == ["application/json", "text/xml"]
    assert endpoint["type"] == "production" and body["changeset"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_status_changes_are_listed_as_service_request_updates_within_the_dates(api, fmt):
    reference = await create(api, fmt="json")
    await change_status(api, reference, "IN_PROGRESS", "Crew booked for Friday, call 01632 960123")
    await change_status(api, reference, "FIXED", "Filled")
    response = await api.get(f"{BASE}/servicerequestupdates.{fmt}?start_date=2000-01-01T00:00:00Z")
    assert response.status == 200
    body = open311_xml.parse(await response.read()) if fmt == "xml" else await response.json()
    assert [(u["service_request_id"], u["status"]) for u in body] == [
        (reference, "IN_PROGRESS"),
        (reference, "FIXED"),
    ]
    first = body[0]
    assert first["description"] == "Crew booked for Friday, call [phone]"  # masked without a staff key
    assert first["update_id"] and first["updated_datetime"]
    future = await api.get(f"{BASE}/servicerequestupdates.{fmt}?start_date=2099-01-01T00:00:00Z")
    assert (open311_xml.parse(await future.read()) if fmt == "xml" else await future.json()) == []


async def test_updates_to_private_cases_are_listed_only_for_staff(api):
    message = {
        "api_key": API_KEY,
        "service_code": "contact_centre_message",
        "description": "Please call me",
        "attribute[call_back]": "yes",
    }
    reference = (await (await api.post(f"{BASE}/requests.json", data=message)).json())[0]["service_request_id"]
    await change_status(api, reference, "CLOSED", "Called back")
    public = await (await api.get(f"{BASE}/servicerequestupdates.json?api_key={API_KEY}")).json()
    staff = await (await api.get(f"{BASE}/servicerequestupdates.json?{STAFF}")).json()
    assert reference not in {u["service_request_id"] for u in public}
    assert reference in {u["service_request_id"] for u in staff}


def fms_update(reference, **overrides):
    form = {
        "api_key": API_KEY,
        "service_request_id": reference,
        "updated_datetime": "2026-12-01T10:00:00Z",
        "status": "OPEN",
        "description": "Still there, and getting bigger",
        "first_name": "Alex",
        "last_name": "Smith",
        "email": "alex@example.org",
        "update_id": "4242",
    }
    form.update(overrides)
    return {k: v for k, v in form.items() if v is not None}


async def test_a_residents_update_is_kept_once_for_staff_without_changing_the_status(api):
    reference = await create(api, fmt="json")
    response = await api.post(f"{BASE}/servicerequestupdates.xml", data=fms_update(reference))
    assert response.status == 201
    created = open311_xml.parse(await response.read())
    update_id = created[0]["update_id"]
    assert update_id.startswith("C")
    again = await api.post(f"{BASE}/servicerequestupdates.xml", data=fms_update(reference))
    assert again.status == 200 and open311_xml.parse(await again.read())[0]["update_id"] == update_id
    kept = await (await api.get(f"{BASE}/requests/{reference}/citizen_updates.json?{STAFF}")).json()
    assert [(u["update_id"], u["status"], u["description"]) for u in kept] == [
        (update_id, "OPEN", "Still there, and getting bigger")
    ]
    case = await (await api.get(f"{BASE}/requests/{reference}.json")).json()
    assert case[0]["extended_status"] == "OPEN"
    forbidden = await api.get(f"{BASE}/requests/{reference}/citizen_updates.json?api_key={API_KEY}")
    assert forbidden.status == 403


@pytest.mark.parametrize(
    "overrides, status, message",
    [
        ({"api_key": None}, 403, "api_key is required"),
        ({"description": ""}, 400, "description is required"),
        ({"service_request_id": "NB-2026-999999"}, 404, "no service request"),
        ({"status": "<b>"}, 400, "status must be a status name"),
        ({"update_id": "a b"}, 400, "update_id must be"),
        ({"updated_datetime": "yesterday"}, 400, "updated_datetime must be an ISO 8601"),
    ],
)
async def test_a_bad_residents_update_is_refused_in_the_standard_shape(api, overrides, status, message):
    reference = await create(api, fmt="json")
    response = await api.post(f"{BASE}/servicerequestupdates.json", data=fms_update(reference, **overrides))
    assert response.status == status
    body = await response.json()
    conforms("errors", body)
    assert message in body[0]["description"]


async def test_past_the_limit_the_updates_list_keeps_the_newest_changes(api, monkeypatch):
    from service_requests import app as open311_app

    monkeypatch.setattr(open311_app, "UPDATES_LIMIT", 2)
    reference = await create(api, fmt="json")
    for status in ("INVESTIGATING", "IN_PROGRESS", "FIXED"):
        await change_status(api, reference, status, status.lower())
    body = await (await api.get(f"{BASE}/servicerequestupdates.json")).json()
    assert [u["status"] for u in body] == ["IN_PROGRESS", "FIXED"]
