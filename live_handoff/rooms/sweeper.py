"""The sweeper room: nobody left behind. Once a period, one relay process tells queued
residents when nobody can take their chat (closed, or no advisor available) and offers a
message instead, puts the chats of advisors whose console has been gone for
``ORPHAN_SECONDS`` back in the queue, and forgets what is older than the retention period
(``Store.forget_old``). Every few seconds, in every process, resident messages that a
stopped relay process acknowledged but never had answered are asked again or explained
(``BotTurns.recover``)."""

from __future__ import annotations

import asyncio
import logging
import time

from live_handoff import queueing
from live_handoff.rooms.bot_turns import BotTurns
from live_handoff.rooms.common import CANCEL_WAIT, LEAVE_MESSAGE, Room, Services
from live_handoff.status import status_event
from live_handoff.store import TransitionError, now_ms

log = logging.getLogger(__name__)

ORPHAN_SECONDS = 120  # an advisor's console gone this long: their chats go back in the queue


class Sweeper(Room):
    """The periodic sweep; ``run`` repeats it for ever."""

    def __init__(self, services: Services, bot_turns: BotTurns) -> None:
        super().__init__(services)
        self.bot_turns = bot_turns

    async def run(self, every: float = 30.0) -> None:
        """Every ``every`` seconds the sweep (one process per period); more often, and at
        once on start-up, in every process: renew this process's lease and take the
        messages a stopped process left unanswered (``BotTurns.recover``)."""
        loop = asyncio.get_running_loop()
        next_sweep = loop.time() + every
        while True:
            try:
                await self.bot_turns.recover()
            except Exception:  # noqa: BLE001 - keep looking; logged with traceback
                log.exception("looking for unanswered messages failed")
            now = loop.time()
            if now >= next_sweep:
                next_sweep = now + every
                try:
                    await self.sweep()
                except Exception:  # noqa: BLE001 - keep sweeping; logged with traceback
                    log.exception("sweep failed")
            await asyncio.sleep(max(0.0, min(self.settings.turn_check_seconds, next_sweep - loop.time())))

    async def sweep(self) -> None:
        """One sweep, by whichever relay process claims this period."""
        if not await self.store.claim_sweep():
            return
        await self._tell_stranded()
        for username in await self.store.advisors():
            await self._check_advisor(username)
        # Lists that keep receiving items: their oldest must go at the end of retention too.
        await self.store.forget_old()
        await self.store.forget_old_turns()

    async def _tell_stranded(self) -> None:
        open_now, later_text = self.open_now()
        queue = await self.store.queue()
        if not queue or (open_now and await self.store.available_advisors()):
            return
        for cid in queue:
            conversation = await self.store.conversation(cid) or {}
            if conversation.get("stranded") != "1":
                await self.store.set_fields(cid, stranded="1")
                await self.say(
                    cid,
                    await self.no_advisor_text(conversation.get("reason"), open_now, later_text),
                    [LEAVE_MESSAGE, CANCEL_WAIT],
                )

    async def _check_advisor(self, username: str) -> None:
        chats = await self.store.chats(username)
        if not chats or await self.store.is_online(username):
            await self.store.clear_offline_since(username)
            return
        since = await self.store.offline_since(username)
        if not since:
            await self.store.mark_offline_since(username, time.time())
            return
        if time.time() - since >= ORPHAN_SECONDS:
            for cid in chats:
                await self.requeue(cid, username)

    async def requeue(self, cid: str, username: str) -> None:
        """Back in the queue, keeping the resident's place."""
        conversation = await self.store.conversation(cid) or {}
        queued_at = int(conversation.get("queued_at") or now_ms())
        event = status_event(
            "unavailable",
            name=conversation.get("advisor_name", "Your advisor"),
            reason=conversation.get("reason") or "resident_asked",
        )
        try:
            await self.store.transition(
                cid,
                ("advisor",),
                "queued",
                event,
                fields={"advisor": "", "claimed_at": ""},
                queue="add",
                score=queueing.queue_score(conversation.get("priority") or "normal", queued_at),
                chats_from=username,
                require_advisor=username,
            )
        except TransitionError:
            return
        await self.store.record("requeued", conversation_id=cid, advisor=username)
        await self.store.notify_queue()
        await self.store.notify_advisor(username)
