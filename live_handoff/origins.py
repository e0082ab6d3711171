"""Which web pages may open websockets (the defence against cross-site websocket hijacking)."""

from __future__ import annotations

from aiohttp import web

from live_handoff import proxies


def origin_allowed(request: web.Request, allowed: frozenset[str], trusted: tuple[proxies.Network, ...] = ()) -> bool:
    """Browsers always send Origin: it must be the relay's own or a configured one.
    Non-browser clients (the tests' and benchmarks' websockets) send none. Behind a
    TLS-terminating proxy the relay sees http://: its own origin is https:// when a
    trusted proxy (``trusted``, RELAY_TRUSTED_PROXIES) says so; otherwise list the public
    https:// origin in RELAY_ALLOWED_ORIGINS."""
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    origin = origin.rstrip("/")
    scheme = proxies.client_scheme(request.remote or "", request.headers, trusted, direct=request.scheme)
    return origin == f"{scheme}://{request.host}" or origin in allowed
