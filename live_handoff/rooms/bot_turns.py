"""The bot-turn room: while the bot is in charge, each resident message goes to Rasa, one
turn at a time per conversation, in the background; the replies, the route, cases and
handoffs it carries are applied; a slow or absent bot is explained to the resident. On
hand-back, the advisor's part is recorded in Rasa's tracker."""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import time
import weakref
from collections.abc import Coroutine
from typing import Any

from live_handoff import frames, texts, unanswered
from live_handoff.bot_client import BotClient, BotUnavailableError
from live_handoff.bot_replies import BotTurn, translate
from live_handoff.editor_events import OFFERED, editor_events
from live_handoff.frames import iso, later
from live_handoff.handoff import checked_handoff
from live_handoff.limits import BOT_TURNS
from live_handoff.photos.records import PhotoRecords, for_bot
from live_handoff.protocol import FrameError
from live_handoff.ratelimit import TurnSlots
from live_handoff.rooms.common import REQUEST_ADVISOR, TRY_AGAIN, Room, Services
from live_handoff.rooms.queue import Queue
from live_handoff.store import now_ms
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
        # Names this process's lease on the messages it must have answered (store_turns).
        self.process_id = secrets.token_hex(8)
        self._reasked: set[str] = set()  # message ids another process left: Rasa may have read them

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
        """Let bot turns in progress finish (on shutdown); what is left, another process takes."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=10)
        await self.store.end_lease(self.process_id)

    # Messages a stopped process left (store_turns, unanswered) ----------------------

    @property
    def lease_seconds(self) -> float:
        return 3 * self.settings.turn_check_seconds

    async def expect(self, cid: str, message_id: str, asked: str) -> None:
        """Before a message is acknowledged: record that the bot owes it an answer."""
        await self.store.expect_turn(cid, message_id, asked, self.process_id, self.lease_seconds)

    async def answer_resent(self, cid: str, asked: str, message_id: str, location: dict | None = None) -> None:
        """A message resent after a reconnect: answer it here unless a live process will."""
        if await self.store.claim_turn(cid, message_id, asked, self.process_id, self.lease_seconds):
            self._reasked.add(message_id)
            self.answer(cid, asked, message_id, location=location)

    async def recover(self) -> int:
        """Renew this process's lease and take the messages of processes whose lease has
        run out: ask the bot again, in log order, or tell the resident (``unanswered.plan``).
        Returns how many messages were taken."""
        claimed = await self.store.claim_orphaned_turns(self.process_id, self.lease_seconds)
        by_conversation: dict[str, list[unanswered.Waiting]] = {}
        for cid, message_id, raw in claimed:
            waiting = unanswered.parse_entry(message_id, raw)
            if waiting is None:
                await self.store.turn_done(cid, message_id)
            else:
                by_conversation.setdefault(cid, []).append(waiting)
        for cid, waiting_list in by_conversation.items():
            conversation = await self.store.conversation(cid) or {}
            plan = unanswered.plan(conversation, waiting_list, now_ms(), self.settings.reask_within_seconds)
            for item in plan.drop:
                await self.store.turn_done(cid, item.message_id)
            if plan.notice:
                await self.store.set_fields(cid, retry_text=plan.retry_text)
                # Keyed by the newest message: a notice repeated after a crash shows once.
                notice = frames.message("system", texts.TURN_LOST, buttons=[TRY_AGAIN, REQUEST_ADVISOR])
                await self.store.append(cid, notice, "lost-" + plan.notice[-1].message_id.replace("-", "_"))
                await self.store.record("turn_lost", conversation_id=cid, messages=len(plan.notice))
                self.metrics.unanswered.labels("notice").inc(len(plan.notice))
                for item in plan.notice:
                    await self.store.turn_done(cid, item.message_id)
            for item in plan.reask:
                # Spawned in log order: the conversation's lock keeps them in that order.
                self.metrics.unanswered.labels("reasked").inc()
                self._reasked.add(item.message_id)
                self.answer(cid, item.asked, item.message_id)
        if claimed:
            log.warning("took %d unanswered messages of a stopped relay process", len(claimed))
        return len(claimed)

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
        stopped = False
        try:
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
                    metadata: dict[str, Any] = {
                        "channel": "web",
                        "page_url": page,
                        unanswered.MESSAGE_ID_KEY: message_id,
                    }
                    if location:
                        metadata["location"] = location
                    # The photos waiting to go with a report ride along (actions/reports/photos.py).
                    metadata.update(for_bot(await PhotoRecords(self.store.redis, self.store.p).pending(cid)))
                    await self._turn(cid, text, message_id, metadata)
        except asyncio.CancelledError:
            stopped = True  # shutting down: the message stays waiting for another process
            raise
        finally:
            self._reasked.discard(message_id)
            if message_id and not stopped:
                # After ``answered`` is set (``_turn``), so no other process re-asks it.
                await self.store.turn_done(cid, message_id)

    async def _busy(self, cid: str) -> None:
        self.metrics.limited.labels(BOT_TURNS).inc()
        await self.say(cid, texts.BOT_BUSY)

    async def _turn(self, cid: str, text: str, message_id: str, metadata: dict[str, Any]) -> None:
        started = time.monotonic()
        await self.store.start_bot_turn(cid, self.settings.bot_timeout_seconds + 5)
        answered = ""
        try:
            if message_id in self._reasked:
                read = await self._answer_in_tracker(cid, message_id)
                if read is not None:
                    await self.apply_turn(cid, read, text, message_id)
                    answered = message_id
                    return
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

    async def _answer_in_tracker(self, cid: str, message_id: str) -> BotTurn | None:
        """Rasa's answer to a message a stopped process sent it, when Rasa finished it
        (``unanswered.replies_in_tracker``): sent again, Rasa would read it twice."""
        try:
            replies = unanswered.replies_in_tracker(await self.bot.tracker_events(cid), message_id)
        except BotUnavailableError as exc:
            log.warning("could not read the tracker of %s before asking again: %s", cid, exc)
            return None
        turn = None if replies is None else translate(replies)
        if turn is None or turn.empty:
            return None
        self.metrics.unanswered.labels("from_tracker").inc()
        return turn

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
