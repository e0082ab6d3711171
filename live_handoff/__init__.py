"""The handoff relay: the front door residents and advisors connect to.

The public interface, for the front door that serves the relay beside other packages
(front_door/). Everything else in this package is internal and may move; a test
(tests/unit/test_boundaries.py) fails if another package reaches past these names.

- ``create_app(settings)``: the relay's aiohttp application.
- ``Settings``, ``SettingsError``: its settings (``Settings.from_env()``) and their error.
- ``SETTINGS``, ``KNOWLEDGE``: application keys for the settings and the knowledge base cache.
- ``current_user(request)``, ``require(request, role, state_changing)``: advisors' sessions.
- ``error(status, code, message)``: a JSON error response in the relay's shape.
- ``messages_set_aside(app)``: how many messages left by residents the case system did
  not take (set aside for a supervisor).
- ``install_log_masking()``: mask personal data in log records (call once at start-up).
- ``count_limited(app, limit)``: count a refusal by a limit in /metrics (the front door's
  HTTP read deadlines).
- ``PrivacyDesk(app)``, ``PrivacyDeskError``: subject access and erasure for the data
  protection officer's page (``live_handoff/privacy/desk.py``).
- ``read_json(request)``: a JSON request body, decoded as strictly as websocket frames
  (raises a ``ValueError`` saying what was wrong).
- ``SetAsideDesk(app)``, ``SetAsideDeskError``: messages left that the case system did not
  take, for the supervisors' page: list, retry, delete (``live_handoff/set_aside.py``).
- ``METRICS``: the application key of the relay's Prometheus metrics (``.registry``), where
  the front door adds the Open311 service's counters.
- ``client_scheme(peer_ip, headers, trusted, direct)``: the scheme a client used, believing
  ``X-Forwarded-Proto`` only from ``RELAY_TRUSTED_PROXIES`` (``live_handoff/proxies.py``).

The names are resolved on first use, so importing one internal module (``live_handoff.hours``)
does not import the whole relay.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# name -> (module, attribute): where each public name lives today.
_PUBLIC = {
    "create_app": ("live_handoff.app", "create_app"),
    "Settings": ("live_handoff.settings", "Settings"),
    "SettingsError": ("live_handoff.settings", "SettingsError"),
    "SETTINGS": ("live_handoff.keys", "SETTINGS"),
    "KNOWLEDGE": ("live_handoff.keys", "KNOWLEDGE"),
    "current_user": ("live_handoff.sessions", "current_user"),
    "require": ("live_handoff.sessions", "require"),
    "error": ("live_handoff.http_api", "error"),
    "messages_set_aside": ("live_handoff.http_api", "messages_set_aside"),
    "install_log_masking": ("live_handoff.masking", "install"),
    "PrivacyDesk": ("live_handoff.privacy.desk", "PrivacyDesk"),
    "PrivacyDeskError": ("live_handoff.privacy.desk", "PrivacyDeskError"),
    "read_json": ("live_handoff.json_body", "read_json"),
    "SetAsideDesk": ("live_handoff.set_aside", "SetAsideDesk"),
    "SetAsideDeskError": ("live_handoff.set_aside", "SetAsideDeskError"),
    "count_limited": ("live_handoff.admission", "count_limited"),
    "client_scheme": ("live_handoff.proxies", "client_scheme"),
    "METRICS": ("live_handoff.keys", "METRICS"),
}

__all__ = sorted(_PUBLIC)

if TYPE_CHECKING:
    from live_handoff.admission import count_limited as count_limited
    from live_handoff.app import create_app as create_app
    from live_handoff.http_api import error as error
    from live_handoff.http_api import messages_set_aside as messages_set_aside
    from live_handoff.json_body import read_json as read_json
    from live_handoff.keys import KNOWLEDGE as KNOWLEDGE
    from live_handoff.keys import METRICS as METRICS
    from live_handoff.keys import SETTINGS as SETTINGS
    from live_handoff.masking import install as install_log_masking  # noqa: F401 - public name
    from live_handoff.privacy.desk import PrivacyDesk as PrivacyDesk
    from live_handoff.privacy.desk import PrivacyDeskError as PrivacyDeskError
    from live_handoff.proxies import client_scheme as client_scheme
    from live_handoff.sessions import current_user as current_user
    from live_handoff.sessions import require as require
    from live_handoff.set_aside import SetAsideDesk as SetAsideDesk
    from live_handoff.set_aside import SetAsideDeskError as SetAsideDeskError
    from live_handoff.settings import Settings as Settings
    from live_handoff.settings import SettingsError as SettingsError


def __getattr__(name: str) -> Any:
    try:
        module, attribute = _PUBLIC[name]
    except KeyError:
        raise AttributeError(f"module 'live_handoff' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_PUBLIC])
