"""The watch list: cases filed in a council's own case system whose residents want updates.

A council's Open311 endpoint never returns contact details, so when the chat files a report
there (``OPEN311_URL`` is not the built-in service) it hands the reference, the contact and
the status it was filed with to the front door (``POST /notifications/v1/watch``). The poller
(``poller.py``) then compares each watched case's status with the last one known here.

The status a case is registered with is only the chat's guess: councils' systems start
reports as ``OPEN``, ``RECEIVED``, ``NEW``... So the first status the poller sees for a case
is taken as where it starts, and nobody is told about it (``checked`` is NULL until then,
and afterwards is when the council last returned the case).

The list lives in its own SQLite file (``NOTIFY_WATCH_DB``) beside the same outbox tables the
built-in service uses, and a view named ``requests`` over it gives the outbox and the sender
the columns they read from a case (status, contact, service name, closing date), so the
outbox, sender, retries, stop links and retention checks are the built-in ones, unchanged.

A row is kept until the contact-retention period after the case closes (or after the
council last returned it), then deleted with its updates; an erasure deletes it at once.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from contracts.contact import normalise_phone
from service_requests.notifications import outbox
from service_requests.notifications.outbox import iso
from service_requests.notifications.subject_access import notifications_about

PACKAGE_DIR = Path(__file__).resolve().parents[1]

SCHEMA = """
CREATE TABLE IF NOT EXISTS council_watch (
    id TEXT PRIMARY KEY,
    service_name TEXT NOT NULL,
    first_name TEXT,
    email TEXT,
    phone TEXT,
    extended_status TEXT NOT NULL,
    status_notes TEXT,
    added TEXT NOT NULL,
    checked TEXT,
    closed TEXT
);
CREATE TABLE IF NOT EXISTS council_changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id TEXT NOT NULL,
    at TEXT NOT NULL,
    extended_status TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS council_poll_lease (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    holder TEXT,
    until TEXT
);
CREATE VIEW IF NOT EXISTS requests AS
    SELECT id, service_name, first_name, email, phone, extended_status, status_notes, closed FROM council_watch;
"""
OPEN = "OPEN"  # the status a report is filed with (extended statuses are upper case, as the wording's)


class CouncilSettingsError(ValueError):
    """A council-mode setting is missing or malformed; the message names the variable."""


@dataclass(frozen=True)
class CouncilSettings:
    """Council mode: updates for cases in a council's own Open311 case system.

    Attributes:
        open311_url: ``OPEN311_URL``: the council's GeoReport v2 base, ending in ``/``.
        api_key: ``OPEN311_API_KEY``: sent with each poll, for councils that want a key on reads.
        watch_key: ``NOTIFY_WATCH_KEY`` (16+ characters): what the action server sends to
            register a watch; council mode is on when it is set.
        database: ``NOTIFY_WATCH_DB`` (var/council_watch.sqlite3): the watch list and its outbox.
        poll_seconds: ``NOTIFY_COUNCIL_POLL_SECONDS`` (300): how often the council is asked.
        retention_days: ``OPEN311_CONTACT_RETENTION_DAYS`` (90).
    """

    open311_url: str
    watch_key: str = field(repr=False)
    api_key: str = field(default="", repr=False)
    database: Path = PACKAGE_DIR.parent / "var" / "council_watch.sqlite3"
    poll_seconds: float = 300.0
    retention_days: int = 90

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> CouncilSettings | None:
        """Council mode's settings, or None when ``NOTIFY_WATCH_KEY`` is not set.

        Raises:
            CouncilSettingsError: naming the first variable that is missing or wrong.
        """
        env = os.environ if env is None else env
        key = env.get("NOTIFY_WATCH_KEY", "").strip()
        if not key:
            return None
        if len(key) < 16:
            raise CouncilSettingsError("NOTIFY_WATCH_KEY must be at least 16 characters")
        url = env.get("OPEN311_URL", "").strip()
        if not url.startswith(("http://", "https://")):
            raise CouncilSettingsError("OPEN311_URL (the council's Open311 endpoint) is required with NOTIFY_WATCH_KEY")
        raw = env.get("NOTIFY_COUNCIL_POLL_SECONDS", "300")
        try:
            poll = float(raw)
        except ValueError:
            raise CouncilSettingsError(f"NOTIFY_COUNCIL_POLL_SECONDS must be a number, not {raw!r}") from None
        if poll < 0.1:
            raise CouncilSettingsError("NOTIFY_COUNCIL_POLL_SECONDS must be at least 0.1")
        raw = env.get("OPEN311_CONTACT_RETENTION_DAYS", "90")
        try:
            days = int(raw)
        except ValueError:
            raise CouncilSettingsError("OPEN311_CONTACT_RETENTION_DAYS must be a whole number of days") from None
        if days < 1:
            raise CouncilSettingsError("OPEN311_CONTACT_RETENTION_DAYS must be at least 1")
        db = env.get("NOTIFY_WATCH_DB", "").strip()
        return cls(
            open311_url=url if url.endswith("/") else url + "/",
            watch_key=key,
            api_key=env.get("OPEN311_API_KEY", ""),
            database=Path(db) if db else cls.database,
            poll_seconds=poll,
            retention_days=days,
        )


def opener(path: Path):
    """A function opening connections to the watch list at ``path``, creating it on first use."""
    path.parent.mkdir(parents=True, exist_ok=True)

    def connect() -> sqlite3.Connection:
        db = sqlite3.connect(path, timeout=3, isolation_level=None)
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA busy_timeout=3000")
        return db

    db = connect()
    try:
        db.execute("PRAGMA journal_mode=WAL")
        db.executescript(SCHEMA)
        outbox.migrate(db)
    finally:
        db.close()
    return connect


@dataclass(frozen=True)
class Watch:
    """One case to watch, as the action server hands it over."""

    reference: str
    service_name: str
    status: str
    email: str | None = None
    phone: str | None = None
    first_name: str | None = None


def parse(form: Mapping[str, str]) -> Watch:
    """Read a registration (pure).

    Raises:
        ValueError: the message says which field is wrong.
    """
    reference = form.get("service_request_id", "").strip()
    if not reference or len(reference) > 100 or "," in reference:
        raise ValueError("service_request_id is required (one reference)")
    email, phone = form.get("email", "").strip(), form.get("phone", "").strip()
    if not (email or phone):
        raise ValueError("give email or phone: without them there is no one to tell")
    if email and ("@" not in email or len(email) > 254):
        raise ValueError("email is not an email address")
    if len(phone) > 40:
        raise ValueError("phone is too long")
    return Watch(
        reference=reference,
        service_name=(form.get("service_name", "").strip() or "report")[:200],
        status=(form.get("status", "").strip().upper() or OPEN)[:40],
        email=email or None,
        phone=phone or None,
        first_name=form.get("first_name", "").strip()[:100] or None,
    )


def add(db: sqlite3.Connection, watch: Watch, now: dt.datetime) -> bool:
    """Start watching a case (a repeat of the same reference changes nothing). Returns whether it was new."""
    return (
        db.execute(
            "INSERT OR IGNORE INTO council_watch (id, service_name, first_name, email, phone, extended_status, added)"
            " VALUES (?,?,?,?,?,?,?)",
            (watch.reference, watch.service_name, watch.first_name, watch.email, watch.phone, watch.status, iso(now)),
        ).rowcount
        == 1
    )


def watched(db: sqlite3.Connection) -> dict[str, str]:
    """Every watched reference with its last known status."""
    return {r[0]: r[1] for r in db.execute("SELECT id, extended_status FROM council_watch ORDER BY id")}


@dataclass(frozen=True)
class Seen:
    """A case as the council's endpoint answered.

    Attributes:
        status: Its ``extended_status`` where given, else its GeoReport ``status``, upper case.
        notes: Its public ``status_notes``.
        service_name: Its ``service_name`` (the email names the kind of report).
        closed: GeoReport ``status`` is ``closed``: the contact-retention clock starts.
    """

    status: str
    notes: str | None = None
    service_name: str | None = None
    closed: bool = False


def first_seen(db: sqlite3.Connection, seen: Mapping[str, Seen], now: dt.datetime) -> set[str]:
    """Note that the council returned these cases now; a case never returned before starts at the status seen.

    Its registered status was the chat's guess, so no notification is queued for it: a
    council whose reports start as ``RECEIVED`` would otherwise email every resident once at
    the first poll.

    Returns:
        The references seen for the first time (their status is stored, not a change).
    """
    db.execute("BEGIN IMMEDIATE")
    try:
        first: set[str] = set()
        for reference, case in seen.items():
            row = db.execute("SELECT checked FROM council_watch WHERE id = ?", (reference,)).fetchone()
            if row is None or not case.status:
                continue
            if row[0] is None:
                first.add(reference)
                closed = iso(now) if case.closed else None
                db.execute(
                    "UPDATE council_watch SET extended_status = ?, status_notes = ?,"
                    " service_name = COALESCE(?, service_name), closed = ? WHERE id = ?",
                    (case.status, case.notes, case.service_name, closed, reference),
                )
            db.execute("UPDATE council_watch SET checked = ? WHERE id = ?", (iso(now), reference))
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    return first


def changes(known: Mapping[str, str], seen: Mapping[str, Seen]) -> dict[str, Seen]:
    """The watched cases whose status differs from the last known one (pure).

    A case the council did not return (deleted, hidden, or the page was cut short) is left
    alone: silence is not a change.
    """
    return {ref: s for ref, s in seen.items() if ref in known and s.status and s.status != known[ref]}


def record(db: sqlite3.Connection, reference: str, seen: Seen, now: dt.datetime) -> bool:
    """Store a new status and queue its notification, in one transaction (so once per change).

    Returns:
        Whether a notification was queued.
    """
    db.execute("BEGIN IMMEDIATE")
    try:
        row = db.execute("SELECT extended_status FROM council_watch WHERE id = ?", (reference,)).fetchone()
        if row is None or row[0] == seen.status:  # another poller got there first, or erased meanwhile
            db.execute("COMMIT")
            return False
        closed = iso(now) if seen.closed else None
        db.execute(
            "UPDATE council_watch SET extended_status = ?, status_notes = ?, checked = ?,"
            " service_name = COALESCE(?, service_name),"
            " closed = CASE WHEN ? IS NULL THEN NULL ELSE COALESCE(closed, ?) END WHERE id = ?",
            (seen.status, seen.notes, iso(now), seen.service_name, closed, closed, reference),
        )
        change = db.execute(
            "INSERT INTO council_changes (request_id, at, extended_status) VALUES (?,?,?)",
            (reference, iso(now), seen.status),
        )
        # Negative ids: never the same change_id as a built-in case's status change.
        queued = outbox.enqueue_change(db, reference, -(change.lastrowid or 0), row[0], now)
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    return queued


def purge(db: sqlite3.Connection, cutoff: dt.datetime) -> int:
    """Forget watched cases past contact retention, with their changes, updates and stop records.

    A case is forgotten when the council closed it before ``cutoff``, and also when the
    council has not returned it since ``cutoff`` (deleted or hidden there, or never found):
    a case that never closes here must not keep the resident's contact details for ever.
    Updates and stop records left by an erasure (their watch already gone) go too.

    Returns:
        How many watched cases were forgotten.
    """
    gone = "(closed IS NOT NULL AND closed < ?) OR COALESCE(checked, added) < ?"
    at = (iso(cutoff), iso(cutoff))
    db.execute("BEGIN IMMEDIATE")
    try:
        db.execute(f"DELETE FROM council_changes WHERE request_id IN (SELECT id FROM council_watch WHERE {gone})", at)
        forgotten = db.execute(f"DELETE FROM council_watch WHERE {gone}", at).rowcount
        outbox.forget_orphans(db)
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    return forgotten


def _of_person(db: sqlite3.Connection, references: list[str], email: str, phone: str) -> list[str]:
    """The watched references among ``references`` and with this email or phone (compared as the privacy desk does)."""
    refs = set(references)
    if email:
        refs |= {r[0] for r in db.execute("SELECT id FROM council_watch WHERE lower(email) = lower(?)", (email,))}
    if phone and normalise_phone(phone):
        # Compared as the privacy desk compares them: digits in national form.
        refs |= {
            r[0]
            for r in db.execute("SELECT id, phone FROM council_watch WHERE phone IS NOT NULL")
            if normalise_phone(r[1]) == normalise_phone(phone)
        }
    return sorted(r for r in refs if db.execute("SELECT 1 FROM council_watch WHERE id = ?", (r,)).fetchone())


def about(db: sqlite3.Connection, references: list[str], email: str = "", phone: str = "") -> list[dict[str, Any]]:
    """A subject access request: the person's watched cases, with the updates queued or sent about each.

    Returns:
        One record per case: what the watch list holds (contact details included) and
        ``notifications`` as the built-in service's privacy extension gives them.
    """
    found = _of_person(db, references, email, phone)
    updates = notifications_about(db, found)
    marks = ",".join("?" * len(found))
    rows = db.execute(f"SELECT * FROM council_watch WHERE id IN ({marks}) ORDER BY id", found) if found else []
    return [
        {
            "service_request_id": r["id"],
            "service_name": r["service_name"],
            "first_name": r["first_name"],
            "email": r["email"],
            "phone": r["phone"],
            "extended_status": r["extended_status"],
            "watched_since": r["added"],
            "closed_datetime": r["closed"],
            "notifications": updates.get(r["id"], []),
        }
        for r in rows
    ]


def erase(db: sqlite3.Connection, references: list[str], email: str = "", phone: str = "") -> list[str]:
    """An erasure: stop watching these cases, and every case with this email or phone.

    Returns:
        The references forgotten.
    """
    found = _of_person(db, references, email, phone)
    if not found:
        return []
    marks = ",".join("?" * len(found))
    outbox.erase(db, found)
    db.execute(f"DELETE FROM council_changes WHERE request_id IN ({marks})", found)
    db.execute(f"DELETE FROM council_watch WHERE id IN ({marks})", found)
    return found


def claim_lease(db: sqlite3.Connection, holder: str, now: dt.datetime, lease: dt.timedelta) -> bool:
    """Become the one poller for ``lease`` (or renew it); False while another holds it."""
    db.execute("BEGIN IMMEDIATE")
    try:
        row = db.execute("SELECT holder, until FROM council_poll_lease WHERE id = 1").fetchone()
        if row and row[0] != holder and row[1] and row[1] > iso(now):
            db.execute("COMMIT")
            return False
        db.execute(
            "INSERT INTO council_poll_lease (id, holder, until) VALUES (1, ?, ?)"
            " ON CONFLICT (id) DO UPDATE SET holder = excluded.holder, until = excluded.until",
            (holder, iso(now + lease)),
        )
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    return True
