"""The notification outbox: a table in the case store, written in the status change's own transaction.

A row is one notification of one status change (``change_id`` is unique: one per change,
however often anything retries). Senders claim due rows under a lease inside one write
transaction, so two processes never hold the same row; a sender that dies mid-send leaves
its rows to be claimed again when the lease ends. Contact details leave a row as soon as
it is finished (sent, given up, expired); the whole row goes with the case's contact details
at the retention cut-off.

States: ``pending`` → ``sending`` → ``sent``, or back to ``pending`` (retry after back-off),
or ``failed`` (gave up after the last try, or refused for good); ``skipped`` (no provider for
that channel), ``expired`` (past contact retention), ``unsubscribed``.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS notification_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    change_id INTEGER NOT NULL UNIQUE,
    request_id TEXT NOT NULL,
    channel TEXT NOT NULL,
    address TEXT,
    old_status TEXT,
    new_status TEXT NOT NULL,
    notes TEXT,
    created TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt TEXT NOT NULL,
    claimed_by TEXT,
    claimed_until TEXT,
    last_error TEXT,
    done_at TEXT
);
CREATE INDEX IF NOT EXISTS notification_outbox_due ON notification_outbox (state, next_attempt);
CREATE INDEX IF NOT EXISTS notification_outbox_by_request ON notification_outbox (request_id);
CREATE TABLE IF NOT EXISTS notification_optouts (request_id TEXT PRIMARY KEY, at TEXT NOT NULL);
"""
FINISHED = ("sent", "failed", "skipped", "expired", "unsubscribed")
STATES = ("pending", "sending", *FINISHED)


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).isoformat(timespec="microseconds")


def migrate(db: sqlite3.Connection) -> None:
    """Create the outbox tables in a case store made before them (idempotent)."""
    db.executescript(SCHEMA)


def channel_for(email: str | None, phone: str | None) -> tuple[str, str] | None:
    """Email where one was given, else a text to the phone; None when neither (pure)."""
    if email:
        return "email", email
    if phone:
        return "sms", phone
    return None


def status_before(db: sqlite3.Connection, request_id: str) -> str | None:
    """The case's status before a change (read inside the change's transaction)."""
    row = db.execute("SELECT extended_status FROM requests WHERE id = ?", (request_id,)).fetchone()
    return row[0] if row else None


def enqueue_change(
    db: sqlite3.Connection, request_id: str, change_id: int, old_status: str | None, now: dt.datetime
) -> bool:
    """Queue the notification of one status change, in the caller's open transaction.

    Nothing is queued when the status did not change (a note added to the same status), the
    resident gave no contact details, or they unsubscribed from this case.

    Returns:
        Whether a row was queued.
    """
    row = db.execute(
        "SELECT extended_status, email, phone, status_notes FROM requests WHERE id = ?", (request_id,)
    ).fetchone()
    if row is None or row[0] == old_status:
        return False
    target = channel_for(row[1], row[2])
    if target is None:
        return False
    if db.execute("SELECT 1 FROM notification_optouts WHERE request_id = ?", (request_id,)).fetchone():
        return False
    db.execute(
        "INSERT OR IGNORE INTO notification_outbox (change_id, request_id, channel, address, old_status, new_status,"
        " notes, created, next_attempt) VALUES (?,?,?,?,?,?,?,?,?)",
        (change_id, request_id, *target, old_status, row[0], row[3], iso(now), iso(now)),
    )
    return True


@dataclass(frozen=True)
class Claimed:
    """A row a sender holds, with what the message needs from the case."""

    id: int
    request_id: str
    channel: str
    address: str | None
    old_status: str | None
    new_status: str
    notes: str | None
    attempts: int
    service_name: str
    first_name: str | None
    closed: str | None
    unsubscribed: bool


def claim(db: sqlite3.Connection, sender: str, now: dt.datetime, lease: dt.timedelta, limit: int = 20) -> list[Claimed]:
    """Take up to ``limit`` due rows for ``sender`` until ``now + lease``, atomically across processes.

    Due: pending rows whose retry time has come, and rows another sender claimed but whose
    lease ran out (it died mid-send). Each claim counts as a try.
    """
    db.execute("BEGIN IMMEDIATE")
    try:
        ids = [
            r[0]
            for r in db.execute(
                "SELECT id FROM notification_outbox WHERE (state = 'pending' AND next_attempt <= ?)"
                " OR (state = 'sending' AND claimed_until <= ?) ORDER BY id LIMIT ?",
                (iso(now), iso(now), limit),
            )
        ]
        if not ids:
            db.execute("COMMIT")
            return []
        marks = ",".join("?" * len(ids))
        db.execute(
            f"UPDATE notification_outbox SET state = 'sending', claimed_by = ?, claimed_until = ?,"
            f" attempts = attempts + 1 WHERE id IN ({marks})",
            (sender, iso(now + lease), *ids),
        )
        rows = db.execute(
            "SELECT o.*, r.service_name, r.first_name, r.closed,"
            " EXISTS (SELECT 1 FROM notification_optouts x WHERE x.request_id = o.request_id) AS unsubscribed"
            f" FROM notification_outbox o JOIN requests r ON r.id = o.request_id WHERE o.id IN ({marks}) ORDER BY o.id",
            ids,
        ).fetchall()
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    return [
        Claimed(
            id=r["id"],
            request_id=r["request_id"],
            channel=r["channel"],
            address=r["address"],
            old_status=r["old_status"],
            new_status=r["new_status"],
            notes=r["notes"],
            attempts=r["attempts"],
            service_name=r["service_name"],
            first_name=r["first_name"],
            closed=r["closed"],
            unsubscribed=bool(r["unsubscribed"]),
        )
        for r in rows
    ]


def finish(db: sqlite3.Connection, row_id: int, sender: str, state: str, now: dt.datetime, error: str = "") -> None:
    """End a claimed row (sent, failed, skipped, expired, unsubscribed); its contact details go with it."""
    assert state in FINISHED
    db.execute(
        "UPDATE notification_outbox SET state = ?, address = NULL, done_at = ?, last_error = ?, claimed_until = NULL"
        " WHERE id = ? AND claimed_by = ?",
        (state, iso(now), error[:300] or None, row_id, sender),
    )


def retry_later(db: sqlite3.Connection, row_id: int, sender: str, when: dt.datetime, error: str) -> None:
    """Give a claimed row back, due again at ``when``."""
    db.execute(
        "UPDATE notification_outbox SET state = 'pending', next_attempt = ?, last_error = ?, claimed_until = NULL"
        " WHERE id = ? AND claimed_by = ? AND state = 'sending'",
        (iso(when), error[:300], row_id, sender),
    )


def backoff(attempts: int, base_seconds: float, cap_seconds: float = 3600.0) -> dt.timedelta:
    """Wait before try ``attempts + 1``: base, 2×base, 4×base… up to an hour (pure)."""
    return dt.timedelta(seconds=min(cap_seconds, base_seconds * 2 ** max(0, attempts - 1)))


def purge(db: sqlite3.Connection, cutoff: dt.datetime) -> int:
    """Forget the updates of cases closed before ``cutoff`` (the contact-retention cut-off).

    Their rows go, sent or not (an unsent one is never sent), and so does the record that
    the resident stopped updates: nothing about the person's updates outlives their contact
    details. Returns how many outbox rows were deleted.
    """
    closed = "SELECT id FROM requests WHERE closed IS NOT NULL AND closed < ?"
    db.execute(f"DELETE FROM notification_optouts WHERE request_id IN ({closed})", (iso(cutoff),))
    return db.execute(f"DELETE FROM notification_outbox WHERE request_id IN ({closed})", (iso(cutoff),)).rowcount


def forget_orphans(db: sqlite3.Connection) -> int:
    """Delete updates and stop records of cases no longer held (council mode: watches deleted).

    Returns how many outbox rows were deleted.
    """
    db.execute("DELETE FROM notification_optouts WHERE request_id NOT IN (SELECT id FROM requests)")
    return db.execute("DELETE FROM notification_outbox WHERE request_id NOT IN (SELECT id FROM requests)").rowcount


def unsubscribe(db: sqlite3.Connection, request_id: str, now: dt.datetime) -> None:
    """No more updates about this case: record the opt-out and end its queued rows."""
    db.execute("INSERT OR IGNORE INTO notification_optouts (request_id, at) VALUES (?, ?)", (request_id, iso(now)))
    db.execute(
        "UPDATE notification_outbox SET state = 'unsubscribed', address = NULL, done_at = ?"
        " WHERE request_id = ? AND state = 'pending'",
        (iso(now), request_id),
    )


def erase(db: sqlite3.Connection, request_ids: list[str]) -> None:
    """An erasure (privacy_erase): queued updates for these cases are never sent; addresses and notes go."""
    marks = ",".join("?" * len(request_ids))
    db.execute(
        "UPDATE notification_outbox SET address = NULL, notes = CASE WHEN notes IS NULL THEN NULL ELSE '[erased]' END,"
        f" state = CASE WHEN state IN ('pending', 'sending') THEN 'expired' ELSE state END WHERE request_id IN ({marks})",
        request_ids,
    )


def report(db: sqlite3.Connection, limit: int = 100) -> dict[str, Any]:
    """For staff: rows by state, and the latest that failed (no addresses)."""
    counts = {state: 0 for state in STATES}
    for state, n in db.execute("SELECT state, COUNT(*) FROM notification_outbox GROUP BY state"):
        counts[state] = n
    failed = [
        {
            "service_request_id": r[0],
            "channel": r[1],
            "extended_status": r[2],
            "attempts": r[3],
            "last_error": r[4],
            "created": r[5],
        }
        for r in db.execute(
            "SELECT request_id, channel, new_status, attempts, last_error, created FROM notification_outbox"
            " WHERE state = 'failed' ORDER BY id DESC LIMIT ?",
            (limit,),
        )
    ]
    return {"counts": counts, "failed": failed}
