"""What FixMyStreet's Open311 client sends beyond the service definition, against the real service.

FixMyStreet (perllib/Open311.pm ``_populate_service_request_params``) sends every extra
field of the report as ``attribute[name]`` and always ``attribute[uprn]`` when it knows
one; FixMyStreet::SendReport::Open311 adds ``fixmystreet_id``, ``closest_address``,
``easting`` and ``northing``; cobrands add ``report_url``, ``title``, ``description``. Its UK
description is title, detail and link in one text (``_generate_service_request_description``),
and with ``multi_photos`` it repeats ``media_url`` once per photo.
"""

import sqlite3

import pytest

from contracts import open311_xml
from contracts.contact_rules import DESCRIPTION_LIMIT, OPEN311_DESCRIPTION_LIMIT
from service_requests.settings import Settings
from service_requests.validation import EXTRA_ATTRIBUTES_LIMIT, MEDIA_URLS_LIMIT
from tests.service_requests.conftest import API_KEY, BASE, STAFF_KEY, conforms, pothole, xml_body
from tests.service_requests.test_fixmystreet_client import xml_simple

PHOTOS = [f"https://www.fixmystreet.example/photo/1234.{n}.full.jpeg?a1b2c3" for n in range(3)]
DETAIL = ("The hole is about a foot across and getting deeper; a cyclist nearly came off this morning. " * 60).strip()
EXTRAS = {
    "uprn": "100012345678",
    "fixmystreet_id": "1234",
    "easting": "372951",
    "northing": "434567",
    "closest_address": "12 Station Road, Northbridge NB4 2QT",
    "report_url": "https://www.fixmystreet.example/report/1234",
    "title": "Deep pothole by the bus stop",
}


def fixmystreet_description(title: str, detail: str, url: str) -> str:
    """Open311.pm's ``_generate_service_request_description`` for a UK cobrand."""
    return f"title: {title}\n\ndetail: {detail}\n\nurl: {url}\n\nSubmitted via FixMyStreet\n"


def fixmystreet_form(photos=PHOTOS[:1], extras=EXTRAS) -> list[tuple[str, str]]:
    """The fields FixMyStreet POSTs for a pothole reported with a map pin, in order."""
    form = [
        ("api_key", API_KEY),
        ("jurisdiction_id", "northbridge.example"),
        ("service_code", "pothole"),
        ("description", fixmystreet_description(EXTRAS["title"], DETAIL, EXTRAS["report_url"])),
        ("first_name", "Alex"),
        ("last_name", "Smith"),
        ("email", "alex@example.org"),
        ("lat", "53.745612"),
        ("long", "-2.487133"),
        ("attribute[surface]", "road"),
        ("attribute[size]", "large"),
    ]
    form += [(f"attribute[{code}]", value) for code, value in extras.items()]
    form += [("media_url", url) for url in photos]
    return form


async def stored(api) -> list:
    return await (await api.get(f"{BASE}/requests.json", params={"api_key": STAFF_KEY})).json()


def test_the_open311_description_limit_is_fixmystreets_and_the_chats_own_limit_is_unchanged():
    assert DESCRIPTION_LIMIT == 2000  # what the relay takes from a resident leaving a message
    assert Settings(database=":memory:", api_keys=frozenset(), staff_keys=frozenset()).max_description == 10_000
    assert DESCRIPTION_LIMIT <= OPEN311_DESCRIPTION_LIMIT  # a message the chat took, the case system takes


async def test_a_fixmystreet_report_with_extra_attributes_and_a_long_description_is_taken_in_xml(api):
    form = fixmystreet_form()
    assert len(dict(form)["description"]) > 5000
    response = await api.post(f"{BASE}/requests.xml", data=form)
    assert response.status == 201, await response.text()
    created = await response.read()
    conforms("request_created", open311_xml.parse(created))
    reference = xml_simple(created)["request"][0]["service_request_id"]  # as Open311.pm reads it
    assert isinstance(reference, str)

    public = await xml_body(await api.get(f"{BASE}/requests.xml", params={"service_request_id": reference}), "requests")
    assert public[0]["attributes"] == {"surface": "road", "size": "large"}
    assert (
        "extra_attributes" not in public[0]
        and b"100012345678" not in await (await api.get(f"{BASE}/requests/{reference}.xml")).read()
    )
    assert public[0]["media_url"] == PHOTOS[0]

    staff = await xml_body(await api.get(f"{BASE}/requests/{reference}.xml", params={"api_key": STAFF_KEY}), "requests")
    assert staff[0]["extra_attributes"] == EXTRAS
    assert staff[0]["description"] == fixmystreet_description(EXTRAS["title"], DETAIL, EXTRAS["report_url"]).strip()
    as_json = await (await api.get(f"{BASE}/requests/{reference}.json", params={"api_key": STAFF_KEY})).json()
    conforms("requests", as_json)
    assert as_json == staff


async def test_staff_lists_show_the_extra_answers_and_public_lists_never_do(api):
    response = await api.post(f"{BASE}/requests.json", data=fixmystreet_form())
    assert response.status == 201
    public = await (await api.get(f"{BASE}/requests.json")).json()
    conforms("requests", public)
    assert "extra_attributes" not in public[0] and "closest_address" not in str(public)
    assert (await stored(api))[0]["extra_attributes"]["closest_address"] == EXTRAS["closest_address"]


async def test_several_media_urls_the_first_is_the_requests_and_staff_see_the_rest(api):
    response = await api.post(f"{BASE}/requests.json", data=fixmystreet_form(photos=PHOTOS))
    assert response.status == 201, await response.text()
    reference = (await response.json())[0]["service_request_id"]
    public = await (await api.get(f"{BASE}/requests/{reference}.json")).json()
    conforms("requests", public)
    assert public[0]["media_url"] == PHOTOS[0] and "extra_media_urls" not in public[0]
    staff = await (await api.get(f"{BASE}/requests/{reference}.xml", params={"api_key": STAFF_KEY})).read()
    assert open311_xml.parse(staff)[0]["extra_media_urls"] == PHOTOS[1:]
    assert staff.count(b"<media_url>") == 3


async def test_a_report_sent_before_extras_were_kept_reads_as_before(api):
    response = await api.post(f"{BASE}/requests.json", data=pothole())
    assert response.status == 201
    found = (await stored(api))[0]
    assert "extra_attributes" not in found and "extra_media_urls" not in found


def too_many_attributes():
    return {f"extra_{n}": "x" for n in range(EXTRA_ATTRIBUTES_LIMIT + 1)}


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(
    "form, message",
    [
        (
            fixmystreet_form(extras=too_many_attributes()),
            "too many attributes this service does not ask for: at most 50",
        ),
        (fixmystreet_form(extras={"u" * 101: "1"}), "an attribute code must be 1-100 letters, digits or _.:-"),
        (fixmystreet_form(extras={"uprn": "1" * 10_001}), "attribute[uprn] is too long: at most 10000"),
        (fixmystreet_form(extras={"uprn": "<script>x</script>"}), "attribute[uprn] must not contain HTML"),
        (fixmystreet_form(photos=PHOTOS * 4), "too many media_url values: at most 10, got 12"),
        (fixmystreet_form(photos=[PHOTOS[0], "ftp://x.example/a.jpg"]), "media_url must be an http"),
    ],
)
async def test_beyond_the_bounds_a_report_is_refused_in_the_standard_shape_and_nothing_is_stored(
    api, fmt, form, message
):
    response = await api.post(f"{BASE}/requests.{fmt}", data=form)
    assert response.status == 400
    body = await xml_body(response, "errors") if fmt == "xml" else await response.json()
    conforms("errors", body)
    assert message in body[0]["description"], body
    assert await stored(api) == []


async def test_the_bounds_themselves_are_taken(api):
    extras = {f"extra_{n}": "x" * 100 for n in range(EXTRA_ATTRIBUTES_LIMIT)}
    photos = [f"https://www.fixmystreet.example/photo/1.{n}.jpeg" for n in range(MEDIA_URLS_LIMIT)]
    response = await api.post(f"{BASE}/requests.json", data=fixmystreet_form(photos=photos, extras=extras))
    assert response.status == 201, await response.text()
    found = (await stored(api))[0]
    conforms("requests", [found])
    assert len(found["extra_attributes"]) == EXTRA_ATTRIBUTES_LIMIT and len(found["extra_media_urls"]) == 9


async def test_erasure_clears_the_extra_answers_and_photos_and_subject_access_finds_them(api, settings):
    extras = {**EXTRAS, "reporter_contact": "alex.other@example.org"}
    response = await api.post(f"{BASE}/requests.json", data=fixmystreet_form(photos=PHOTOS, extras=extras))
    reference = (await response.json())[0]["service_request_id"]
    found = await api.get(
        f"{BASE}/privacy/requests.json", params={"api_key": STAFF_KEY, "email": "alex.other@example.org"}
    )
    assert [r["service_request_id"] for r in await found.json()] == [reference]
    erased = await api.post(f"{BASE}/privacy/erase.json", data={"api_key": STAFF_KEY, "service_request_id": reference})
    assert erased.status == 200
    with sqlite3.connect(settings.database) as db:
        row = db.execute(
            "SELECT extra_attributes, extra_media_urls FROM requests WHERE id = ?", (reference,)
        ).fetchone()
    assert row == (None, None)


async def test_a_residents_update_with_several_photos_keeps_the_first_and_the_rest_for_staff(api):
    response = await api.post(f"{BASE}/requests.json", data=pothole())
    reference = (await response.json())[0]["service_request_id"]
    update = [
        ("api_key", API_KEY),
        ("service_request_id", reference),
        ("description", "Still there. " + DETAIL),
        ("update_id", "777"),
        *[("media_url", url) for url in PHOTOS],
    ]
    assert len(dict(update)["description"]) > 2000
    posted = await api.post(f"{BASE}/servicerequestupdates.xml", data=update)
    assert posted.status == 201, await posted.text()
    kept = await api.get(f"{BASE}/requests/{reference}/citizen_updates.xml", params={"api_key": STAFF_KEY})
    (found,) = open311_xml.parse(await kept.read())
    assert found["media_url"] == PHOTOS[0] and found["extra_media_urls"] == PHOTOS[1:]
    too_many = [*update[:3], ("update_id", "778"), *[("media_url", PHOTOS[0])] * (MEDIA_URLS_LIMIT + 1)]
    refused = await api.post(f"{BASE}/servicerequestupdates.json", data=too_many)
    assert refused.status == 400 and "too many media_url values" in (await refused.json())[0]["description"]
    erased = await api.post(f"{BASE}/privacy/erase.json", data={"api_key": STAFF_KEY, "service_request_id": reference})
    assert erased.status == 200
    kept = await api.get(f"{BASE}/requests/{reference}/citizen_updates.json", params={"api_key": STAFF_KEY})
    assert "extra_media_urls" not in (await kept.json())[0]
