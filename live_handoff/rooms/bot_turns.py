"""The bot-turn room: while the bot is in charge, each resident message goes to Rasa, one
turn at a time per conversation, in the background; the replies, the route, cases and
handoffs it carries are applied; a slow or absent bot is explained to the resident. On
hand-back, the advisor's part is recorded in Rasa's tracker."""

from __future__ import annotations

import asyncio
import json
import logging
import time
import weakref
from collections.abc import Coroutine
from typing import Any

from live_handoff import texts
from live_handoff.bot_client import BotClient, BotUnavailableError
from live_handoff.bot_replies import BotTurn
from live_handoff.editor_events import OFFERED, editor_events
from live_handoff.frames import iso, later
from live_handoff.handoff import checked_handoff
from live_handoff.limits import BOT_TURNS
from live_handoff.photos.records import PhotoRecords, for_bot
from live_handoff.protocol import FrameError
from live_handoff.ratelimit import TurnSlots
from live_handoff.rooms.common import REQUEST_ADVISOR, TRY_AGAIN, Room, Services
from live_handoff.rooms.queue import Queue
from live_handoff.summaries import tracker_events

log = logging.getLogger(__name__)
LOCATION_OUTCOMES = ("used", "missing", "invalid", "imprecise", "outside")  # bot_route.schema.json


class BotTurns(Room):
    """Bot turns of this process, and the background work they run in."""

    def __init__(self, services: Services, bot: BotClient, queue: Queue) -> None:
        super().__init__(services)
        self.bot = bot
        self.queue = queue
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
        self._tasks: set[asyncio.Task] = set()
        self.slots = TurnSlots(services.settings.limits.bot_turns)

    def lock(self, cid: str) -> asyncio.Lock:
        """Messages of one conversation reach the bot one at a time, in order."""
        found = self._locks.get(cid)
        if found is None:
            found = self._locks[cid] = asyncio.Lock()
        return found

    # Background work ---------------------------------------------------------------

    def spawn(self, work: Coroutine[Any, Any, Any], cid: str = "") -> None:
        """Run ``work`` in the background; a failure is logged and counted, never lost."""
        task = asyncio.create_task(work)
        task.conversation_id = cid  # type: ignore[attr-defined]
        self._tasks.add(task)
        task.add_done_callback(self._finished_task)

    def _finished_task(self, task: asyncio.Task) -> None:
        self._tasks.discard(task)
        error = None if task.cancelled() else task.exception()
        if error is not None:
            log.error(
                "background work for %s failed: %s",
                getattr(task, "conversation_id", "?"),
                type(error).__name__,
                exc_info=error,
            )
            self.metrics.errors.labels("internal").inc()

    async def drain(self) -> None:
        """Let bot turns in progress finish (on shutdown)."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=10)

    def answer(
        self, cid: str, text: str, message_id: str = "", page: str | None = None, location: dict | None = None
    ) -> None:
        """Ask the bot in the background, so a resident can still press "Talk to an advisor"
        or type while it thinks; the per-conversation lock keeps turns in order."""
        self.spawn(self.ask_bot(cid, text, message_id, page, location), cid)

    # One turn ------------------------------------------------------------------------

    async def ask_bot(
        self, cid: str, text: str, message_id: str = "", page: str | None = None, location: dict | None = None
    ) -> None:
        """Send to Rasa; after ``bot_notice_seconds`` without an answer, tell the resident.

        ``message_id`` is the resident message being answered: a message already answered,
        or arriving after a handoff, is not sent to the bot. ``location`` is a position the
        resident chose to share ("Use my location"), checked against the frame schema: it
        goes to the bot in the metadata only, never into the conversation log.
        """
        lock = self.lock(cid)
        waited = lock.locked()
        async with lock:
            if waited or page is None:
                # Another turn ran first: the conversation may have been handed off since.
                conversation = await self.store.conversation(cid) or {}
                if conversation.get("mode") != "bot":
                    return  # the advisor has it
                if message_id and not later(message_id, conversation.get("answered", "0-0")):
                    return
                page = conversation.get("page", "")
            # A cap on turns in flight (RELAY_LIMIT_BOT_TURNS): over it, the resident is
            # told to wait a moment and the turn waits for a slot; it is never dropped.
            async with self.slots.slot(lambda: self._busy(cid)):
                metadata: dict[str, Any] = {"channel": "web", "page_url": page}
                if location:
                    metadata["location"] = location
                # The photos waiting to go with a report ride along (actions/reports/photos.py).
                metadata.update(for_bot(await PhotoRecords(self.store.redis, self.store.p).pending(cid)))
                await self._turn(cid, text, message_id, metadata)

    async def _busy(self, cid: str) -> None:
        self.metrics.limited.labels(BOT_TURNS).inc()
        await self.say(cid, texts.BOT_BUSY)

    async def _turn(self, cid: str, text: str, message_id: str, metadata: dict[str, Any]) -> None:
        started = time.monotonic()
        await self.store.start_bot_turn(cid, self.settings.bot_timeout_seconds + 5)
        answered = ""
        try:
            call = asyncio.create_task(self.bot.send(cid, text, metadata))
            done, _ = await asyncio.wait({call}, timeout=self.settings.bot_notice_seconds)
            if not done:
                await self.say(cid, texts.BOT_SLOW, [REQUEST_ADVISOR])
            try:
                turn = await call
            except BotUnavailableError as exc:
                log.warning("bot unavailable for %s: %s", cid, exc)
                self.metrics.errors.labels("bot_unavailable").inc()
                answered = message_id
                await self.store.set_fields(cid, retry_text=text)
                await self.say(cid, texts.BOT_UNAVAILABLE, [TRY_AGAIN, REQUEST_ADVISOR])
                await self.store.record("bot_unavailable", conversation_id=cid)
                return
            self.metrics.bot_latency.observe(time.monotonic() - started)
            await self.apply_turn(cid, turn, text, message_id)
            answered = message_id
        finally:
            await self.store.end_bot_turn(cid, answered)

    async def apply_turn(self, cid: str, turn: BotTurn, asked: str = "", message_id: str = "") -> None:
        """Log the bot's replies, then the bookkeeping: route, cases, a handoff."""
        for number, message in enumerate(turn.messages):
            event = {"type": "message", "at": iso(), "from": "bot", **message}
            # Keyed by the message answered, so a retried write never shows a reply twice.
            key = f"bot-{message_id.replace('-', '_')}-{number}" if message_id else ""
            await self.store.append(cid, event, key)
            self.metrics.messages.labels("bot").inc()
        if turn.route:
            await self._record_route(cid, turn.route, asked)
        if turn.case:
            await self._record_case(cid, turn.case)
        if turn.handoff:
            await self.queue.request_advisor(cid, *checked_handoff(turn.handoff))

    async def _record_route(self, cid: str, route: dict[str, Any], asked: str) -> None:
        await self.store.set_fields(cid, route=json.dumps(route))
        if route.get("location") in LOCATION_OUTCOMES:
            self.metrics.shared_locations.labels(route["location"]).inc()
        signposts = route.get("signposts") or []
        await self.store.record(
            "route",
            conversation_id=cid,
            route=route.get("name"),
            confidence=route.get("confidence"),
            **({"signposts": signposts} if signposts else {}),
        )
        # Questions the bot could not answer, and which offered article residents chose.
        events, remember = editor_events(route, asked, await self.store.field(cid, OFFERED))
        if remember is not None:
            await self.store.set_fields(cid, **{OFFERED: remember})
        for kind, fields in events:
            await self.store.record(kind, conversation_id=cid, **fields)

    async def _record_case(self, cid: str, case: dict[str, Any]) -> None:
        if isinstance(case.get("photos"), list):
            await PhotoRecords(self.store.redis, self.store.p).attach(
                cid, case["photos"], str(case.get("service_request_id")), self.store.ttl
            )
        references = json.loads(await self.store.field(cid, "cases") or "[]")
        if case.get("service_request_id") not in references:
            references.append(case.get("service_request_id"))
            await self.store.set_fields(cid, cases=json.dumps(references[-20:]))
        await self.store.record(
            "case_created",
            conversation_id=cid,
            service_code=case.get("service_code"),
            reference=case.get("service_request_id"),
        )

    async def retry(self, cid: str) -> None:
        """The resident pressed "Try again" after the bot was unavailable."""
        conversation = await self.store.conversation(cid) or {}
        text = conversation.get("retry_text")
        if conversation.get("mode") != "bot" or not text:
            raise FrameError("not_allowed", "There is nothing to try again.")
        await self.store.set_fields(cid, retry_text="")
        self.answer(cid, text)

    async def record_in_tracker(self, cid: str, conversation: dict[str, str]) -> None:
        """Tell Rasa what happened while an advisor had the chat (``summaries.tracker_events``)."""
        since = conversation.get("queued_id") or "0-0"
        events = tracker_events(await self.store.events_after(cid, since, 1000))
        try:
            await self.bot.append_events(cid, events)
        except BotUnavailableError as exc:
            log.warning("could not record the advisor's part of %s in Rasa: %s", cid, exc)
