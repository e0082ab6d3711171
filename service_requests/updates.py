"""mySociety's service request updates extension (``servicerequestupdates.{json,xml}``).

GET lists the council's status changes from each case's history, the way FixMyStreet polls
for them (``start_date`` and ``end_date``). POST takes an update a resident made on
FixMyStreet (a comment, "still there", "fixed") and keeps it beside the case for staff; it
never changes the case's status, which is the council's to set.

The status-change path itself stays in ``store.py``: this module only reads its history
and keeps its own table of residents' updates.
"""

from __future__ import annotations

import datetime as dt
import json
from contextlib import closing
from dataclasses import dataclass
from typing import Any

from service_requests.dates import to_open311
from service_requests.store import CaseStore, NotFoundError, _iso, _parse

SCHEMA = """
CREATE TABLE IF NOT EXISTS citizen_updates (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id TEXT NOT NULL REFERENCES requests(id),
    at TEXT NOT NULL,
    updated TEXT,
    status TEXT,
    description TEXT NOT NULL,
    media_url TEXT,
    client TEXT NOT NULL,
    client_update_id TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS citizen_updates_by_client_id ON citizen_updates (client, client_update_id)
    WHERE client_update_id IS NOT NULL;
"""
# Added after the first release: the media_url values after the first (a JSON list), for staff.
ADDED_COLUMNS = {"extra_media_urls": "TEXT"}
# The history row every case starts with ("submitted", OPEN) is the report itself, not an update.
SUBMITTED = "submitted"


@dataclass(frozen=True)
class CitizenUpdate:
    """An update a resident made through a client such as FixMyStreet."""

    request_id: str
    description: str
    status: str | None = None
    updated: dt.datetime | None = None
    media_url: str | None = None
    client_update_id: str | None = None
    extra_media_urls: tuple[str, ...] = ()


class UpdateStore:
    """Reads status changes and keeps residents' updates, in the case store's database."""

    def __init__(self, cases: CaseStore):
        self.cases = cases
        with closing(cases._connect()) as db:
            db.executescript(SCHEMA)
            present = {row["name"] for row in db.execute("PRAGMA table_info(citizen_updates)")}
            for column, kind in ADDED_COLUMNS.items():
                if column not in present:
                    db.execute(f"ALTER TABLE citizen_updates ADD COLUMN {column} {kind}")

    def status_changes(
        self, start: dt.datetime | None, end: dt.datetime | None, within_codes: tuple[str, ...] | None, limit: int
    ) -> list[dict[str, Any]]:
        """The newest ``limit`` status changes made between ``start`` and ``end``, oldest first.

        Args:
            start: Earliest change (inclusive), or None.
            end: Latest change (inclusive), or None.
            within_codes: Service codes the reader may see (None: all).
            limit: At most this many.

        Returns:
            Rows with the case's service code (for masking) and the extension's fields.
        """
        where = ["c.by != ?"]
        args: list[object] = [SUBMITTED]
        if start:
            where.append("c.at >= ?")
            args.append(_iso(start))
        if end:
            where.append("c.at <= ?")
            args.append(_iso(end))
        if within_codes is not None:
            where.append(f"r.service_code IN ({','.join('?' * len(within_codes))})")
            args.extend(within_codes)
        sql = (
            "SELECT c.id, c.request_id, c.at, c.extended_status, c.notes, r.service_code"
            " FROM status_changes c JOIN requests r ON r.id = c.request_id"
            f" WHERE {' AND '.join(where)} ORDER BY c.id DESC LIMIT ?"
        )
        args.append(limit)
        with closing(self.cases._connect()) as db:
            # The newest ``limit`` (a poller must never miss the latest), shown oldest first.
            rows = db.execute(sql, args).fetchall()[::-1]
        return [
            {
                "update_id": str(row["id"]),
                "service_request_id": row["request_id"],
                "service_code": row["service_code"],
                "status": row["extended_status"],
                "updated_datetime": to_open311(_parse(row["at"])),
                "description": row["notes"],
                "media_url": None,
            }
            for row in rows
        ]

    def add_citizen_update(self, update: CitizenUpdate, client: str, now: dt.datetime) -> tuple[str, bool]:
        """Keep a resident's update; a resend with the same client ``update_id`` is one update.

        Returns:
            Our update id (``C`` and a number) and whether it was stored now.

        Raises:
            NotFoundError: no case with that id.
        """
        with closing(self.cases._connect()) as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                if not db.execute("SELECT 1 FROM requests WHERE id = ?", (update.request_id,)).fetchone():
                    raise NotFoundError(update.request_id)
                if update.client_update_id:
                    found = db.execute(
                        "SELECT id FROM citizen_updates WHERE client = ? AND client_update_id = ?",
                        (client, update.client_update_id),
                    ).fetchone()
                    if found:
                        db.execute("COMMIT")
                        return f"C{found['id']}", False
                cursor = db.execute(
                    "INSERT INTO citizen_updates (request_id, at, updated, status, description, media_url, client,"
                    " client_update_id, extra_media_urls) VALUES (?,?,?,?,?,?,?,?,?)",
                    (
                        update.request_id,
                        _iso(now),
                        _iso(update.updated) if update.updated else None,
                        update.status,
                        update.description,
                        update.media_url,
                        client,
                        update.client_update_id,
                        json.dumps(list(update.extra_media_urls)) if update.extra_media_urls else None,
                    ),
                )
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        return f"C{cursor.lastrowid}", True

    def citizen_updates(self, request_id: str) -> list[dict[str, Any]]:
        """A case's residents' updates, oldest first (for staff)."""
        with closing(self.cases._connect()) as db:
            rows = db.execute(
                "SELECT id, at, updated, status, description, media_url, extra_media_urls FROM citizen_updates"
                " WHERE request_id = ? ORDER BY id",
                (request_id,),
            ).fetchall()
        return [
            {
                "update_id": f"C{row['id']}",
                "received_datetime": to_open311(_parse(row["at"])),
                "updated_datetime": to_open311(_parse(row["updated"])),
                "status": row["status"],
                "description": row["description"],
                "media_url": row["media_url"],
                "extra_media_urls": json.loads(row["extra_media_urls"]) if row["extra_media_urls"] else None,
            }
            for row in rows
        ]
