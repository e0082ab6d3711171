"""The unsubscribe page residents reach from an update, and the staff view of the outbox.

GET  /notifications/unsubscribe?ref=NB-…&token=…   -> a page asking to confirm (a link
     scanner or mail preview that follows links unsubscribes nobody)
POST /notifications/unsubscribe (form: ref, token)  -> no more updates about that case
GET  /notifications.json?api_key=STAFF              -> rows by state and the latest failures
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hmac
import html
from collections.abc import Callable
from contextlib import closing
from typing import Any

from aiohttp import web

from service_requests.errors import Open311Error
from service_requests.forms import read_form
from service_requests.notifications import outbox
from service_requests.notifications.settings import NotifySettings
from service_requests.notifications.tokens import verify

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} - Northbridge Borough Council</title></head>
<body style="font-family: Arial, sans-serif; max-width: 40em; margin: 2em auto; padding: 0 1em; line-height: 1.5">
<h1>{title}</h1>
{content}
</body></html>
"""


def page(title: str, content: str, status: int = 200) -> web.Response:
    return web.Response(
        text=PAGE.format(title=html.escape(title), content=content),
        status=status,
        content_type="text/html",
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
    )


def routes(
    store: Callable[[], Any],
    settings: Callable[[], NotifySettings],
    staff_keys: frozenset[str],
    clock: Callable[[], dt.datetime],
) -> list[web.RouteDef]:
    """The routes, relative to the Open311 mount.

    Args:
        store: Gives the case store (its ``notification_db()`` opens a connection).
        settings: Gives the notification settings (the secret that signs links).
        staff_keys: Keys that may read the outbox report.
        clock: The time now (UTC).
    """

    def checked(reference: str, token: str) -> bool:
        secret = settings().secret
        return bool(secret and reference and token and verify(secret, reference, token))

    async def confirm(request: web.Request) -> web.Response:
        reference, token = request.query.get("ref", ""), request.query.get("token", "")
        if not checked(reference, token):
            return page("This link does not work", "<p>Please copy the whole link from the email.</p>", 400)
        ref = html.escape(reference)
        return page(
            "Stop updates about this report",
            f"<p>You will get no more emails or texts about report <strong>{ref}</strong>.</p>"
            '<form method="post"><input type="hidden" name="ref" value="{}">'.format(ref)
            + f'<input type="hidden" name="token" value="{html.escape(token)}">'
            '<button type="submit">Stop updates</button></form>'
            "<p>You can still ask about it in the web chat, giving the reference.</p>",
        )

    async def unsubscribe(request: web.Request) -> web.Response:
        form = await read_form(request, ("application/x-www-form-urlencoded", "multipart/form-data"))
        reference, token = form.get("ref", ""), form.get("token", "")
        if not checked(reference, token):
            return page("This link does not work", "<p>Please copy the whole link from the email.</p>", 400)

        def work() -> None:
            with closing(store().notification_db()) as db:
                outbox.unsubscribe(db, reference, clock())

        await asyncio.to_thread(work)
        return page(
            "Updates stopped",
            f"<p>You will get no more updates about report <strong>{html.escape(reference)}</strong>.</p>",
        )

    async def report(request: web.Request) -> web.Response:
        provided = request.query.get("api_key")
        if not provided:
            raise Open311Error(403, "api_key (a staff key) is required to see notifications")
        if not any(hmac.compare_digest(provided.encode(), key.encode()) for key in staff_keys):
            raise Open311Error(403, "api_key is not valid")

        def work() -> dict[str, Any]:
            with closing(store().notification_db()) as db:
                return outbox.report(db)

        body = await asyncio.to_thread(work)
        return web.json_response({"provider": settings().provider, **body})

    return [
        web.get("/notifications/unsubscribe", confirm),
        web.post("/notifications/unsubscribe", unsubscribe),
        web.get("/notifications.json", report),
    ]
