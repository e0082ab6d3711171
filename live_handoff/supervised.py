"""What /health says about the supervisor that keeps Front Desk's processes running.

``make up``'s supervisor (``front_door.supervisor``) writes a small JSON status file
(``contracts/README.md``: supervisor status); the front door finds it through
RELAY_SUPERVISOR_STATUS. Under systemd there is no such file and /health says nothing
about supervision: systemd's own state is watched there (``docs/operations.md``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

# A status file older than this belongs to a supervisor that is no longer running.
STALE_SECONDS = 30.0


def summary(status: Any, now: float) -> tuple[bool, dict[str, Any]]:
    """Whether to warn, and what /health shows, from the status file's content.

    Args:
        status: the parsed file (anything: a damaged file is reported, not trusted).
        now: seconds since the epoch.
    """
    if not isinstance(status, dict) or not isinstance(status.get("processes"), list):
        return True, {"state": "unreadable"}
    updated = status.get("updated_at")
    if not isinstance(updated, (int, float)) or now - updated > STALE_SECONDS:
        return True, {"state": "stale", "processes": status["processes"]}
    processes = [p for p in status["processes"] if isinstance(p, dict)]
    troubled = [p for p in processes if p.get("state") not in ("running", "stopped")]
    return bool(troubled), {"state": "restarting" if troubled else "ok", "processes": processes}


def read(path: Path | None, now: float) -> tuple[bool, dict[str, Any] | None]:
    """``summary`` of the file at ``path``; (False, None) when there is no supervisor."""
    if path is None:
        return False, None
    try:
        status = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return True, {"state": "missing"}
    except (OSError, ValueError):
        status = None
    return summary(status, now)
