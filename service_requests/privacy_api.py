"""A staff-only privacy extension to the Open311 service: subject access and erasure.

A data protection officer's request (UK GDPR articles 15 and 17) reaches the cases through
these two endpoints, with a staff key (``OPEN311_STAFF_KEYS``); the relay's ``privacy``
command calls them. A council's own CRM has its own process and no such endpoints.

    GET  /privacy/requests.json?api_key=STAFF&email=...|phone=...|service_request_id=...|conversation_id=...
         -> every matching request in full: contact details, status history and the updates
            queued or sent to the resident (``notifications``) included
    POST /privacy/erase.json   (form: api_key, service_request_id=comma,separated)
         -> [{"service_request_id": ..., "erased": true}, ...]: free text, contact details,
            place and answers removed; service, dates and status kept for counts
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import Callable

from aiohttp import web

from service_requests.errors import Open311Error
from service_requests.forms import read_form
from service_requests.notifications import subject_access
from service_requests.store import CaseStore

logger = logging.getLogger(__name__)
MAX_IDS = 500


def _staff(provided: str | None, staff_keys: frozenset[str]) -> None:
    if not provided:
        raise Open311Error(403, "api_key (a staff key) is required for privacy requests")
    if not any(hmac.compare_digest(provided.encode(), key.encode()) for key in staff_keys):
        raise Open311Error(403, "api_key is not valid")


def _ids(value: str | None) -> tuple[str, ...]:
    ids = tuple(v.strip() for v in (value or "").split(",") if v.strip())
    if len(ids) > MAX_IDS:
        raise Open311Error(400, f"at most {MAX_IDS} service_request_id values at once")
    return ids


def routes(store: Callable[[], CaseStore], staff_keys: frozenset[str]) -> list[web.RouteDef]:
    """The extension's routes, relative to where the Open311 application is mounted.

    Args:
        store: Gives the case store (read when a request comes, so a test may swap it).
        staff_keys: Keys allowed to use the extension (never the chat's submission keys).
    """

    async def search(request: web.Request) -> web.Response:
        query = request.query
        _staff(query.get("api_key"), staff_keys)
        email, phone = query.get("email", ""), query.get("phone", "")
        ids, conversation_id = _ids(query.get("service_request_id")), query.get("conversation_id", "")
        if not (email or phone or ids or conversation_id):
            raise Open311Error(400, "give email, phone, service_request_id or conversation_id")
        found = await asyncio.to_thread(store().privacy_search, email, phone, ids, conversation_id)
        found = await asyncio.to_thread(subject_access.add_to, found, store().notification_db)  # updates sent
        return web.json_response(found)

    async def erase(request: web.Request) -> web.Response:
        form = await read_form(request, ("application/x-www-form-urlencoded",))
        _staff(str(form.get("api_key") or ""), staff_keys)
        ids = _ids(str(form.get("service_request_id") or ""))
        if not ids:
            raise Open311Error(400, "service_request_id is required (comma-separated for several)")
        done = await asyncio.to_thread(store().privacy_erase, ids)
        logger.info("Privacy erasure: %d request(s) anonymised", len(done))
        return web.json_response([{"service_request_id": i, "erased": True} for i in done])

    return [web.get("/privacy/requests.json", search), web.post("/privacy/erase.json", erase)]
