"""Plugs notifications into the Open311 application: the sender task and the web routes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from service_requests.notifications import web as notifications_web
from service_requests.notifications.sender import Sender, context

if TYPE_CHECKING:
    from service_requests.settings import Settings


def install(
    app: web.Application, store: Callable[[], Any], settings: Settings, clock: Callable[[], dt.datetime]
) -> None:
    """Run a sender while ``app`` runs and serve the unsubscribe page and staff report.

    Args:
        app: The Open311 application.
        store: Gives its case store.
        settings: Its settings (``settings.notifications`` and the contact retention).
        clock: The time now (UTC).
    """

    def make(_: Any) -> Sender:
        return Sender(store().notification_db, settings.notifications, settings.contact_retention_days, clock)

    app.cleanup_ctx.append(context(make))
    app.router.add_routes(notifications_web.routes(store, lambda: settings.notifications, settings.staff_keys, clock))
