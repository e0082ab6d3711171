"""Where clients reach this API, for the absolute URLs it gives out (discovery). Pure: no I/O.

Behind a TLS-terminating proxy the service is reached over plain HTTP, so the request's own
URL says ``http://`` where clients used ``https://``. In order of preference:

1. ``OPEN311_PUBLIC_URL``: the API's public address, exactly as clients use it (a proxy
   may also serve it under another path);
2. ``NOTIFY_PUBLIC_URL`` (the front door's public address, already set where residents
   are emailed) followed by the mount path ``/open311/v2/``;
3. the request's own URL, with the scheme the client used as a trusted proxy reports it
   (the front door passes the relay's ``RELAY_TRUSTED_PROXIES`` rule; the standalone
   service trusts no proxy).
"""

from __future__ import annotations

from urllib.parse import urlsplit


def check_public_url(name: str, value: str) -> str:
    """A public address setting, or ``ValueError`` naming the variable.

    Returns:
        The address ending in ``/``, or "" when not set.
    """
    value = value.strip()
    if not value:
        return ""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(f"{name} must be an http:// or https:// address without a query, e.g. {EXAMPLE}")
    return value.rstrip("/") + "/"


EXAMPLE = "https://chat.northbridge.example/open311/v2/"


def api_base(
    public_url: str, front_door_url: str, mount: str, scheme: str, host: str, path_before_endpoint: str
) -> str:
    """The API's base address, ending in ``/``.

    Args:
        public_url: ``OPEN311_PUBLIC_URL`` (checked; "" when not set).
        front_door_url: ``NOTIFY_PUBLIC_URL`` ("" when not set).
        mount: where the API is mounted on the front door (``/open311/v2/``).
        scheme: the scheme the client used (from a trusted proxy, or the connection's own).
        host: the ``Host`` the client asked for.
        path_before_endpoint: the request's path up to the endpoint's name, e.g. ``/open311/v2/``.
    """
    if public_url:
        return public_url
    if front_door_url:
        return front_door_url.rstrip("/") + "/" + mount.strip("/") + "/"
    return f"{scheme}://{host}{path_before_endpoint}"
