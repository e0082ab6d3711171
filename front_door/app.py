"""The front door as one aiohttp application: the relay, the widget and its demo page,
the advisor console, and (when configured) the built-in Open311 service."""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable

from aiohttp import web

from front_door import editor_api, manager, privacy_page, set_aside_page, staff
from front_door.settings import Settings as DoorSettings
from live_handoff import METRICS, SETTINGS, Settings, client_scheme, count_limited, create_app

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WIDGET = os.path.join(ROOT, "webchat_widget")
CONSOLE = os.path.join(ROOT, "advisor_console")
EDITOR = os.path.join(ROOT, "content_editor")

# The console and demo page load nothing from elsewhere and run no inline script.
PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self' ws: wss:; media-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'self'"
)


@web.middleware
async def security_headers(request: web.Request, handler):
    response = await handler(request)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if response.content_type == "text/html":
        response.headers.setdefault("Content-Security-Policy", PAGE_POLICY)
    if request.path.startswith("/widget/"):
        # Council pages on other origins load the widget script and stylesheet.
        response.headers.setdefault("Access-Control-Allow-Origin", "*")
        response.headers.setdefault("Cache-Control", "public, max-age=300")
    return response


def _page(path: str) -> Callable[[web.Request], Awaitable[web.FileResponse]]:
    async def serve(request: web.Request) -> web.FileResponse:
        return web.FileResponse(path, headers={"Cache-Control": "no-cache", "Content-Security-Policy": PAGE_POLICY})

    return serve


def _redirect(path: str) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def redirect(request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound(path)

    return redirect


def build_app(settings: Settings | None = None, door: DoorSettings | None = None) -> web.Application:
    """The front door. Settings not given are read from the environment now (start-up).

    Args:
        settings: the relay's (``live_handoff.Settings``).
        door: the front door's own (``front_door.settings.Settings``).
    """
    door = door if door is not None else DoorSettings.from_env()
    app = create_app(settings or Settings.from_env())
    app.middlewares.append(security_headers)
    app.router.add_get("/", _page(os.path.join(WIDGET, "demo", "index.html")))
    app.router.add_static("/demo/", os.path.join(WIDGET, "demo"))
    app.router.add_get("/widget/widget.js", staff.widget_script)
    app.router.add_static("/widget/", os.path.join(WIDGET, "src"))
    app.router.add_get("/console", _redirect("/console/"))
    app.router.add_get("/console/", _page(os.path.join(CONSOLE, "index.html")))
    app.router.add_static("/console/", CONSOLE)
    app.router.add_get("/manager/", manager.report_page)
    privacy_page.setup(app)
    set_aside_page.setup(app)
    staff.setup(app)
    editor_api.setup(app, door)
    app.router.add_get("/editor", _redirect("/editor/"))
    app.router.add_get("/editor/", _page(os.path.join(EDITOR, "index.html")))
    app.router.add_static("/editor/", EDITOR)
    app.router.add_get("/reports/report.css", _page(os.path.join(ROOT, "insight", "report.css")))
    import service_requests

    if door.open311:
        trusted = app[SETTINGS].trusted_proxies

        def scheme(request: web.Request) -> str:
            # The relay's rule (RELAY_TRUSTED_PROXIES): Open311's discovery says https behind the council's TLS proxy.
            return client_scheme(request.remote or "", request.headers, trusted, request.scheme)

        open311 = service_requests.create_app(service_requests.Settings.from_env(), client_scheme=scheme)
        app.add_subapp(service_requests.MOUNT, open311)
        app[METRICS].registry.register(service_requests.metrics_of(open311))  # on the relay's /metrics, its rule
    # Updates for cases in a council's own case system, whether or not the built-in one is served.
    service_requests.install_council(app, builtin_mounted=door.open311, count=lambda kind: count_limited(app, kind))
    return app
