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


def install_council(
    app: web.Application, builtin_mounted: bool, count: Callable[[str], None] = lambda kind: None
) -> bool:
    """Council mode (``NOTIFY_WATCH_KEY`` set): watch list, poller and sender in the front door.

    Settings are read from the environment now; a mistake stops start-up naming the variable.

    Args:
        app: The front door.
        builtin_mounted: The built-in Open311 service is mounted too (it serves the stop page).
        count: Counts a failure in /metrics (``council_poll_failed``, ``watch_refused``).

    Returns:
        Whether council mode is on.
    """
    from service_requests.notifications import council
    from service_requests.notifications.settings import NotifySettings
    from service_requests.notifications.watch import CouncilSettings

    settings = CouncilSettings.from_env()
    if settings is None:
        return False
    council.install(
        app,
        settings,
        NotifySettings.from_env(),
        lambda: dt.datetime.now(dt.timezone.utc),
        stop_page=not builtin_mounted,
        count=count,
    )
    return True
