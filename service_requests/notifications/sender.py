"""The sender: claims due outbox rows, sends them, retries with back-off, gives up after N tries.

It runs as a task inside the Open311 application (so in the front door, or the standalone
service), one per process; the claim in :func:`outbox.claim` makes each row one sender's at
a time, so several processes send each change once.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import socket
import sqlite3
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import closing
from typing import Any

from service_requests.notifications import outbox
from service_requests.notifications.providers import Outgoing, Provider, Refused, TryAgain, provider_for
from service_requests.notifications.settings import NotifySettings
from service_requests.notifications.tokens import unsubscribe_url
from service_requests.notifications.wording import Change, compose

logger = logging.getLogger(__name__)
LEASE = dt.timedelta(seconds=60)  # longer than a provider's 15 s timeout: a live sender keeps its rows
PURGE_EVERY = dt.timedelta(minutes=10)


def verdict(row: outbox.Claimed, now: dt.datetime, retention_days: int, provider: Provider) -> str | None:
    """How a claimed row ends without sending, or None to send it (pure).

    The retention check is here as well as in the purge, so nothing is sent past the
    cut-off even if the purge has not run yet.
    """
    if row.unsubscribed:
        return "unsubscribed"
    if not row.address:
        return "expired"
    if row.closed and dt.datetime.fromisoformat(row.closed) < now - dt.timedelta(days=retention_days):
        return "expired"
    if not provider.sends(row.channel):
        return "skipped"
    return None


def message_for(row: outbox.Claimed, settings: NotifySettings) -> Outgoing:
    """The message for one claimed row (pure)."""
    link = unsubscribe_url(settings.public_url, settings.secret, row.request_id)
    words = compose(
        Change(row.request_id, row.service_name, row.old_status, row.new_status, row.notes, row.first_name),
        unsubscribe_url=link,
        chat_url=settings.public_url + "/",
        reply_by_email=bool(settings.mail_reply_to),
    )
    return Outgoing(
        channel=row.channel,
        to=row.address or "",
        subject=words.subject,
        body=words.body,
        sms=words.sms,
        unsubscribe_url=link,
        reference=f"frontdesk-{row.id}",
        personalisation=words.personalisation,
    )


class Sender:
    """Sends what the outbox holds.

    Args:
        connect: Opens a connection to the case store (``CaseStore.notification_db``).
        settings: Notification settings.
        retention_days: OPEN311_CONTACT_RETENTION_DAYS: nothing is sent for a case closed longer ago.
        clock: The time now (UTC).
        provider: Where messages go (default: the one ``settings`` names).
        name: This sender's name in claims (default: host and process id).
    """

    def __init__(
        self,
        connect: Callable[[], sqlite3.Connection],
        settings: NotifySettings,
        retention_days: int,
        clock: Callable[[], dt.datetime],
        provider: Provider | None = None,
        name: str | None = None,
    ) -> None:
        self.connect = connect
        self.settings = settings
        self.retention_days = retention_days
        self.clock = clock
        self.provider = provider or provider_for(settings)
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self.last_purge: dt.datetime | None = None

    def _db(self, work: Callable[[sqlite3.Connection], Any]) -> Any:
        with closing(self.connect()) as db:
            return work(db)

    async def run_once(self) -> int:
        """Claim and handle what is due now. Returns how many rows were handled."""
        now = self.clock()
        if self.last_purge is None or now - self.last_purge >= PURGE_EVERY:
            cutoff = now - dt.timedelta(days=self.retention_days)
            await asyncio.to_thread(self._db, lambda db: outbox.purge(db, cutoff))
            self.last_purge = now
        rows = await asyncio.to_thread(self._db, lambda db: outbox.claim(db, self.name, now, LEASE))
        for row in rows:
            await self._handle(row)
        return len(rows)

    async def _handle(self, row: outbox.Claimed) -> None:
        ending = verdict(row, self.clock(), self.retention_days, self.provider)
        if ending:
            await self._finish(row, ending)
            return
        try:
            await self.provider.send(message_for(row, self.settings))
        except Refused as exc:
            logger.warning("Update for %s refused by %s: %s", row.request_id, self.provider.name, exc)
            await self._finish(row, "failed", str(exc))
        except TryAgain as exc:
            error = str(exc)
            if row.attempts >= self.settings.max_attempts:
                logger.warning("Update for %s given up after %d tries: %s", row.request_id, row.attempts, exc)
                await self._finish(row, "failed", f"gave up after {row.attempts} tries: {exc}")
            else:
                when = self.clock() + outbox.backoff(row.attempts, self.settings.retry_seconds)
                logger.info("Update for %s not sent (%s); trying again at %s", row.request_id, exc, when)
                await asyncio.to_thread(self._db, lambda db: outbox.retry_later(db, row.id, self.name, when, error))
        else:
            logger.info("Update for %s sent by %s (%s)", row.request_id, row.channel, self.provider.name)
            await self._finish(row, "sent")

    async def _finish(self, row: outbox.Claimed, state: str, error: str = "") -> None:
        now = self.clock()
        await asyncio.to_thread(self._db, lambda db: outbox.finish(db, row.id, self.name, state, now, error))

    async def run_forever(self) -> None:
        """Send as changes arrive (polling every NOTIFY_POLL_SECONDS) until cancelled."""
        while True:
            try:
                handled = await self.run_once()
            except Exception:  # a locked database must not stop updates for good
                logger.exception("Sending status updates failed; will retry")
                handled = 0
            if not handled:
                await asyncio.sleep(self.settings.poll_seconds)


def running(work: Callable[[Any], Coroutine[Any, Any, None]]) -> Callable[[Any], AsyncIterator[None]]:
    """An aiohttp ``cleanup_ctx`` entry running ``work(app)`` as a task while the app runs."""

    async def run(app: Any) -> AsyncIterator[None]:
        task = asyncio.create_task(work(app))
        yield
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass

    return run


def context(make: Callable[[Any], Sender]) -> Callable[[Any], AsyncIterator[None]]:
    """An aiohttp ``cleanup_ctx`` entry running ``make(app)``'s sender while the app runs."""
    return running(lambda app: make(app).run_forever())
