"""Advisors see where a case placed by "Use my location" is (live_handoff/case_api.py)."""

from __future__ import annotations

import aiohttp

from live_handoff.case_api import CaseDesk
from tests.live_handoff.test_case_api import API_KEY, STAFF_KEY, open311  # noqa: F401 (fixture)


async def test_advisors_read_the_exact_position_of_a_case_placed_by_location(open311):  # noqa: F811
    form = {
        "api_key": API_KEY,
        "service_code": "pothole",
        "description": "Deep hole",
        "lat": "52.452137",
        "long": "-1.501249",
        "attribute[surface]": "road",
        "attribute[size]": "large",
    }
    async with aiohttp.ClientSession() as session:
        async with session.post(open311 + "requests.json", data=form) as response:
            reference = (await response.json())[0]["service_request_id"]
        staff = await CaseDesk(session, open311, API_KEY, STAFF_KEY).get(reference)
        anyone = await CaseDesk(session, open311, API_KEY, "").get(reference)
    assert (staff["lat"], staff["long"]) == (52.452137, -1.501249)
    assert (anyone["lat"], anyone["long"]) == (52.452, -1.501)
