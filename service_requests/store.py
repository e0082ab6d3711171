"""Durable case store on SQLite: references never repeat, a restart loses nothing.

Each call opens its own connection (SQLite in WAL mode serialises writers across
threads and processes); callers in asyncio code run these functions in a thread.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import sqlite3
from collections.abc import Iterable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contracts.contact import emails_in, normalise_email, normalise_phone, phones_in
from service_requests.catalogue import Service
from service_requests.dates import add_working_days, to_open311
from service_requests.notifications import outbox, retention
from service_requests.statuses import EXTENDED_STATUSES, open311_status
from service_requests.validation import NewRequest

logger = logging.getLogger(__name__)
ERASED = "[erased]"  # what an erased request's free text becomes

SCHEMA = """
CREATE TABLE IF NOT EXISTS counters (year INTEGER PRIMARY KEY, last INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS requests (
    id TEXT PRIMARY KEY,
    service_code TEXT NOT NULL,
    service_name TEXT NOT NULL,
    agency TEXT,
    service_notice TEXT,
    extended_status TEXT NOT NULL,
    status_notes TEXT,
    description TEXT NOT NULL,
    address TEXT,
    zipcode TEXT,
    lat REAL,
    long REAL,
    attributes TEXT NOT NULL,
    email TEXT, phone TEXT, first_name TEXT, last_name TEXT,
    requested TEXT NOT NULL,
    updated TEXT NOT NULL,
    expected TEXT,
    closed TEXT,
    client TEXT,
    client_request_key TEXT,
    media_url TEXT
);
CREATE INDEX IF NOT EXISTS requests_by_place ON requests (service_code, zipcode, requested);
CREATE TABLE IF NOT EXISTS status_changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id TEXT NOT NULL REFERENCES requests(id),
    at TEXT NOT NULL,
    by TEXT NOT NULL,
    extended_status TEXT NOT NULL,
    notes TEXT
);
"""
# Columns added after the first release: a database made before them gets them on start-up.
# media_url: where a photo of the problem can be seen (a URL the client sent, or one the
# photo store fills); shown as the request's Open311 media_url.
# extra_attributes (a JSON object) and extra_media_urls (a JSON list): what a client such as
# FixMyStreet sends beyond the service's questions and the first photo; for staff only.
ADDED_COLUMNS = {
    "client": "TEXT",
    "client_request_key": "TEXT",
    "media_url": "TEXT",
    "extra_attributes": "TEXT",
    "extra_media_urls": "TEXT",
}
# One case per (client, key): a resend of a submission finds the case the first one made.
KEYED_INDEX = (
    "CREATE UNIQUE INDEX IF NOT EXISTS requests_by_client_key ON requests (client, client_request_key) "
    "WHERE client_request_key IS NOT NULL"
)


def _restrict(path: Path) -> None:
    """Make a file we own private (0600); leave a shared file as it is, with a warning."""
    info = path.stat()
    if info.st_mode & 0o077 and info.st_uid == os.getuid():
        path.chmod(0o600)
    elif info.st_mode & 0o077:
        logger.warning("%s is readable by others and not ours to change: residents' details are in it", path)


def _has_table(db: sqlite3.Connection, name: str) -> bool:
    return db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone() is not None


def _json_or_none(text: str | None) -> Any:
    return json.loads(text) if text else None


class NotFoundError(Exception):
    """No request with that id."""


@dataclass(frozen=True)
class Filters:
    ids: tuple[str, ...] = ()
    service_codes: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    zipcode: str | None = None
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    limit: int = 1000
    # The services a reader may see (None: all). Kept apart from ``service_codes`` because
    # an empty tuple here means "none", where an empty filter means "any".
    within_codes: tuple[str, ...] | None = None


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).isoformat(timespec="microseconds")


def _parse(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


class CaseStore:
    def __init__(self, path: Path, prefix: str = "NB"):
        self.path = Path(path)
        self.prefix = prefix
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        # Residents' contact details live here: readable by this service's user only.
        os.close(os.open(self.path, os.O_CREAT | os.O_RDWR, 0o600))
        _restrict(self.path)
        with closing(self._connect()) as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(SCHEMA)
            present = {row["name"] for row in db.execute("PRAGMA table_info(requests)")}
            for column, kind in ADDED_COLUMNS.items():
                if column not in present:
                    db.execute(f"ALTER TABLE requests ADD COLUMN {column} {kind}")
            db.execute(KEYED_INDEX)
            outbox.migrate(db)

    def _connect(self) -> sqlite3.Connection:
        # Shorter than the chat's Open311 timeout (5 s), so a busy database gives a clear error
        # before the chat gives up, rather than a case stored after the resident was told it failed.
        db = sqlite3.connect(self.path, timeout=3, isolation_level=None)
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA foreign_keys=ON")
        db.execute("PRAGMA busy_timeout=3000")
        return db

    def create(self, new: NewRequest, service: Service, now: dt.datetime) -> dict[str, Any]:
        """Store a request and give it the next reference, in one transaction."""
        return self.create_once(new, service, now)[0]

    def create_once(
        self, new: NewRequest, service: Service, now: dt.datetime, client: str | None = None, key: str | None = None
    ) -> tuple[dict[str, Any], bool]:
        """Store a request, unless ``client`` already stored one under ``key``.

        The look-up and the insert share one write transaction, so two resends racing each
        other still make one case.

        Args:
            new: The validated submission.
            service: Its service.
            now: When it arrived.
            client: Who sent it (a digest of the API key), so one client's keys never match another's.
            key: The client's ``client_request_key`` for this submission, or None (always a new case).

        Returns:
            The stored request and whether it was created now (False: the earlier one, unchanged).
        """
        with closing(self._connect()) as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                if key is not None:
                    found = db.execute(
                        "SELECT id FROM requests WHERE client = ? AND client_request_key = ?", (client, key)
                    ).fetchone()
                    if found:
                        db.execute("COMMIT")
                        return self.get(found["id"]), False
                year = now.year
                (last,) = db.execute(
                    "INSERT INTO counters (year, last) VALUES (?, 1) "
                    "ON CONFLICT(year) DO UPDATE SET last = last + 1 RETURNING last",
                    (year,),
                ).fetchone()
                request_id = f"{self.prefix}-{year}-{last:06d}"
                expected = add_working_days(now, service.expected_days)
                db.execute(
                    "INSERT INTO requests (id, service_code, service_name, agency, service_notice, extended_status,"
                    " status_notes, description, address, zipcode, lat, long, attributes, email, phone, first_name,"
                    " last_name, requested, updated, expected, client, client_request_key, media_url,"
                    " extra_attributes, extra_media_urls)"
                    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (
                        request_id,
                        service.service_code,
                        service.service_name,
                        service.agency,
                        service.service_notice,
                        "OPEN",
                        None,
                        new.description,
                        new.address,
                        new.zipcode,
                        new.lat,
                        new.long,
                        json.dumps(new.attributes, sort_keys=True),
                        new.email,
                        new.phone,
                        new.first_name,
                        new.last_name,
                        _iso(now),
                        _iso(now),
                        _iso(expected),
                        client if key is not None else None,
                        key,
                        new.media_url,
                        json.dumps(new.extra_attributes, sort_keys=True) if new.extra_attributes else None,
                        json.dumps(list(new.extra_media_urls)) if new.extra_media_urls else None,
                    ),
                )
                db.execute(
                    "INSERT INTO status_changes (request_id, at, by, extended_status, notes) VALUES (?,?,?,?,?)",
                    (request_id, _iso(now), "submitted", "OPEN", None),
                )
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        return self.get(request_id), True

    def get(self, request_id: str) -> dict[str, Any]:
        found = self.search(Filters(ids=(request_id,)))
        if not found:
            raise NotFoundError(request_id)
        return found[0]

    def search(self, filters: Filters) -> list[dict[str, Any]]:
        where: list[str] = []
        args: list[object] = []

        def any_of(column: str, values: Iterable[str]) -> None:
            values = list(values)
            if values:
                where.append(f"{column} IN ({','.join('?' * len(values))})")
                args.extend(values)

        any_of("id", filters.ids)
        any_of("service_code", filters.service_codes)
        if filters.within_codes is not None:
            where.append(f"service_code IN ({','.join('?' * len(filters.within_codes))})")
            args.extend(filters.within_codes)
        if filters.statuses:
            extended = [s for s in EXTENDED_STATUSES if open311_status(s) in filters.statuses]
            any_of("extended_status", extended)
        if filters.zipcode:
            where.append("zipcode = ?")
            args.append(filters.zipcode)
        if filters.start:
            where.append("requested >= ?")
            args.append(_iso(filters.start))
        if filters.end:
            where.append("requested <= ?")
            args.append(_iso(filters.end))
        sql = "SELECT * FROM requests" + (" WHERE " + " AND ".join(where) if where else "")
        sql += " ORDER BY requested DESC LIMIT ?"
        args.append(filters.limit)
        with closing(self._connect()) as db:
            return [self._public(row) for row in db.execute(sql, args)]

    def update_status(
        self, request_id: str, extended_status: str, notes: str | None, by: str, now: dt.datetime
    ) -> dict[str, Any]:
        """Change a request's status, recording who did it and when."""
        if extended_status not in EXTENDED_STATUSES:
            raise ValueError(f"unknown status {extended_status!r}")
        closed = _iso(now) if open311_status(extended_status) == "closed" else None
        with closing(self._connect()) as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                before = outbox.status_before(db, request_id)
                changed = db.execute(
                    "UPDATE requests SET extended_status = ?, status_notes = ?, updated = ?, closed = ? WHERE id = ?",
                    (extended_status, notes, _iso(now), closed, request_id),
                ).rowcount
                if not changed:
                    raise NotFoundError(request_id)
                change = db.execute(
                    "INSERT INTO status_changes (request_id, at, by, extended_status, notes) VALUES (?,?,?,?,?)",
                    (request_id, _iso(now), by, extended_status, notes),
                )
                # The resident's update is queued in this transaction: no change without it, nor twice.
                outbox.enqueue_change(db, request_id, change.lastrowid or 0, before, now)
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        return self.get(request_id)

    def notification_db(self) -> sqlite3.Connection:
        """A connection for the notification outbox (service_requests.notifications), which shares this file."""
        return self._connect()

    def set_media_url(self, request_id: str, url: str | None) -> None:
        """Set (or clear, with None) where the request's photo can be seen: its Open311 ``media_url``.

        Not a status change: the request's ``updated_datetime`` and history are left alone.

        Raises:
            NotFoundError: no request with that id.
        """
        with closing(self._connect()) as db:
            if not db.execute("UPDATE requests SET media_url = ? WHERE id = ?", (url, request_id)).rowcount:
                raise NotFoundError(request_id)

    def history(self, request_id: str) -> list[dict[str, Any]]:
        with closing(self._connect()) as db:
            rows = db.execute(
                "SELECT at, by, extended_status, notes FROM status_changes WHERE request_id = ? ORDER BY id",
                (request_id,),
            ).fetchall()
        return [
            {
                "at": to_open311(_parse(r["at"])),
                "by": r["by"],
                "extended_status": r["extended_status"],
                "notes": r["notes"],
            }
            for r in rows
        ]

    def purge_contact_details(self, now: dt.datetime, retention_days: int) -> int:
        """Forget residents' contact details on requests closed more than ``retention_days`` ago."""
        cutoff = _iso(now - dt.timedelta(days=retention_days))
        with closing(self._connect()) as db:
            retention.purge(db, now - dt.timedelta(days=retention_days))  # updates sent, stop records, FMS updates
            # A submission key lives as long as the contact details: past that, a resend is a new case.
            db.execute(
                "UPDATE requests SET client = NULL, client_request_key = NULL "
                "WHERE closed IS NOT NULL AND closed < ? AND client_request_key IS NOT NULL",
                (cutoff,),
            )
            return db.execute(
                "UPDATE requests SET email = NULL, phone = NULL, first_name = NULL, last_name = NULL "
                "WHERE closed IS NOT NULL AND closed < ? AND "
                "(email IS NOT NULL OR phone IS NOT NULL OR first_name IS NOT NULL OR last_name IS NOT NULL)",
                (cutoff,),
            ).rowcount

    @staticmethod
    def _public(row: sqlite3.Row) -> dict[str, Any]:
        """The Open311 shape: no contact details, ever."""
        return {
            "service_request_id": row["id"],
            "status": open311_status(row["extended_status"]),
            "extended_status": row["extended_status"],
            "status_notes": row["status_notes"],
            "service_name": row["service_name"],
            "service_code": row["service_code"],
            "description": row["description"],
            "agency_responsible": row["agency"],
            "service_notice": row["service_notice"],
            "requested_datetime": to_open311(_parse(row["requested"])),
            "updated_datetime": to_open311(_parse(row["updated"])),
            "expected_datetime": to_open311(_parse(row["expected"])),
            "address": row["address"],
            "address_id": None,
            "zipcode": row["zipcode"],
            "lat": row["lat"],
            "long": row["long"],
            "media_url": row["media_url"],
            "attributes": json.loads(row["attributes"]),
            # Staff only (visibility.STAFF_ONLY); left out when there are none.
            "extra_attributes": _json_or_none(row["extra_attributes"]),
            "extra_media_urls": _json_or_none(row["extra_media_urls"]),
        }

    # Subject access and erasure (privacy_api.py) ----------------------------------------

    def privacy_search(
        self, email: str = "", phone: str = "", ids: tuple[str, ...] = (), conversation_id: str = ""
    ) -> list[dict[str, Any]]:
        """Full records (contact details and status history) of the requests about one person.

        A request matches when its contact email or phone is the one given (compared
        normalised), when its description or status notes mention it, when its id is one
        of ``ids``, or when it was made in conversation ``conversation_id``. Every row is
        read: at a council's scale (tens of thousands of requests) that takes well under a
        second, and it finds details written in free text too.
        """
        email, phone = normalise_email(email), normalise_phone(phone)
        with closing(self._connect()) as db:
            rows = db.execute("SELECT * FROM requests ORDER BY requested").fetchall()
            notes: dict[str, list[str]] = {}
            for request_id, text in db.execute("SELECT request_id, notes FROM status_changes WHERE notes IS NOT NULL"):
                notes.setdefault(request_id, []).append(text)
            updates: dict[str, list[dict[str, Any]]] = {}
            if _has_table(db, "citizen_updates"):  # residents' updates (updates.py), once any arrived
                for update in db.execute("SELECT * FROM citizen_updates ORDER BY id"):
                    notes.setdefault(update["request_id"], []).append(update["description"])
                    updates.setdefault(update["request_id"], []).append(
                        {
                            "update_id": f"C{update['id']}",
                            "received_datetime": to_open311(_parse(update["at"])),
                            "status": update["status"],
                            "description": update["description"],
                            "media_url": update["media_url"],
                        }
                    )

        def matches(row: sqlite3.Row) -> bool:
            texts = [row["description"] or "", row["status_notes"] or "", *notes.get(row["id"], [])]
            texts += list((_json_or_none(row["extra_attributes"]) or {}).values())
            attributes = json.loads(row["attributes"])
            return bool(
                row["id"] in ids
                or (conversation_id and attributes.get("conversation_id") == conversation_id)
                or (
                    email
                    and (normalise_email(row["email"] or "") == email or any(email in emails_in(t) for t in texts))
                )
                or (
                    phone
                    and (normalise_phone(row["phone"] or "") == phone or any(phone in phones_in(t) for t in texts))
                )
            )

        return [
            {
                **self._public(row),
                "email": row["email"],
                "phone": row["phone"],
                "first_name": row["first_name"],
                "last_name": row["last_name"],
                "closed_datetime": to_open311(_parse(row["closed"])),
                "history": self.history(row["id"]),
                "citizen_updates": updates.get(row["id"], []),
            }
            for row in rows
            if matches(row)
        ]

    def privacy_erase(self, ids: Iterable[str]) -> list[str]:
        """Anonymise requests for an erasure: what the resident wrote, their contact details,
        the place and the answers go; the service, dates and status stay, for counts.

        SQLite's ``secure_delete`` overwrites the old text in the file, and the write-ahead
        log is checkpointed and emptied, so the words are not left on disk either.

        Returns:
            The ids that were anonymised (unknown ids are left out).
        """
        ids = list(ids)
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        with closing(self._connect()) as db:
            db.execute("PRAGMA secure_delete=ON")
            db.execute("BEGIN IMMEDIATE")
            try:
                done = [r[0] for r in db.execute(f"SELECT id FROM requests WHERE id IN ({marks})", ids)]
                db.execute(
                    f"UPDATE requests SET description = '{ERASED}', "
                    f"status_notes = CASE WHEN status_notes IS NULL THEN NULL ELSE '{ERASED}' END, "
                    "address = NULL, zipcode = NULL, lat = NULL, long = NULL, attributes = '{}', "
                    "email = NULL, phone = NULL, first_name = NULL, last_name = NULL, media_url = NULL, "
                    "extra_attributes = NULL, extra_media_urls = NULL, "
                    f"client = NULL, client_request_key = NULL WHERE id IN ({marks})",
                    ids,
                )
                if _has_table(db, "citizen_updates"):
                    db.execute(
                        f"UPDATE citizen_updates SET description = '{ERASED}', media_url = NULL, extra_media_urls = NULL, "
                        f"client_update_id = NULL WHERE request_id IN ({marks})",
                        ids,
                    )
                db.execute(
                    f"UPDATE status_changes SET notes = '{ERASED}' WHERE notes IS NOT NULL AND request_id IN ({marks})",
                    ids,
                )
                outbox.erase(db, ids)
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return done
