"""A person's status-change updates in a subject access export (UK GDPR article 15).

The privacy extension (``privacy_api.py``) adds to each case it finds the updates queued or
sent about it: the channel, the status change, the state, when queued and when finished, and
when the resident stopped updates. The address is not repeated (it is the case's own email
or phone, shown with the case, and leaves the outbox once the update is finished), the stop
link is never included (it works like a password for that case), and a provider's error is
masked as logs are (``contracts.masking``), since it may quote an address.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from contextlib import closing
from typing import Any

from contracts.masking import mask
from service_requests.dates import to_open311
from service_requests.store import _parse


def notifications_about(db: sqlite3.Connection, references: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
    """The updates of these cases, oldest first, by reference (a case with none is left out)."""
    wanted = sorted(set(references))
    if not wanted:
        return {}
    marks = ",".join("?" * len(wanted))
    found: dict[str, list[dict[str, Any]]] = {}
    for row in db.execute(
        "SELECT request_id, channel, old_status, new_status, state, created, done_at, last_error"
        f" FROM notification_outbox WHERE request_id IN ({marks}) ORDER BY id",
        wanted,
    ):
        found.setdefault(row[0], []).append(
            {
                "service_request_id": row[0],
                "channel": row[1],
                "from_status": row[2],
                "to_status": row[3],
                "state": row[4],
                "queued_datetime": to_open311(_parse(row[5])),
                "finished_datetime": to_open311(_parse(row[6])),
                "last_error": mask(row[7]) if row[7] else None,
            }
        )
    for reference, at in db.execute(
        f"SELECT request_id, at FROM notification_optouts WHERE request_id IN ({marks})", wanted
    ):
        found.setdefault(reference, []).append(
            {
                "service_request_id": reference,
                "channel": None,
                "state": "updates stopped by the resident",
                "queued_datetime": to_open311(_parse(at)),
            }
        )
    return found


def add_to(cases: list[dict[str, Any]], connect: Callable[[], sqlite3.Connection]) -> list[dict[str, Any]]:
    """``cases`` (the privacy search's records), each with its ``notifications`` list."""
    with closing(connect()) as db:
        found = notifications_about(db, (c["service_request_id"] for c in cases))
    return [{**case, "notifications": found.get(case["service_request_id"], [])} for case in cases]
