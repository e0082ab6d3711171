"""The relay's JSON APIs answer a body they cannot use with a 400 saying why, never a 500."""

from __future__ import annotations

import pytest

from tests.live_handoff.conftest import PASSWORD, add_advisor

pytestmark = pytest.mark.servers


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 5000,
        b'{"username": "\\ud800", "password": "x"}',
        b'{"username": "sam", "password": NaN}',
        b'{"username": "sam", "username": "root", "password": "x"}',
        b"\xff\xfe{}",
        b"[]",
    ],
)
async def test_a_login_body_nobody_could_use_is_a_400_not_a_500(settings, make_client, body):
    client = await make_client(settings)
    response = await client.post("/api/advisor/login", data=body, headers={"Content-Type": "application/json"})
    assert response.status == 400
    assert (await response.json())["error"]["code"] == "invalid"


async def test_a_good_login_still_works_beside_them(settings, make_client, store):
    await add_advisor(store)
    client = await make_client(settings)
    response = await client.post("/api/advisor/login", json={"username": "sam", "password": PASSWORD})
    assert response.status == 200
