"""What anonymous clients, submission keys and staff keys can read, over HTTP against the
real service and its SQLite store; and the pure rule behind it."""

import pytest

from service_requests.catalogue import load_catalogue
from service_requests.settings import PACKAGE_DIR
from service_requests.visibility import for_reader, readable, visible_codes
from tests.service_requests.conftest import API_KEY, BASE, STAFF_KEY, conforms, contact_message, post, pothole

MESSAGE = "My account 1234567890 is wrong, please call me back on 01632 960123 at 12 Acacia Road NB4 2QT"
ANONYMOUS = ("", f"api_key={API_KEY}")  # the submission key reads like no key at all
CATALOGUE = load_catalogue(PACKAGE_DIR / "services.yml")


@pytest.fixture
async def cases(api):
    """One public report and one private message, with personal data in both."""
    _, public = await post(
        api,
        "/requests.json",
        pothole(description="Hole outside 14 Mill Lane, call Ann on 07700 900123", email="ann@example.com"),
    )
    _, private = await post(
        api,
        "/requests.json",
        contact_message(
            description=MESSAGE, email="bob@example.com", phone="01632 960123", zipcode="NB4 2QT", first_name="Bob"
        ),
    )
    return public[0]["service_request_id"], private[0]["service_request_id"]


async def get(api, path, query=""):
    response = await api.get(f"{BASE}{path}" + (f"?{query}" if query else ""))
    return response.status, await response.json()


def ids(body):
    return [r["service_request_id"] for r in body]


def joined(*parts):
    return "&".join(p for p in parts if p)


@pytest.mark.parametrize("key", ANONYMOUS)
async def test_anonymous_lists_never_show_a_private_request(api, cases, key):
    public, private = cases
    for query in (
        "",
        "status=open",
        "status=open,closed",
        "zipcode=NB4%202QT",
        "start_date=2000-01-01T00:00:00Z",
        f"service_request_id={public},{private}",
        f"service_request_id={private}",
        "service_code=pothole",
    ):
        status, body = await get(api, "/requests.json", joined(query, key))
        assert status == 200, query
        conforms("requests", body)
        assert private not in ids(body), query
        assert "contact_centre_message" not in str(body) and "1234567890" not in str(body), query
    assert ids((await get(api, "/requests.json", key))[1]) == [public]


@pytest.mark.parametrize("key", ANONYMOUS)
async def test_anonymous_filter_on_a_private_service_is_answered_as_an_unknown_service(api, cases, key):
    private_code = await get(api, "/requests.json", joined("service_code=contact_centre_message", key))
    unknown_code = await get(api, "/requests.json", joined("service_code=lost_cat", key))
    assert private_code == (
        400,
        [{"code": 400, "description": "service_code 'contact_centre_message' is not a service here"}],
    )
    assert unknown_code[0] == 400
    assert (
        private_code[1][0]["description"].replace("contact_centre_message", "lost_cat")
        == unknown_code[1][0]["description"]
    )


@pytest.mark.parametrize("key", ANONYMOUS)
async def test_a_private_request_by_id_is_404_exactly_like_an_unknown_id(api, cases, key):
    _, private = cases
    unknown = private[:-6] + "999999"
    private_response = await api.get(f"{BASE}/requests/{private}.json" + (f"?{key}" if key else ""))
    unknown_response = await api.get(f"{BASE}/requests/{unknown}.json" + (f"?{key}" if key else ""))
    assert private_response.status == unknown_response.status == 404
    assert private_response.content_type == unknown_response.content_type
    private_body, unknown_body = await private_response.json(), await unknown_response.json()
    conforms("errors", private_body)
    assert private_body == [{"code": 404, "description": f"no service request {private!r}"}]
    assert unknown_body == [{"code": 404, "description": f"no service request {unknown!r}"}]


@pytest.mark.parametrize("key", ANONYMOUS)
async def test_history_and_tokens_reveal_nothing_without_a_staff_key(api, cases, key):
    _, private = cases
    status, body = await get(api, f"/requests/{private}/history.json", key)
    assert status == 403 and "1234567890" not in str(body)
    status, body = await get(api, f"/tokens/{private}.json", key)
    assert status == 404 and body == [{"code": 404, "description": f"no token {private!r}"}]


async def test_staff_read_the_private_request_in_full_by_id_list_filter_and_history(api, cases):
    public, private = cases
    staff = f"api_key={STAFF_KEY}"
    status, body = await get(api, f"/requests/{private}.json", staff)
    assert status == 200
    conforms("requests", body)
    assert body[0]["description"] == MESSAGE
    assert body[0]["zipcode"] == "NB4 2QT"
    assert body[0]["attributes"] == {"call_back": "yes", "conversation_id": "conv-20261123-0042"}
    assert "bob@example.com" not in str(body) and "Bob" not in str(body)  # contact details: never, even for staff
    assert ids((await get(api, "/requests.json", staff))[1]) == [private, public]
    assert ids((await get(api, "/requests.json", f"service_code=contact_centre_message&{staff}"))[1]) == [private]
    assert ids((await get(api, "/requests.json", f"service_request_id={private}&{staff}"))[1]) == [private]
    status, history = await get(api, f"/requests/{private}/history.json", staff)
    assert status == 200 and [h["extended_status"] for h in history] == ["OPEN"]


@pytest.mark.parametrize("key", ANONYMOUS)
async def test_a_public_description_is_masked_for_anonymous_readers_and_whole_for_staff(api, cases, key):
    public, _ = cases
    _, anonymous = await get(api, f"/requests/{public}.json", key)
    conforms("requests", anonymous)
    assert anonymous[0]["description"] == "Hole outside [address], call Ann on [phone]"
    _, listed = await get(api, "/requests.json", key)
    assert listed[0]["description"] == anonymous[0]["description"]
    _, staff = await get(api, f"/requests/{public}.json", f"api_key={STAFF_KEY}")
    assert staff[0]["description"] == "Hole outside 14 Mill Lane, call Ann on 07700 900123"
    assert "ann@example.com" not in str(anonymous) + str(staff)


async def test_status_notes_are_masked_for_anonymous_readers(api, cases):
    public, _ = cases
    response = await api.post(
        f"{BASE}/requests/{public}/status.json",
        data={
            "api_key": STAFF_KEY,
            "extended_status": "ACTION_SCHEDULED",
            "updated_by": "Sam Patel",
            "status_notes": "Spoke to the resident on 07700 900123; repair booked",
        },
    )
    assert response.status == 200
    assert (await response.json())[0]["status_notes"] == "Spoke to the resident on 07700 900123; repair booked"
    _, anonymous = await get(api, f"/requests/{public}.json")
    assert anonymous[0]["status_notes"] == "Spoke to the resident on [phone]; repair booked"


async def test_a_private_answer_of_a_public_service_is_left_out_for_anonymous_readers(api):
    form = {
        "api_key": API_KEY,
        "service_code": "abandoned_vehicle",
        "description": "Car with flat tyres",
        "zipcode": "NB4 2QT",
        "attribute[make]": "blue Ford Focus",
        "attribute[registration]": "AB12 CDE",
        "attribute[how_long]": "month_plus",
    }
    _, created = await post(api, "/requests.json", form)
    reference = created[0]["service_request_id"]
    _, anonymous = await get(api, f"/requests/{reference}.json")
    assert anonymous[0]["attributes"] == {"make": "blue Ford Focus", "how_long": "month_plus"}
    _, staff = await get(api, f"/requests/{reference}.json", f"api_key={STAFF_KEY}")
    assert staff[0]["attributes"]["registration"] == "AB12 CDE"


async def test_a_key_that_is_neither_a_submission_nor_a_staff_key_is_refused(api, cases):
    status, body = await get(api, "/requests.json", "api_key=not-a-key-of-ours-000")
    assert (status, body) == (403, [{"code": 403, "description": "api_key is not valid"}])


async def test_a_council_can_make_a_public_service_private(aiohttp_client, tmp_path, settings):
    from dataclasses import replace

    from service_requests.app import create_standalone_app

    services = (PACKAGE_DIR / "services.yml").read_text(encoding="utf-8")
    start = services.index("service_code: pothole")
    services = services[:start] + services[start:].replace("public: true", "public: false", 1)
    (tmp_path / "services.yml").write_text(services, encoding="utf-8")
    api = await aiohttp_client(create_standalone_app(replace(settings, services_file=tmp_path / "services.yml")))
    _, created = await post(api, "/requests.json", pothole())
    reference = created[0]["service_request_id"]
    assert (await get(api, f"/requests/{reference}.json"))[0] == 404
    assert (await get(api, "/requests.json"))[1] == []
    assert "pothole" not in ids_of_services((await get(api, "/services.json"))[1])
    assert (await get(api, f"/requests/{reference}.json", f"api_key={STAFF_KEY}"))[0] == 200


def ids_of_services(body):
    return [s["service_code"] for s in body]


def test_staff_may_read_every_service_and_others_only_public_ones():
    private, public = CATALOGUE["contact_centre_message"], CATALOGUE["pothole"]
    assert readable(private, staff=True) and readable(public, staff=True)
    assert readable(public, staff=False) and not readable(private, staff=False)
    assert not readable(None, staff=False) and readable(None, staff=True)
    assert visible_codes(CATALOGUE, staff=True) is None
    assert "contact_centre_message" not in visible_codes(CATALOGUE, staff=False)


def test_an_anonymous_reader_gets_masked_free_text_and_no_private_answers():
    request = {
        "description": "Call me on 07700 900123",
        "status_notes": None,
        "attributes": {"make": "red van at 3 Mill Lane", "registration": "AB12 CDE", "gone": "x"},
    }
    shown = for_reader(request, CATALOGUE["abandoned_vehicle"], staff=False)
    assert shown == {
        "description": "Call me on [phone]",
        "status_notes": None,
        "attributes": {"make": "red van at [address]"},
    }
    assert request["description"] == "Call me on 07700 900123"  # the stored record is not changed
    assert for_reader(request, CATALOGUE["abandoned_vehicle"], staff=True) is request
    assert for_reader(request, CATALOGUE["contact_centre_message"], staff=False) is None
