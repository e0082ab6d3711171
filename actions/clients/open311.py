"""Open311 GeoReport v2 client: the only way the action server reaches cases.

Base URL, key and format (``OPEN311_FORMAT``: JSON or XML) come from settings, so a council
can point Front Desk at its own CRM, including one that speaks only XML.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from typing import Any

import aiohttp

from actions.settings import Open311Settings
from contracts import open311_xml

__all__ = [
    "Open311Client",
    "Open311RejectedError",
    "Open311Settings",
    "Open311UncertainError",
    "Open311UnavailableError",
]

logger = logging.getLogger(__name__)


class Open311UnavailableError(Exception):
    """The Open311 service did not answer in time, or answered with a server error."""


class Open311UncertainError(Open311UnavailableError):
    """A submission timed out or the connection dropped after it was sent: it may have arrived."""


class Open311RejectedError(Exception):
    """The Open311 service refused the submission (4xx); ``description`` says why."""

    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status = status
        self.description = description


class Open311Client:
    DEFINITION_TTL = 300.0

    def __init__(self, settings: Open311Settings):
        self.settings = settings
        self._definitions: dict[str, tuple[float, dict[str, Any]]] = {}

    async def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        timeout = aiohttp.ClientTimeout(total=self.settings.timeout_seconds)
        try:
            async with aiohttp.ClientSession(timeout=timeout) as session:
                async with session.request(method, self._url(path), **kwargs) as response:
                    if response.status >= 500:
                        # A gateway error after a POST may hide a request that was processed.
                        error = Open311UncertainError if method == "POST" else Open311UnavailableError
                        raise error(f"{method} {path}: HTTP {response.status}")
                    if response.status in (401, 403):
                        # A configuration fault (OPEN311_API_KEY), not something the resident did.
                        logger.error("Open311 refused our key for %s %s: check OPEN311_API_KEY", method, path)
                        raise Open311UnavailableError(f"{method} {path}: HTTP {response.status}")
                    try:
                        body = self._read(await response.read())
                    except ValueError:
                        error = Open311UncertainError if method == "POST" else Open311UnavailableError
                        raise error(f"{method} {path}: not {self.settings.response_format.upper()}") from None
                    if response.status >= 400:
                        description = body[0].get("description", "") if isinstance(body, list) and body else ""
                        raise Open311RejectedError(response.status, description or f"HTTP {response.status}")
                    return body
        except aiohttp.ClientConnectorError as exc:  # never reached the service: nothing was sent
            raise Open311UnavailableError(f"{method} {path}: {type(exc).__name__}") from exc
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            if method == "POST":
                raise Open311UncertainError(f"{method} {path}: {type(exc).__name__}") from exc
            raise Open311UnavailableError(f"{method} {path}: {type(exc).__name__}") from exc

    def _url(self, path: str) -> str:
        """``path`` (written ``x.json``) in the configured format: ``x.xml`` for XML."""
        return self.settings.base_url + open311_xml.path_in(path, self.settings.response_format)

    def _read(self, body: bytes) -> Any:
        """An answer as its JSON shape, whichever format it came in (ValueError if unreadable)."""
        return open311_xml.load(body, self.settings.response_format)

    async def service_definition(self, service_code: str, fresh: bool = False) -> dict[str, Any]:
        """The service's definition; cached for a few minutes unless ``fresh`` (which also
        checks the service is answering)."""
        cached = self._definitions.get(service_code)
        if cached and not fresh and time.monotonic() - cached[0] < self.DEFINITION_TTL:
            return cached[1]
        definition = await self._call("GET", f"services/{service_code}.json")
        self._definitions[service_code] = (time.monotonic(), definition)
        return definition

    async def submit(self, form: dict[str, str], key: str | None = None) -> dict[str, Any]:
        """Send a report.

        Args:
            form: The GeoReport v2 fields.
            key: Sent as ``client_request_key``: the built-in service answers a resend under the
                same key with the case the first send made (a council's service may ignore it).

        Returns:
            ``{"service_request_id", "service_notice"}``, or with only a ``token`` if the service
            assigns ids later (GeoReport v2 allows both).
        """
        data = {**form, "api_key": self.settings.api_key}
        if key:
            data["client_request_key"] = key
        body = await self._call("POST", "requests.json", data=data)
        if not (
            isinstance(body, list)
            and body
            and isinstance(body[0], dict)
            and (body[0].get("service_request_id") or body[0].get("token"))
        ):
            raise Open311UncertainError(f"POST requests.json: unexpected answer {str(body)[:200]!r}")
        if self.settings.watch_url and body[0].get("service_request_id") and (form.get("email") or form.get("phone")):
            await self._watch(form, str(body[0]["service_request_id"]))
        return body[0]

    async def _watch(self, form: dict[str, str], reference: str) -> None:
        """Ask the front door to tell the resident of status changes (a council's system keeps
        their contact details but never returns them). A failure is logged, never the report's."""
        data = {
            "service_request_id": reference,
            "service_name": form.get("service_name") or form.get("service_code", ""),
            "status": "open",
            **{k: form[k] for k in ("email", "phone", "first_name") if form.get(k)},
        }
        headers = {"Authorization": f"Bearer {self.settings.watch_key}"}
        try:
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.settings.timeout_seconds)) as s:
                async with s.post(self.settings.watch_url, data=data, headers=headers) as response:
                    if response.status != 200:
                        logger.error("Updates for %s not registered: HTTP %s", reference, response.status)
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            logger.error("Updates for %s not registered: %s", reference, type(exc).__name__)

    async def get_request(self, request_id: str) -> dict[str, Any] | None:
        try:
            found = await self._call("GET", f"requests/{request_id}.json")
        except Open311RejectedError as exc:
            if exc.status == 404:
                return None
            raise
        return found[0] if found else None

    async def recent(
        self, service_code: str, zipcode: str, days: int, now: dt.datetime, statuses: str = "open"
    ) -> list[dict[str, Any]]:
        """Requests of one service at one postcode in the last ``days`` days."""
        start = (now - dt.timedelta(days=days)).astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        body = await self._call(
            "GET",
            "requests.json",
            params={"service_code": service_code, "zipcode": zipcode, "status": statuses, "start_date": start},
        )
        return [r for r in body if isinstance(r, dict)] if isinstance(body, list) else []
