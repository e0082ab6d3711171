"""media_url on a request: stored, shown to everyone for a public service, and checked."""

from tests.service_requests.conftest import BASE, conforms, contact_message, post, pothole

PHOTO = "https://chat.northbridge.example/photos/AbCdEfGhIjKlMnOpQrStUvWxYz012345.jpg"


async def test_a_request_keeps_its_media_url_and_shows_it_on_a_public_service(api):
    status, body = await post(api, "/requests.json", pothole(media_url=PHOTO))
    assert status == 201, body
    shown = await (await api.get(f"{BASE}/requests/{body[0]['service_request_id']}.json")).json()
    conforms("requests", shown)
    assert shown[0]["media_url"] == PHOTO


async def test_a_private_services_media_url_is_shown_only_with_a_staff_key(api):
    status, body = await post(api, "/requests.json", contact_message(media_url=PHOTO))
    assert status == 201, body
    path = f"{BASE}/requests/{body[0]['service_request_id']}.json"
    assert (await api.get(path)).status == 404
    staff = await (await api.get(path, params={"api_key": "staff-key-0123456789"})).json()
    assert staff[0]["media_url"] == PHOTO


async def test_a_media_url_that_is_not_one_web_address_is_refused_in_words(api):
    for bad in ("javascript:alert(1)", PHOTO + " " + PHOTO, "ftp://x.example/a.jpg"):
        status, body = await post(api, "/requests.json", pothole(media_url=bad))
        assert status == 400 and "media_url" in body[0]["description"], body
