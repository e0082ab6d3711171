"""Advisors read and update the status of residents' cases through Open311."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import aiohttp

from contracts import open311_xml
from contracts.statuses import EXTENDED_STATUSES

REFERENCE = re.compile(r"^[A-Z]{2}-[0-9]{4}-[0-9]{6}$")
FIELDS = (
    "service_request_id",
    "service_name",
    "status",
    "extended_status",
    "status_notes",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "zipcode",
    "lat",
    "long",
    "description",
)


class CaseApiError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class CaseDesk:
    """Advisors' case lookups and status changes, both with the staff key.

    Open311 shows private cases (messages left for the contact centre) and whole
    descriptions only to a staff key; without ``OPEN311_STAFF_KEY`` advisors see what
    anyone can: public cases, masked.
    """

    def __init__(
        self, session: aiohttp.ClientSession, base_url: str, api_key: str, staff_key: str, response_format: str = "json"
    ) -> None:
        self.session = session
        self.response_format = response_format  # OPEN311_FORMAT: json or xml
        self.base_url = base_url
        self.api_key = api_key
        self.staff_key = staff_key
        self.timeout = aiohttp.ClientTimeout(total=5)

    async def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        if not self.base_url:
            raise CaseApiError(503, "unavailable", "No Open311 service is configured (OPEN311_URL).")
        try:
            url = self.base_url + open311_xml.path_in(path, self.response_format)
            async with self.session.request(method, url, timeout=self.timeout, **kwargs) as response:
                body = open311_xml.load(await response.read(), self.response_format)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
            raise CaseApiError(503, "unavailable", "The case system is not answering. Try again shortly.") from None
        if response.status == 404:
            raise CaseApiError(404, "unknown_case", "There is no case with that reference.")
        if response.status >= 400:
            description = body[0].get("description") if isinstance(body, list) and body else "refused"
            raise CaseApiError(400 if response.status < 500 else 503, "refused", f"The case system said: {description}")
        return body

    async def get(self, reference: str) -> dict[str, Any]:
        if not REFERENCE.match(reference):
            raise CaseApiError(400, "invalid", "References look like NB-2026-000123.")
        params = {"api_key": self.staff_key} if self.staff_key else None
        body = await self._call("GET", f"requests/{reference}.json", params=params)
        return {k: body[0].get(k) for k in FIELDS}

    async def update(self, reference: str, extended_status: str, note: str, who: str) -> dict[str, Any]:
        if not REFERENCE.match(reference):
            raise CaseApiError(400, "invalid", "References look like NB-2026-000123.")
        if extended_status not in EXTENDED_STATUSES:
            raise CaseApiError(400, "invalid", "extended_status must be one of: " + ", ".join(EXTENDED_STATUSES))
        if not self.staff_key:
            raise CaseApiError(503, "unavailable", "Status changes need OPEN311_STAFF_KEY.")
        form = {"api_key": self.staff_key, "extended_status": extended_status, "updated_by": who}
        if note.strip():
            form["status_notes"] = note.strip()[:2000]
        body = await self._call("POST", f"requests/{reference}/status.json", data=form)
        return {k: body[0].get(k) for k in FIELDS}
