"""One staff sign-in for every role at /staff/: the sign-in page, where to go next, the
pages each role may open, and the shared front-end modules (/shared/) and labels
(/api/labels) the staff pages and the widget are built from."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from aiohttp import web

from live_handoff import KNOWLEDGE, current_user

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(ROOT, "web_shared")
PAGE_DIR = os.path.join(ROOT, "front_door", "staff_page")


@dataclass(frozen=True)
class StaffPage:
    path: str
    title: str
    what: str
    role: str


# The pages behind the sign-in, in the order they are listed; `role` may open each.
PAGES = (
    StaffPage("/console/", "Advisor console", "Take chats over from the bot and help residents.", "advisor"),
    StaffPage("/editor/", "Content editor", "Keep the bot's answers up to date.", "editor"),
    StaffPage("/manager/", "Managers' report", "Contact volumes, reasons and resolution, month by month.", "manager"),
    StaffPage(
        "/manager/set-aside/",
        "Messages set aside",
        "Messages residents left that the case system did not take: retry or delete them.",
        "manager",
    ),
    StaffPage(
        "/manager/privacy/",
        "Subject access and erasure",
        "Find, download or erase what is held about one person.",
        "dpo",
    ),
)
_QUERY = {"/manager/": re.compile(r"^month=20[0-9]{2}-(0[1-9]|1[0-2])$")}
_FRAGMENT = re.compile(r"^/[A-Za-z0-9/_-]{0,120}$")  # the editor's hash routes, e.g. #/articles/council-tax-pay

# Topic folders (knowledge_base/content/<topic>/) as editors read them.
TOPICS = {
    "bins-recycling": "Bins and recycling",
    "business": "Business",
    "community": "Community",
    "contact-us": "Contact us",
    "council-tax": "Council tax",
    "education-families": "Education and families",
    "environmental-health": "Environmental health",
    "housing": "Housing",
    "parking-transport": "Parking and transport",
    "planning-building": "Planning and building",
    "registration-elections": "Registration and elections",
    "social-care": "Social care",
}


def safe_next(value: str | None) -> str | None:
    """`value` if it is one of the staff pages (with an allowed query or hash), else None.

    Only exact local paths from PAGES pass: never a scheme, host, "//", backslash or
    encoded trick, so the sign-in page cannot send anyone to another site.
    """
    if not value or len(value) > 300 or any(c in value for c in "\\\r\n\t ") or not value.startswith("/"):
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or parts.path not in {p.path for p in PAGES}:
        return None
    if parts.query and not (parts.path in _QUERY and _QUERY[parts.path].match(parts.query)):
        return None
    if parts.fragment and not (parts.path == "/editor/" and _FRAGMENT.match(parts.fragment)):
        return None
    if value.endswith(("?", "#")):
        return None
    return value


def pages_for(roles: list[str]) -> list[StaffPage]:
    """The staff pages someone with `roles` may open."""
    return [page for page in PAGES if page.role in roles]


def may_open(roles: list[str], next_path: str) -> bool:
    path = urlsplit(next_path).path
    return any(page.path == path for page in pages_for(roles))


async def staff_page(request: web.Request) -> web.StreamResponse:
    """The sign-in page; someone already signed in who may open `next` goes straight there."""
    from front_door.app import PAGE_POLICY

    target = safe_next(request.query.get("next"))
    user = await current_user(request)
    if user and target and may_open(user["roles"].split(","), target):
        raise web.HTTPFound(target)
    return web.FileResponse(
        os.path.join(PAGE_DIR, "index.html"),
        headers={"Cache-Control": "no-cache", "Content-Security-Policy": PAGE_POLICY},
    )


async def staff_pages_api(request: web.Request) -> web.Response:
    """GET /api/staff/pages?next=...: who is signed in, their pages, and `next` if it is
    allowed for them (null otherwise). 401 when nobody is signed in."""
    user = await current_user(request)
    target = safe_next(request.query.get("next"))
    if user is None:
        return web.json_response(
            {"error": {"code": "not_logged_in", "message": "Please log in."}, "next": target}, status=401
        )
    roles = user["roles"].split(",")
    return web.json_response(
        {
            "username": user["username"],
            "name": user["name"],
            "roles": roles,
            "pages": [{"path": p.path, "title": p.title, "what": p.what} for p in pages_for(roles)],
            "next": target if target and may_open(roles, target) else None,
            "next_refused": bool(request.query.get("next")) and not (target and may_open(roles, target)),
        },
        headers={"Cache-Control": "no-store"},
    )


async def labels_api(request: web.Request) -> web.Response:
    """GET /api/labels: names people read for report codes and topics. Public: residents
    see the same report buttons."""
    kb = request.app[KNOWLEDGE].get()
    prefix = kb.messages.get("labels", {}).get("report_prefix", "Report")
    reports = [[code, f"{prefix} {name}"] for code, name in kb.messages.get("service_names", {}).items()]
    return web.json_response({"reports": reports, "topics": TOPICS}, headers={"Cache-Control": "no-cache"})


async def _to_staff(request: web.Request) -> web.StreamResponse:
    raise web.HTTPFound("/staff/")


async def widget_script(request: web.Request) -> web.FileResponse:
    """The residents' widget, bundled by esbuild from webchat_widget/src and web_shared (make widget)."""
    return web.FileResponse(os.path.join(ROOT, "webchat_widget", "dist", "widget.js"))


def setup(app: web.Application) -> None:
    app.router.add_get("/staff", _to_staff)
    app.router.add_get("/staff/", staff_page)
    app.router.add_static("/staff/", PAGE_DIR)
    app.router.add_static("/shared/", SHARED)
    app.router.add_get("/api/staff/pages", staff_pages_api)
    app.router.add_get("/api/labels", labels_api)
