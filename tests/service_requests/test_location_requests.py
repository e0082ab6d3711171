"""A report placed by "Use my location": stored with lat/long, returned exactly to staff and
rounded to the street for everyone else."""

from tests.service_requests.conftest import API_KEY, BASE, STAFF_KEY, conforms, post, pothole

HOME = {"lat": "52.452137", "long": "-1.501249"}


async def read(api, reference, key):
    response = await api.get(f"{BASE}/requests/{reference}.json?api_key={key}")
    assert response.status == 200
    body = await response.json()
    conforms("requests", body)
    return body[0]


async def test_a_report_with_only_lat_and_long_is_accepted_and_staff_read_the_exact_point(api):
    status, created = await post(api, "/requests.json", pothole(address_string="", zipcode="", **HOME))
    assert status == 201, created
    found = await read(api, created[0]["service_request_id"], STAFF_KEY)
    assert (found["lat"], found["long"]) == (52.452137, -1.501249)
    assert not found.get("address") and not found.get("zipcode")  # empty fields are left out


async def test_anonymous_readers_see_the_point_rounded_to_about_a_hundred_metres(api):
    _, created = await post(api, "/requests.json", pothole(**HOME))
    reference = created[0]["service_request_id"]
    for key in ("", API_KEY):
        found = await read(api, reference, key)
        assert (found["lat"], found["long"]) == (52.452, -1.501)
    response = await api.get(f"{BASE}/requests.json")
    listed = [r for r in await response.json() if r["service_request_id"] == reference]
    assert (listed[0]["lat"], listed[0]["long"]) == (52.452, -1.501)


async def test_a_lat_without_a_long_is_refused_with_a_reason(api):
    status, body = await post(api, "/requests.json", pothole(lat="52.45"))
    assert status == 400 and "lat and long must be given together" in body[0]["description"]
