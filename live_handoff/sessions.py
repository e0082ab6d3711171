"""Who is logged in: the session cookie, and the CSRF check for state-changing requests."""

from __future__ import annotations

import hmac

from aiohttp import web

from live_handoff.auth import effective_roles
from live_handoff.keys import SETTINGS, STORE

COOKIE = "fd_session"


async def current_user(request: web.Request) -> dict[str, str] | None:
    """The logged-in user (username, name, roles, csrf), or None."""
    sid = request.cookies.get(COOKIE)
    if not sid or len(sid) > 100:
        return None
    store, settings = request.app[STORE], request.app[SETTINGS]
    session = await store.session(sid, int(settings.session_hours * 3600))
    if not session:
        return None
    user = await store.advisor(session["user"])
    if not user:
        return None
    return {
        "username": session["user"],
        "name": user.get("name", ""),
        "roles": ",".join(effective_roles(user.get("roles", ""))),
        "csrf": session["csrf"],
        "capacity": user.get("capacity", "1"),
    }


async def require(request: web.Request, role: str, state_changing: bool = False) -> dict[str, str]:
    """The logged-in user with ``role``, or an HTTP error in the API's JSON shape:
    401 not logged in, 403 without the role, 403 without the CSRF token when it changes state."""
    user = await current_user(request)
    if user is None:
        raise web.HTTPUnauthorized(
            text='{"error": {"code": "not_logged_in", "message": "Please log in."}}', content_type="application/json"
        )
    if role not in user["roles"].split(","):
        raise web.HTTPForbidden(
            text='{"error": {"code": "not_allowed", "message": "Your account cannot do this."}}',
            content_type="application/json",
        )
    if state_changing and not csrf_ok(request, user):
        raise web.HTTPForbidden(
            text='{"error": {"code": "csrf", "message": "Missing or wrong X-CSRF-Token header."}}',
            content_type="application/json",
        )
    return user


def csrf_ok(request: web.Request, user: dict[str, str]) -> bool:
    """State-changing requests carry the session's CSRF token in X-CSRF-Token."""
    sent = request.headers.get("X-CSRF-Token", "")
    return bool(sent) and hmac.compare_digest(sent, user["csrf"])
