"""The council poller: asks a council's Open311 endpoint for the watched cases and queues changes.

Every ``NOTIFY_COUNCIL_POLL_SECONDS`` one poller (a lease in the watch list's SQLite file, so
one at a time across front door processes) reads ``GET {OPEN311_URL}requests.json?
service_request_id=a,b,c`` for the watched references, 50 at a time. The first status seen
for a case is where it starts (``watch.first_seen``), whatever the chat registered it with. GeoReport v2 says a
``service_request_id`` list overrides every other filter, which is what makes it dependable:
``start_date``/``end_date`` filter on ``requested_datetime`` on most servers, so a change to a
case filed last month would never show in a ``start_date`` window. A status that differs from
the last known one is stored and queued in the outbox in one transaction (``watch.record``);
the sender does the rest, as for the built-in service.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import socket
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import closing
from typing import Any

import aiohttp

from contracts import open311_xml
from service_requests.notifications import watch
from service_requests.notifications.sender import running
from service_requests.notifications.watch import CouncilSettings, Seen

logger = logging.getLogger(__name__)
BATCH = 50  # references per GET: well inside any server's URL limit (50 × ~20 characters)


def seen_in(body: Any) -> dict[str, Seen]:
    """The cases in a ``requests`` answer, by reference (pure; malformed entries are skipped)."""
    found: dict[str, Seen] = {}
    for item in body if isinstance(body, list) else []:
        if not isinstance(item, dict) or not item.get("service_request_id"):
            continue
        status = str(item.get("extended_status") or item.get("status") or "").strip().upper()
        notes, name = item.get("status_notes"), item.get("service_name")
        found[str(item["service_request_id"])] = Seen(
            status,
            str(notes) if notes else None,
            str(name) if name else None,
            closed=str(item.get("status") or "").strip().lower() == "closed",
        )
    return found


class Poller:
    """Polls the council for watched cases.

    Args:
        connect: Opens the watch list (``watch.opener``).
        settings: Council-mode settings.
        clock: The time now (UTC).
        response_format: ``OPEN311_FORMAT``: ``json`` or ``xml``, as the council speaks.
        name: This poller's name in the lease (default: host and process id).
        on_failure: Called for each failed poll (counted in the front door's /metrics).
    """

    def __init__(
        self,
        connect: Callable[[], sqlite3.Connection],
        settings: CouncilSettings,
        clock: Callable[[], dt.datetime],
        response_format: str = "json",
        name: str | None = None,
        on_failure: Callable[[], None] = lambda: None,
    ) -> None:
        self.on_failure = on_failure
        self.connect = connect
        self.settings = settings
        self.clock = clock
        self.response_format = response_format
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self.polls = self.failures = self.queued = 0

    def _db(self, work: Callable[[sqlite3.Connection], Any]) -> Any:
        with closing(self.connect()) as db:
            return work(db)

    def _record(self, reference: str, seen: Seen) -> bool:
        with closing(self.connect()) as db:
            return watch.record(db, reference, seen, self.clock())

    def _first_seen(self, seen: dict[str, Seen]) -> set[str]:
        with closing(self.connect()) as db:
            return watch.first_seen(db, seen, self.clock())

    async def fetch(self, session: aiohttp.ClientSession, references: list[str]) -> dict[str, Seen]:
        """The council's view of these cases (raises on an unusable answer)."""
        params = {"service_request_id": ",".join(references)}
        if self.settings.api_key:
            params["api_key"] = self.settings.api_key
        url = self.settings.open311_url + open311_xml.path_in("requests.json", self.response_format)
        async with session.get(url, params=params) as response:
            if response.status != 200:
                raise RuntimeError(f"GET requests: HTTP {response.status}")
            return seen_in(open311_xml.load(await response.read(), self.response_format))

    async def start_from_now(self, reference: str) -> bool:
        """Ask the council for a newly watched case now, so its starting status is the one it was filed with.

        Without this the first poll sets the start, and a change made before it (up to
        ``NOTIFY_COUNCIL_POLL_SECONDS`` after filing) would go untold. A failure here is
        left to that first poll.

        Returns:
            Whether the council answered for the case.
        """
        try:
            # Well inside the action server's own 5 s wait for the registration's answer.
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as session:
                seen = await self.fetch(session, [reference])
        except (aiohttp.ClientError, asyncio.TimeoutError, RuntimeError, ValueError) as exc:
            logger.info("The council did not answer for a new watch; the next poll sets its start: %s", exc)
            return False
        await asyncio.to_thread(self._first_seen, seen)
        return reference in seen

    async def run_once(self) -> int:
        """One poll, if this process holds the lease. Returns how many changes were queued."""
        now = self.clock()
        lease = dt.timedelta(seconds=max(60.0, 3 * self.settings.poll_seconds))
        if not await asyncio.to_thread(self._db, lambda db: watch.claim_lease(db, self.name, now, lease)):
            return 0
        cutoff = now - dt.timedelta(days=self.settings.retention_days)
        await asyncio.to_thread(self._db, lambda db: watch.purge(db, cutoff))
        known = await asyncio.to_thread(self._db, watch.watched)
        references = sorted(known)
        queued = 0
        timeout = aiohttp.ClientTimeout(total=15)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            for start in range(0, len(references), BATCH):
                batch = references[start : start + BATCH]
                try:
                    seen = await self.fetch(session, batch)
                except (aiohttp.ClientError, asyncio.TimeoutError, RuntimeError, ValueError) as exc:
                    self.failures += 1
                    self.on_failure()
                    logger.warning("Polling the council's Open311 for %d cases failed: %s", len(batch), exc)
                    continue
                first = await asyncio.to_thread(self._first_seen, seen)
                for reference, new in watch.changes(known, {r: s for r, s in seen.items() if r not in first}).items():
                    queued += await asyncio.to_thread(self._record, reference, new)
        self.polls += 1
        self.queued += queued
        return queued

    async def run_forever(self) -> None:
        """Poll every NOTIFY_COUNCIL_POLL_SECONDS until cancelled."""
        while True:
            try:
                await self.run_once()
            except Exception:  # a locked database must not stop updates for good
                self.failures += 1
                self.on_failure()
                logger.exception("Polling the council for status changes failed; will retry")
            await asyncio.sleep(self.settings.poll_seconds)


def context(make: Callable[[Any], Poller]) -> Callable[[Any], AsyncIterator[None]]:
    """An aiohttp ``cleanup_ctx`` entry running ``make(app)``'s poller while the app runs."""
    return running(lambda app: make(app).run_forever())
