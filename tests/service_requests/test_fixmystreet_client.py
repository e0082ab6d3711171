"""The built-in service as FixMyStreet's Open311 client meets it.

Each step sends what FixMyStreet's ``perllib/Open311.pm`` sends (the same URLs, query
parameters and form fields, ``jurisdiction_id`` on every request, ``api_key`` on POSTs and
on the updates poll) and reads the answer the way it does: XML::Simple with ``ForceArray``
on the item tags, ``KeyAttr => {}``, ``GroupTags`` and ``SuppressEmpty => undef``, emulated
below with the standard library's parser (on our own answers only) so that nothing of
``contracts.open311_xml`` is used to read them.
"""

import datetime as dt
from xml.etree import ElementTree as ET  # noqa: S405 - parses only this service's own answers in a test

from tests.service_requests.conftest import API_KEY, BASE, STAFF_KEY

JURISDICTION = "northbridge.example"
# Open311.pm's _get_xml_object: these tags are always arrays, and a group element holding
# only its item tag becomes that array.
GROUP_TAGS = {
    "services": "service",
    "attributes": "attribute",
    "values": "value",
    "service_requests": "request",
    "errors": "error",
    "service_request_updates": "request_update",
    "groups": "group",
}
FORCE_ARRAY = set(GROUP_TAGS.values())


def xml_simple(text: bytes):
    """What ``XML::Simple->new(ForceArray => [...], KeyAttr => {}, GroupTags => {...},
    SuppressEmpty => undef)->parse_string`` gives: the root's content, leaves as strings
    (``None`` for an empty one), repeated or forced tags as lists."""

    def read(element):
        children = list(element)
        if not children:
            return element.text if element.text and element.text.strip() else None
        out: dict = {}
        for child in children:
            value = read(child)
            if child.tag in FORCE_ARRAY:
                out.setdefault(child.tag, []).append(value)
            elif child.tag in out:
                out[child.tag] = (
                    [*out[child.tag], value] if isinstance(out[child.tag], list) else [out[child.tag], value]
                )
            else:
                out[child.tag] = value
        if element.tag in GROUP_TAGS and set(out) == {GROUP_TAGS[element.tag]}:
            return out[GROUP_TAGS[element.tag]] if element is not root else out
        return out

    root = ET.fromstring(text)  # noqa: S314 - our own answer, in a test
    return read(root)


def w3cdtf(moment: dt.datetime) -> str:
    """DateTime::Format::W3CDTF for a UTC time."""
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


async def fms_get(api, path, **params):
    response = await api.get(f"{BASE}/{path}", params={**params, "jurisdiction_id": JURISDICTION})
    return response.status, xml_simple(await response.read())


async def fms_post(api, path, params):
    form = {**params, "jurisdiction_id": JURISDICTION, "api_key": API_KEY}
    response = await api.post(f"{BASE}/{path}", data=form)
    return response.status, xml_simple(await response.read())


def error_text(obj) -> str:
    """Open311.pm's _process_error."""
    return "".join(f"{e.get('code') or '???'}: {e.get('description') or 'unknown error'}\n" for e in obj["error"])


async def test_fixmystreet_reads_the_services_and_their_questions(api):
    status, services = await fms_get(api, "services.xml")
    assert status == 200
    codes = [s["service_code"] for s in services["service"]]
    assert "pothole" in codes and "contact_centre_message" not in codes
    for service in services["service"]:
        assert service["service_name"] and service["group"] and service["type"] == "realtime"
        assert service["metadata"].lower() in ("true", "false")  # PopulateServiceList: lc($metadata) eq 'true'
        if service["metadata"].lower() != "true":
            continue
        status, meta = await fms_get(api, f"services/{service['service_code']}.xml")
        assert status == 200 and meta["service_code"] == service["service_code"]
        for attribute in meta["attributes"]:
            assert attribute["variable"] == "true" and attribute["code"] and attribute["datatype"]
            assert attribute["required"] in ("true", "false") and int(attribute["order"]) >= 1
            if attribute["datatype"] == "singlevaluelist":
                assert all(v["key"] and v["name"] for v in attribute["values"])


async def report_a_pothole(api, **location):
    _, meta = await fms_get(api, "services/pothole.xml")
    params = {
        "description": "Deep pothole on the bend",
        "service_code": "pothole",
        "first_name": "Alex",
        "last_name": "Smith",
        "email": "alex@example.org",
        "media_url": "https://fixmystreet.example/photo/123.0.full.jpeg",
        **location,
    }
    for attribute in meta["attributes"]:
        if attribute["required"] == "true":
            params[f"attribute[{attribute['code']}]"] = attribute["values"][0]["key"]
    status, obj = await fms_post(api, "requests.xml", params)
    assert status == 201, obj
    request_id = obj["request"][0]["service_request_id"]
    assert isinstance(request_id, str)  # Open311.pm: return $request_id unless ref $request_id
    return request_id


async def test_fixmystreet_sends_reports_by_postcode_and_by_map_pin_and_reads_them_back(api):
    by_postcode = await report_a_pothole(api, address_string="NB4 2QT")
    by_pin = await report_a_pothole(api, lat="53.7456", long="-2.4871")
    status, obj = await fms_get(api, "requests.xml", service_request_id=f"{by_postcode},{by_pin}")
    assert status == 200
    found = {r["service_request_id"]: r for r in obj["request"]}
    assert set(found) == {by_postcode, by_pin}
    # Read without a key, as FixMyStreet reads: the pin is public, rounded to about 100 m.
    assert found[by_pin]["lat"] == "53.746" and found[by_pin]["long"] == "-2.487"
    assert found[by_postcode]["address"] == "NB4 2QT"
    assert found[by_pin]["media_url"] == "https://fixmystreet.example/photo/123.0.full.jpeg"
    assert found[by_pin]["status"] == "open"


async def test_fixmystreet_reads_a_refusal_from_the_errors_element(api):
    status, obj = await fms_post(api, "requests.xml", {"service_code": "pothole", "description": "x"})
    assert status == 400
    assert error_text(obj) == "400: a location is required: address_string, zipcode, or lat and long\n"
    status, obj = await fms_get(api, "tokens/abc123.xml")  # get_service_request_id_from_token finds none
    assert status == 404 and "request" not in obj and error_text(obj).startswith("404: ")


async def test_fixmystreet_polls_status_changes_and_posts_a_residents_update(api):
    request_id = await report_a_pothole(api, address_string="NB4 2QT")
    form = {"api_key": STAFF_KEY, "extended_status": "FIXED", "status_notes": "Filled", "updated_by": "Sam Patel"}
    assert (await api.post(f"{BASE}/requests/{request_id}/status.json", data=form)).status == 200

    now = dt.datetime.now(dt.timezone.utc)
    status, obj = await fms_get(
        api,
        "servicerequestupdates.xml",
        api_key=API_KEY,
        start_date=w3cdtf(now - dt.timedelta(hours=2)),
        end_date=w3cdtf(now + dt.timedelta(minutes=1)),
    )
    assert status == 200
    updates = [u for u in obj["request_update"] if u["service_request_id"] == request_id]
    assert len(updates) == 1
    update = updates[0]
    assert update["update_id"] and update["description"] == "Filled"
    # Open311.pm's map_state: lc, underscores to spaces, then its table.
    assert update["status"].lower().replace("_", " ") == "fixed"
    assert dt.datetime.fromisoformat(update["updated_datetime"]) <= now + dt.timedelta(seconds=1)

    comment = {
        "updated_datetime": w3cdtf(now),
        "service_request_id": request_id,
        "status": "OPEN",
        "description": "It has opened up again",
        "last_name": "Smith",
        "first_name": "Alex",
        "email": "alex@example.org",
        "update_id": "981",
    }
    status, obj = await fms_post(api, "servicerequestupdates.xml", comment)
    assert status == 201
    update_id = obj["request_update"][0]["update_id"]
    assert isinstance(update_id, str) and update_id  # return $update_id unless ref $update_id
