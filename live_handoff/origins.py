"""Which web pages may open websockets (the defence against cross-site websocket hijacking)."""

from __future__ import annotations

from aiohttp import web


def origin_allowed(request: web.Request, allowed: frozenset[str]) -> bool:
    """Browsers always send Origin: it must be the relay's own or a configured one.
    Non-browser clients (the tests' and benchmarks' websockets) send none. Behind a
    TLS-terminating proxy the relay sees http://, so list the public https:// origin in
    RELAY_ALLOWED_ORIGINS."""
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    origin = origin.rstrip("/")
    return origin == f"{request.scheme}://{request.host}" or origin in allowed
