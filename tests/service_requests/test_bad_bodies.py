"""A broken POST body is the client's mistake: a 400 in the standard's shape, never a 500."""

from __future__ import annotations

from urllib.parse import quote, urlencode

import pytest

from service_requests.errors import Open311Error
from service_requests.forms import check_text_fields
from tests.service_requests.conftest import BASE, conforms, pothole

FORM = "application/x-www-form-urlencoded"


async def post(api, body: bytes, content_type: str):
    response = await api.post(f"{BASE}/requests.json", data=body, headers={"Content-Type": content_type})
    return response.status, await response.json()


@pytest.mark.parametrize(
    "body, content_type",
    [
        (b'--b\r\nContent-Disposition: form-data; name="api_key"\r\n\r\nx', "multipart/form-data; boundary=b"),
        (b"no boundary here", "multipart/form-data"),
        (b"--zz\r\n\r\n", "multipart/form-data; boundary=b"),
        (b"\xff\xfe\x00", FORM),
        (urlencode(pothole()).encode(), f"{FORM}; charset=klingon"),
        (b"api_key=chat-key-0123456789&service_code=pothole&description=%ED%A0%80%zz&%=%&&==", FORM),
        (b'{"service_code": "pothole"}', "application/json"),
        (b"service_code=pothole", "text/plain"),
    ],
)
async def test_a_broken_or_wrongly_typed_body_is_a_400_saying_so(api, body, content_type):
    status, problem = await post(api, body, content_type)
    assert status == 400, problem
    conforms("errors", problem)
    assert problem[0]["code"] == 400 and problem[0]["description"]


async def test_a_lone_surrogate_decoded_from_the_declared_charset_is_a_400_naming_the_field(api):
    # UTF-7 can carry a lone surrogate ("+2AA-" is U+D800), which SQLite cannot store.
    fields = urlencode(pothole(description="hole"), quote_via=quote).replace(
        "description=hole", "description=hole+2AA-"
    )
    body = fields.encode()
    status, problem = await post(api, body, f"{FORM}; charset=utf-7")
    assert status == 400 and "description" in problem[0]["description"], problem


async def test_a_body_over_the_limit_is_a_413_in_the_standard_shape(api):
    status, problem = await post(api, urlencode(pothole(description="x" * 70_000)).encode(), FORM)
    assert status == 413 and problem[0]["code"] == 413


async def test_a_well_formed_multipart_form_is_still_accepted(api):
    boundary = "frontdesk"
    body = "".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n' for k, v in pothole().items()
    )
    status, created = await post(
        api, (body + f"--{boundary}--\r\n").encode(), f"multipart/form-data; boundary={boundary}"
    )
    assert status == 201, created


def test_text_fields_with_a_lone_surrogate_in_a_name_or_value_are_refused():
    assert check_text_fields({"a": "fine ✓"}) == {"a": "fine ✓"}
    for fields in ({"a": "\udfff"}, {"\ud800": "x"}):
        with pytest.raises(Open311Error):
            check_text_fields(fields)


async def test_the_privacy_erasure_post_answers_a_broken_body_with_a_400_too(api):
    response = await api.post(
        f"{BASE}/privacy/erase.json",
        data=b"api_key=staff-key-0123456789&service_request_id=NB-1",
        headers={"Content-Type": f"{FORM}; charset=klingon"},
    )
    assert response.status == 400, await response.text()
