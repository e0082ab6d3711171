"""The Open311 GeoReport v2 HTTP API (aiohttp). Mount with ``add_subapp("/open311/v2/", app)``."""

from __future__ import annotations

import asyncio
import datetime as dt
import hmac
import logging
import re
from collections.abc import AsyncIterator, Callable
from typing import Any

from aiohttp import web

from contracts.postcodes import normalise_postcode
from service_requests import privacy_api
from service_requests.catalogue import Service, load_catalogue
from service_requests.errors import Open311Error
from service_requests.formats import FORMAT_PATTERN, reply
from service_requests.forms import check_text_fields, read_form
from service_requests.metrics import METRICS, Open311Metrics, count_requests, reason_of
from service_requests.notifications.wiring import install as install_notifications
from service_requests.public_address import api_base
from service_requests.request_keys import client_of, request_key
from service_requests.settings import Settings
from service_requests.statuses import EXTENDED_STATUSES
from service_requests.store import CaseStore, Filters, NotFoundError
from service_requests.updates import CitizenUpdate, UpdateStore
from service_requests.validation import _clean, parse_datetime, split_media_urls, validate_submission
from service_requests.visibility import for_reader, readable, visible_codes

logger = logging.getLogger(__name__)
SETTINGS = web.AppKey("settings", Settings)
STORE = web.AppKey("store", CaseStore)
CATALOGUE = web.AppKey("catalogue", dict)
CLOCK: web.AppKey[Callable[[], dt.datetime]] = web.AppKey("clock")
UPDATES = web.AppKey("updates", UpdateStore)
# The scheme the client used: the front door passes the relay's trusted-proxy rule.
CLIENT_SCHEME: web.AppKey[Callable[[web.Request], str]] = web.AppKey("client_scheme")
MAX_BODY = 64 * 1024
PURGE_EVERY_SECONDS = 6 * 3600


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


@web.middleware
async def open311_errors(request: web.Request, handler) -> web.StreamResponse:
    """Every error in the standard's shape, in the URL's format.

    JSON: ``[{"code": ..., "description": ...}]``; XML:
    ``<errors><error><code>…</code><description>…</description></error></errors>``.
    """
    try:
        return await handler(request)
    except Open311Error as exc:
        error = exc
    except web.HTTPRequestEntityTooLarge:
        error = Open311Error(413, f"request body too large (at most {MAX_BODY} bytes)")
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        error = Open311Error(exc.status, {404: "not found", 405: "method not allowed"}.get(exc.status, exc.reason))
    except Exception:
        logger.exception("Unexpected error in %s %s", request.method, request.path)
        error = Open311Error(500, "internal error; nothing was stored")
    metrics = request.app.get(METRICS)  # None in an app reusing this middleware (council mode's stop page)
    if metrics is not None:
        metrics.refusals.labels(reason_of(error)).inc()
    return reply(request, "errors", error.body(), error.status)


def _check_key(provided: str | None, allowed: frozenset[str], action: str) -> None:
    if not provided:
        raise Open311Error(403, f"api_key is required to {action}")
    if not any(hmac.compare_digest(provided.encode(), key.encode()) for key in allowed):
        raise Open311Error(403, "api_key is not valid")


def _is_staff(request: web.Request) -> bool:
    """Whether a GET comes with a staff key (``api_key`` in the query).

    A submission key is accepted but reads like no key at all: it lets the chat send
    messages to the contact centre, not read them back. Any other key is refused, so a
    misconfigured staff tool hears about it instead of silently missing private cases.
    """
    provided = request.query.get("api_key")
    if not provided:
        return False
    settings = request.app[SETTINGS]
    if any(hmac.compare_digest(provided.encode(), key.encode()) for key in settings.staff_keys):
        return True
    _check_key(provided, settings.api_keys, "read requests")
    return False


def _not_found(reference: str) -> Open311Error:
    # One message for an unknown id and for a request the reader may not see: no oracle.
    return Open311Error(404, f"no service request {reference!r}")


def _service(request: web.Request, code: str | None) -> Service:
    if not code:
        raise Open311Error(400, "service_code is required")
    service = request.app[CATALOGUE].get(code)
    # A private service's definition is for staff tools; anyone else is told what an unknown
    # code gets. Submissions (POST) reach it with a submission key, as the chat's messages do.
    if service is None or (request.method == "GET" and not readable(service, _is_staff(request))):
        raise Open311Error(404 if request.method == "GET" else 400, f"service_code {code!r} is not a service here")
    return service


def _check_jurisdiction(request: web.Request, value: str | None) -> None:
    if value and value != request.app[SETTINGS].jurisdiction_id:
        raise Open311Error(404, f"jurisdiction_id {value!r} is not served here")


async def list_services(request: web.Request) -> web.Response:
    _check_jurisdiction(request, request.query.get("jurisdiction_id"))
    # Private services are left out for anyone but staff: a resident-facing client (FixMyStreet
    # reads this list) must not offer them as things to report in public.
    staff = _is_staff(request)
    return reply(request, "services", [s.as_open311() for s in request.app[CATALOGUE].values() if readable(s, staff)])


async def service_definition(request: web.Request) -> web.Response:
    _check_jurisdiction(request, request.query.get("jurisdiction_id"))
    return reply(request, "service_definition", _service(request, request.match_info["code"]).definition())


async def _form(request: web.Request) -> dict[str, str]:
    """The POSTed fields. Fields in the query string count too (the community Swagger
    description puts them there); the body wins where both give one."""
    form = await read_form(request, ("application/x-www-form-urlencoded", "multipart/form-data"))
    return {**check_text_fields(dict(request.query)), **form}


async def _given_media_urls(request: web.Request) -> list[str]:
    """Every ``media_url`` given, in order: FixMyStreet repeats the field, one per photo, when
    a council's set-up asks for all of a report's photos (``multi_photos``). As for other
    fields, the body's win over the query string's."""
    body = await request.post() if request.body_exists else None  # already read and cached by _form
    given = body.getall("media_url", []) if body is not None else []
    texts = [v for v in given if isinstance(v, str)]
    return texts or list(request.query.getall("media_url", []))


async def create_request(request: web.Request) -> web.Response:
    form = await _form(request)
    settings = request.app[SETTINGS]
    _check_key(form.get("api_key"), settings.api_keys, "submit a request")
    _check_jurisdiction(request, form.get("jurisdiction_id"))
    service = _service(request, form.get("service_code"))
    new = validate_submission(form, service, settings.max_description, await _given_media_urls(request))
    key = request_key(form)
    created, is_new = await asyncio.to_thread(
        request.app[STORE].create_once, new, service, request.app[CLOCK](), client_of(form["api_key"]), key
    )
    if not is_new:  # a resend of a submission already stored: its case, unchanged, with 200
        logger.info("Request %s sent again under the same client_request_key", created["service_request_id"])
    else:
        logger.info("Request %s created (%s)", created["service_request_id"], service.service_code)
        request.app[METRICS].cases_created.labels(service.service_code).inc()
    return reply(
        request,
        "requests",
        [
            {
                "service_request_id": created["service_request_id"],
                "service_notice": created["service_notice"],
                "account_id": None,
            }
        ],
        201 if is_new else 200,
    )


def _csv(value: str | None) -> tuple[str, ...]:
    return tuple(v.strip() for v in (value or "").split(",") if v.strip())


async def list_requests(request: web.Request) -> web.Response:
    query = request.query
    _check_jurisdiction(request, query.get("jurisdiction_id"))
    staff = _is_staff(request)
    catalogue = request.app[CATALOGUE]
    statuses = _csv(query.get("status"))
    if any(s not in ("open", "closed") for s in statuses):
        raise Open311Error(400, "status must be open, closed, or both separated by a comma")
    codes = _csv(query.get("service_code"))
    unknown = [c for c in codes if not (c in catalogue and readable(catalogue[c], staff))]
    if unknown:
        raise Open311Error(400, f"service_code {unknown[0]!r} is not a service here")
    start = parse_datetime("start_date", query["start_date"]) if query.get("start_date") else None
    end = parse_datetime("end_date", query["end_date"]) if query.get("end_date") else None
    if start and end and start > end:
        raise Open311Error(400, "start_date must be before end_date")
    zipcode = None
    if query.get("zipcode"):
        zipcode = normalise_postcode(query["zipcode"])
        if not zipcode:
            raise Open311Error(400, f"zipcode {query['zipcode']!r} is not a valid UK postcode")
    filters = Filters(
        ids=_csv(query.get("service_request_id")),
        service_codes=codes,
        statuses=statuses,
        zipcode=zipcode,
        start=start,
        end=end,
        within_codes=visible_codes(catalogue, staff),
    )
    found = await asyncio.to_thread(request.app[STORE].search, filters)
    shown = (for_reader(r, catalogue.get(r["service_code"]), staff) for r in found)
    return reply(request, "requests", [r for r in shown if r is not None])


async def get_request(request: web.Request) -> web.Response:
    _check_jurisdiction(request, request.query.get("jurisdiction_id"))
    staff = _is_staff(request)
    reference = request.match_info["id"]
    try:
        found = await asyncio.to_thread(request.app[STORE].get, reference)
    except NotFoundError:
        raise _not_found(reference) from None
    shown = for_reader(found, request.app[CATALOGUE].get(found["service_code"]), staff)
    if shown is None:
        raise _not_found(reference)
    return reply(request, "requests", [shown])


async def get_token(request: web.Request) -> web.Response:
    # Requests get their id at once (POST answers with service_request_id), so no tokens are issued.
    raise Open311Error(404, f"no token {request.match_info['token']!r}")


async def update_status(request: web.Request) -> web.Response:
    """Back-office extension: change status, recorded with who and when."""
    form = await _form(request)
    _check_key(form.get("api_key"), request.app[SETTINGS].staff_keys, "change a request's status")
    status = (form.get("extended_status") or "").strip().upper()
    if status not in EXTENDED_STATUSES:
        raise Open311Error(400, f"extended_status must be one of: {', '.join(EXTENDED_STATUSES)}")
    by = _clean("updated_by", form.get("updated_by"), 100)
    if not by:
        raise Open311Error(400, "updated_by is required: the name of the person making the change")
    notes = _clean("status_notes", form.get("status_notes"), request.app[SETTINGS].max_description)
    try:
        updated = await asyncio.to_thread(
            request.app[STORE].update_status, request.match_info["id"], status, notes, by, request.app[CLOCK]()
        )
    except NotFoundError:
        raise _not_found(request.match_info["id"]) from None
    logger.info("Request %s status %s", updated["service_request_id"], status)
    return reply(request, "requests", [updated])


async def status_history(request: web.Request) -> web.Response:
    _check_key(request.query.get("api_key"), request.app[SETTINGS].staff_keys, "see a request's history")
    store = request.app[STORE]
    try:
        await asyncio.to_thread(store.get, request.match_info["id"])
    except NotFoundError:
        raise _not_found(request.match_info["id"]) from None
    return reply(request, "history", await asyncio.to_thread(store.history, request.match_info["id"]))


# The service request updates extension (mySociety) and discovery ---------------------------

UPDATES_LIMIT = 1000
UPDATE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,100}$")
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
UPDATES_SPECIFICATION = "https://github.com/mysociety/fixmystreet/wiki/Open311-FMS---Proposed-differences-to-Open311"
CHANGESET = "2026-12-06T00:00:00Z"  # when this service's endpoints last changed


def _dates(query: Any) -> tuple[dt.datetime | None, dt.datetime | None]:
    start = parse_datetime("start_date", query["start_date"]) if query.get("start_date") else None
    end = parse_datetime("end_date", query["end_date"]) if query.get("end_date") else None
    if start and end and start > end:
        raise Open311Error(400, "start_date must be before end_date")
    return start, end


async def list_updates(request: web.Request) -> web.Response:
    """``GET servicerequestupdates``: status changes, oldest first, as FixMyStreet polls them.

    Readers see what ``requests`` shows them: changes to private services only with a staff
    key, and the notes masked without one.
    """
    _check_jurisdiction(request, request.query.get("jurisdiction_id"))
    staff = _is_staff(request)
    start, end = _dates(request.query)
    catalogue = request.app[CATALOGUE]
    found = await asyncio.to_thread(
        request.app[UPDATES].status_changes, start, end, visible_codes(catalogue, staff), UPDATES_LIMIT
    )
    shown = []
    for change in found:
        service = catalogue.get(change.pop("service_code"))
        masked = for_reader({"description": change["description"]}, service, staff)
        if masked is not None:
            shown.append({**change, "description": masked["description"] or ""})
    return reply(request, "updates", shown)


async def post_update(request: web.Request) -> web.Response:
    """``POST servicerequestupdates``: a resident's update from a client such as FixMyStreet.

    Kept beside the case for staff (``citizen_updates``); the case's status is not changed.
    Sent again with the same ``update_id`` by the same client, it is one update (200).
    """
    form = await _form(request)
    settings = request.app[SETTINGS]
    _check_key(form.get("api_key"), settings.api_keys | settings.staff_keys, "post an update")
    _check_jurisdiction(request, form.get("jurisdiction_id"))
    reference = (form.get("service_request_id") or "").strip()
    if not reference:
        raise Open311Error(400, "service_request_id is required")
    description = _clean("description", form.get("description"), settings.max_description)
    if not description:
        raise Open311Error(400, "description is required: the text of the update")
    status = (form.get("status") or "").strip().upper() or None
    if status is not None and not (len(status) <= 40 and status.replace("_", "").isalpha()):
        raise Open311Error(400, "status must be a status name such as OPEN, CLOSED or FIXED")
    client_update_id = (form.get("update_id") or "").strip() or None
    if client_update_id is not None and not UPDATE_ID.match(client_update_id):
        raise Open311Error(400, "update_id must be 1-100 letters, digits or ._:-")
    updated = parse_datetime("updated_datetime", form["updated_datetime"]) if form.get("updated_datetime") else None
    # What a submission key may not read, it may not update either: the same 404 as an unknown id.
    staff = any(hmac.compare_digest(form["api_key"].encode(), k.encode()) for k in settings.staff_keys)
    try:
        case = await asyncio.to_thread(request.app[STORE].get, reference)
    except NotFoundError:
        raise _not_found(reference) from None
    if not readable(request.app[CATALOGUE].get(case["service_code"]), staff):
        raise _not_found(reference)
    # FixMyStreet repeats media_url on updates too (multi_photos): the first, then the rest for staff.
    media_url, extra_media_urls = split_media_urls(await _given_media_urls(request))
    update = CitizenUpdate(
        request_id=reference,
        description=description,
        status=status,
        updated=updated,
        media_url=media_url,
        client_update_id=client_update_id,
        extra_media_urls=extra_media_urls,
    )
    update_id, is_new = await asyncio.to_thread(
        request.app[UPDATES].add_citizen_update, update, client_of(form["api_key"]), request.app[CLOCK]()
    )
    logger.info("Update %s on %s %s", update_id, reference, "stored" if is_new else "sent again")
    return reply(request, "updates", [{"update_id": update_id}], 201 if is_new else 200)


async def citizen_updates(request: web.Request) -> web.Response:
    """Staff extension: the residents' updates on one case."""
    _check_key(request.query.get("api_key"), request.app[SETTINGS].staff_keys, "see residents' updates")
    reference = request.match_info["id"]
    try:
        await asyncio.to_thread(request.app[STORE].get, reference)
    except NotFoundError:
        raise _not_found(reference) from None
    return reply(request, "citizen_updates", await asyncio.to_thread(request.app[UPDATES].citizen_updates, reference))


async def discovery(request: web.Request) -> web.Response:
    """GeoReport v2 service discovery: where the API is and which formats it speaks."""
    settings = request.app[SETTINGS]
    base = api_base(
        settings.public_url,
        settings.notifications.public_url,
        MOUNT,
        request.app[CLIENT_SCHEME](request),
        request.host,
        request.path.rsplit("discovery.", 1)[0],
    )
    endpoint = {
        "specification": SPECIFICATION,
        "url": base,
        "changeset": CHANGESET,
        "type": "production",
        "formats": ["application/json", "text/xml"],
    }
    return reply(
        request,
        "discovery",
        {
            "changeset": CHANGESET,
            "contact": f"Open311 service of {request.app[SETTINGS].jurisdiction_id}",
            "key_service": "api_key: ask the council's digital team",
            "endpoints": [endpoint, {**endpoint, "specification": UPDATES_SPECIFICATION}],
        },
    )


async def _purge_contact_details(app: web.Application) -> AsyncIterator[None]:
    async def loop() -> None:
        while True:
            try:
                removed = await asyncio.to_thread(
                    app[STORE].purge_contact_details, app[CLOCK](), app[SETTINGS].contact_retention_days
                )
                if removed:
                    logger.info("Removed contact details from %d closed requests", removed)
            except Exception:  # a locked database must not end retention for good: try again later
                logger.exception("Removing old contact details failed; will retry")
            await asyncio.sleep(PURGE_EVERY_SECONDS)

    task = asyncio.create_task(loop())
    yield
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        pass


def _connection_scheme(request: web.Request) -> str:
    return request.scheme


def create_app(
    settings: Settings,
    *,
    store: CaseStore | None = None,
    clock: Callable[[], dt.datetime] = utc_now,
    client_scheme: Callable[[web.Request], str] = _connection_scheme,
) -> web.Application:
    """The Open311 application; routes are relative to wherever it is mounted.

    Args:
        settings: Its settings.
        store: The case store (default: the SQLite file in ``settings``).
        clock: The time now.
        client_scheme: The scheme a request's client used (``http``/``https``), for the
            addresses the API gives out when ``OPEN311_PUBLIC_URL`` is not set. By default
            the connection's own; the front door passes its trusted-proxy rule.
    """
    app = web.Application(middlewares=[count_requests, open311_errors], client_max_size=MAX_BODY)
    app[METRICS] = Open311Metrics()
    app[SETTINGS] = settings
    app[CLIENT_SCHEME] = client_scheme
    app[CATALOGUE] = load_catalogue(settings.services_file)
    app[STORE] = store or CaseStore(settings.database, settings.reference_prefix)
    app[CLOCK] = clock
    app.cleanup_ctx.append(_purge_contact_details)
    install_notifications(app, lambda: app[STORE], settings, clock)
    app[UPDATES] = UpdateStore(app[STORE])
    f = FORMAT_PATTERN  # every GeoReport v2 endpoint answers .json and .xml
    app.router.add_get(f"/discovery.{f}", discovery)
    app.router.add_get(f"/services.{f}", list_services)
    app.router.add_get(f"/services/{{code}}.{f}", service_definition)
    app.router.add_post(f"/requests.{f}", create_request)
    app.router.add_get(f"/requests.{f}", list_requests)
    app.router.add_get(f"/requests/{{id}}.{f}", get_request)
    app.router.add_post(f"/requests/{{id}}/status.{f}", update_status)
    app.router.add_get(f"/requests/{{id}}/history.{f}", status_history)
    app.router.add_get(f"/requests/{{id}}/citizen_updates.{f}", citizen_updates)
    app.router.add_get(f"/tokens/{{token}}.{f}", get_token)
    app.router.add_get(f"/servicerequestupdates.{f}", list_updates)
    app.router.add_post(f"/servicerequestupdates.{f}", post_update)
    app.router.add_routes(privacy_api.routes(lambda: app[STORE], settings.staff_keys))
    return app


MOUNT = "/open311/v2/"


def create_standalone_app(settings: Settings) -> web.Application:
    """A root app serving only the Open311 API at /open311/v2/ (the same URLs as the front door)."""
    root = web.Application(client_max_size=MAX_BODY)
    root.add_subapp(MOUNT, create_app(settings))
    return root
