"""CORS for the widget's own HTTP calls from a council page (an allowed origin): pure."""

from __future__ import annotations

from collections.abc import Collection, Mapping


def widget_cors(
    headers: Mapping[str, str],
    allowed_origins: Collection[str],
    methods: str,
    expose: str = "",
    allow_headers: str = "Authorization",
) -> dict[str, str]:
    """The CORS headers for a request from the widget, or none when its origin is not allowed.

    Args:
        headers: The request's headers (its ``Origin``).
        allowed_origins: ``RELAY_ALLOWED_ORIGINS``.
        methods: What the widget may call, e.g. ``"GET"`` or ``"GET, POST, DELETE"``.
        expose: Response headers the widget may read, e.g. ``Content-Disposition``.
        allow_headers: Request headers the widget may send.
    """
    origin = headers.get("Origin", "").rstrip("/")
    if not origin or origin not in allowed_origins:
        return {}
    out = {
        "Access-Control-Allow-Origin": origin,
        "Vary": "Origin",
        "Access-Control-Allow-Headers": allow_headers,
        "Access-Control-Allow-Methods": methods,
        "Access-Control-Max-Age": "600",
    }
    if expose:
        out["Access-Control-Expose-Headers"] = expose
    return out
