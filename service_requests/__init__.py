"""Open311 GeoReport v2 service with a built-in case store (SQLite by default).

Depends on no other package of the project (only ``contracts/``, the shared values). The
public interface, for the front door that serves it beside the relay:

- ``create_app(settings)``: the service as an aiohttp application, mounted at ``MOUNT``.
- ``Settings``, ``SettingsError``: its settings (``Settings.from_env()``) and their error.
- ``install_council(app, builtin_mounted)``: status-change updates for cases in a council's
  own case system (docs/notifications.md), served whether or not the service itself is.
- ``forget_watched(app, references, email, phone)``: the privacy erasure's part in that.
- ``metrics_of(app)``: the service's Prometheus counters (requests, cases created,
  refusals), for the front door to add to the relay's ``/metrics``.
- ``watched_about(app, references, email, phone)``: subject access's part in that.

The names are resolved on first use, so importing the store alone does not import the app.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_PUBLIC = {
    "create_app": ("service_requests.app", "create_app"),
    "MOUNT": ("service_requests.app", "MOUNT"),
    "Settings": ("service_requests.settings", "Settings"),
    "SettingsError": ("service_requests.settings", "SettingsError"),
    "install_council": ("service_requests.notifications.wiring", "install_council"),
    "forget_watched": ("service_requests.notifications.council", "forget_watched"),
    "metrics_of": ("service_requests.metrics", "metrics_of"),
    "watched_about": ("service_requests.notifications.council", "watched_about"),
}

__all__ = sorted(_PUBLIC)

if TYPE_CHECKING:
    from service_requests.app import MOUNT as MOUNT
    from service_requests.app import create_app as create_app
    from service_requests.metrics import metrics_of as metrics_of
    from service_requests.notifications.council import forget_watched as forget_watched
    from service_requests.notifications.council import watched_about as watched_about
    from service_requests.notifications.wiring import install_council as install_council
    from service_requests.settings import Settings as Settings
    from service_requests.settings import SettingsError as SettingsError


def __getattr__(name: str) -> Any:
    try:
        module, attribute = _PUBLIC[name]
    except KeyError:
        raise AttributeError(f"module 'service_requests' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_PUBLIC])
