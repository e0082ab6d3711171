"""Council mode in the front door: the watch endpoint, the poller, a sender and the stop page.

Used when ``OPEN311_URL`` is a council's own case system (``NOTIFY_WATCH_KEY`` set). The
action server registers each report filed with an email or phone (``POST
/notifications/v1/watch``); staff or the privacy desk erase a person's watches (``POST
/notifications/v1/watch/erase``). Both take the key as ``Authorization: Bearer KEY``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hmac
from collections.abc import Callable
from contextlib import closing
from typing import Any

from aiohttp import web

from contracts import open311_xml
from service_requests.app import open311_errors
from service_requests.notifications import poller as poller_module
from service_requests.notifications import sender as sender_module
from service_requests.notifications import watch
from service_requests.notifications import web as notifications_web
from service_requests.notifications.settings import NotifySettings
from service_requests.notifications.watch import CouncilSettings

POLLER = web.AppKey("council_poller", poller_module.Poller)
WATCH_DB: web.AppKey[Callable[[], Any]] = web.AppKey("council_watch_db")


async def forget_watched(app: web.Application, references: list[str], email: str = "", phone: str = "") -> list[str]:
    """An erasure from the privacy desk: stop watching a person's cases (none when council mode is off).

    Args:
        app: The front door.
        references: Case references linked to the person.
        email: Their email: every watched case with it.
        phone: Their phone number: every watched case with it.

    Returns:
        The references no longer watched.
    """
    return await _on_watch_list(app, watch.erase, references, email, phone)


async def watched_about(
    app: web.Application, references: list[str], email: str = "", phone: str = ""
) -> list[dict[str, Any]]:
    """A subject access request on the privacy desk: the person's watched cases and the updates sent (none when council mode is off).

    Args:
        app: The front door.
        references: Case references linked to the person.
        email: Their email: every watched case with it.
        phone: Their phone number: every watched case with it.

    Returns:
        ``watch.about``'s records.
    """
    return await _on_watch_list(app, watch.about, references, email, phone)


async def _on_watch_list(app: web.Application, step: Callable[..., list[Any]], *args: Any) -> list[Any]:
    """Run one of ``watch``'s privacy steps on the watch list, off the event loop; nothing
    when council mode is off."""
    connect = app.get(WATCH_DB)
    if connect is None:
        return []

    def work() -> list[Any]:
        with closing(connect()) as db:
            return step(db, *args)

    return await asyncio.to_thread(work)


class _WatchStore:
    """What the unsubscribe page and staff report need: a connection to the outbox."""

    def __init__(self, connect: Callable[[], Any]) -> None:
        self.notification_db = connect


def _authorised(request: web.Request, key: str) -> None:
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not (given and hmac.compare_digest(given.encode(), key.encode())):
        raise web.HTTPForbidden(
            text='{"error": "a valid NOTIFY_WATCH_KEY is required"}', content_type="application/json"
        )


def install(
    app: web.Application,
    council: CouncilSettings,
    notify: NotifySettings,
    clock: Callable[[], dt.datetime],
    env: Any = None,
    stop_page: bool = True,
    count: Callable[[str], None] = lambda kind: None,
) -> None:
    """Add council mode to the front door ``app``.

    Args:
        app: The front door.
        council: Council-mode settings.
        notify: Notification settings (provider, stop-link secret).
        clock: The time now (UTC).
        env: Where ``OPEN311_FORMAT`` is read (default: the environment).
        stop_page: Serve the stop-updates page at /open311/v2/ (False when the built-in
            service is mounted there and serves it).
        count: Counts a failure in the front door's /metrics: ``council_poll_failed`` (the
            council's endpoint did not answer usably), ``watch_refused`` (a registration
            with a wrong key or without a contact).
    """
    import os

    connect = watch.opener(council.database)
    fmt = open311_xml.setting(os.environ if env is None else env)
    poller = poller_module.Poller(connect, council, clock, fmt, on_failure=lambda: count("council_poll_failed"))
    app[POLLER] = poller
    app[WATCH_DB] = connect

    def with_db(work: Callable[[Any], Any]) -> Any:
        with closing(connect()) as db:
            return work(db)

    async def register(request: web.Request) -> web.Response:
        try:
            _authorised(request, council.watch_key)
        except web.HTTPForbidden:
            count("watch_refused")
            raise
        form = await request.post()
        try:
            item = watch.parse({k: str(v) for k, v in form.items()})
        except ValueError as exc:
            count("watch_refused")
            return web.json_response({"error": str(exc)}, status=400)
        added = await asyncio.to_thread(with_db, lambda db: watch.add(db, item, clock()))
        if added:  # its starting status is the council's, not the one registered
            await poller.start_from_now(item.reference)
        return web.json_response({"service_request_id": item.reference, "watched": True, "new": added})

    async def erase(request: web.Request) -> web.Response:
        _authorised(request, council.watch_key)
        form = await request.post()
        refs = [r.strip() for r in str(form.get("service_request_id") or "").split(",") if r.strip()]
        email, phone = str(form.get("email") or "").strip(), str(form.get("phone") or "").strip()
        if not (refs or email or phone):
            return web.json_response({"error": "give service_request_id, email or phone"}, status=400)
        done = await asyncio.to_thread(with_db, lambda db: watch.erase(db, refs, email, phone))
        return web.json_response({"erased": done})

    async def status(request: web.Request) -> web.Response:
        _authorised(request, council.watch_key)
        count = await asyncio.to_thread(with_db, lambda db: len(watch.watched(db)))
        return web.json_response(
            {"watched": count, "polls": poller.polls, "poll_failures": poller.failures, "queued": poller.queued}
        )

    app.router.add_post("/notifications/v1/watch", register)
    app.router.add_post("/notifications/v1/watch/erase", erase)
    app.router.add_get("/notifications/v1/watch/status", status)
    app.cleanup_ctx.append(poller_module.context(lambda _: poller))
    app.cleanup_ctx.append(
        sender_module.context(lambda _: sender_module.Sender(connect, notify, council.retention_days, clock))
    )
    if not stop_page:
        return
    # The stop links in emails point at the Open311 mount, as for the built-in service.
    store = _WatchStore(connect)
    stop = web.Application(middlewares=[open311_errors])
    stop.router.add_routes(
        notifications_web.routes(lambda: store, lambda: notify, frozenset({council.watch_key}), clock)
    )
    app.add_subapp("/open311/v2/", stop)
