"""Who is logged in: the session cookie, and the CSRF check for state-changing requests."""

from __future__ import annotations

import hmac

from aiohttp import web

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
    return {"username": session["user"], "name": user.get("name", ""), "roles": user.get("roles", ""),
            "csrf": session["csrf"], "capacity": user.get("capacity", "1")}


def csrf_ok(request: web.Request, user: dict[str, str]) -> bool:
    """State-changing requests carry the session's CSRF token in X-CSRF-Token."""
    sent = request.headers.get("X-CSRF-Token", "")
    return bool(sent) and hmac.compare_digest(sent, user["csrf"])
