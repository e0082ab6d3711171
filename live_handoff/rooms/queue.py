"""The queue room: a resident asking for an advisor (or told why none can come), waiting,
stopping waiting; what waiting residents and advisors' consoles are told about the queue."""

from __future__ import annotations

import asyncio
import json
from statistics import median
from typing import Any

from live_handoff import queueing, texts
from live_handoff.frames import ConversationSummary, QueueList
from live_handoff.handoff import reason_after
from live_handoff.hub import Peer
from live_handoff.protocol import FrameError
from live_handoff.rooms.common import CANCEL_WAIT, LEAVE_MESSAGE, Room
from live_handoff.status import status_event
from live_handoff.store import TransitionError, now_ms
from live_handoff.summaries import WaitInputs, conversation_summary, handoff_summary, position_frame


class Queue(Room):
    """Handoffs into the queue, and news of it."""

    async def request_advisor(
        self, cid: str, reason: str | None, priority: str | None, summary: dict[str, Any] | None
    ) -> None:
        """Queue for an advisor, or say why not and offer a message instead. Without a
        reason (the resident pressed a button), the conversation's route decides it, so an
        urgent conversation stays urgent."""
        conversation = await self.store.conversation(cid) or {}
        if reason is None or priority is None:
            reason, priority = reason_after((json.loads(conversation.get("route") or "null") or {}).get("name", ""))
        mode = conversation.get("mode")
        if mode == "queued":
            await self.say(cid, texts.STILL_QUEUED, [CANCEL_WAIT])
            return
        if mode == "advisor":
            await self.say(cid, texts.ALREADY_WITH_ADVISOR)
            return
        if summary is None:
            summary = handoff_summary(conversation, await self.store.events_after(cid, "0-0", 500))
        open_now, later = self.open_now()
        available = await self.store.available_advisors() if open_now else []
        if not open_now or not available:
            await self._nobody_to_come(cid, reason, priority, summary, open_now, later)
            return
        queued_at = now_ms()
        try:
            _, queued_id, _ = await self.store.transition(
                cid,
                ("bot", "closed"),
                "queued",
                status_event("queued", reason=reason, at_ms=queued_at),
                fields={
                    "reason": reason,
                    "priority": priority,
                    "summary": json.dumps(summary),
                    "queued_at": str(queued_at),
                    "advisor": "",
                    "claimed_at": "",
                },
                queue="add",
                score=queueing.queue_score(priority, queued_at),
            )
        except TransitionError:
            return  # another process queued it a moment ago
        # Where the human part starts in the log (stream ids come from Redis's clock).
        await self.store.set_fields(cid, queued_id=queued_id)
        self.metrics.handoffs.labels(reason, "queued").inc()
        await self.store.record("handoff", conversation_id=cid, reason=reason, priority=priority, outcome="queued")
        await self.store.notify_queue()

    async def _nobody_to_come(
        self, cid: str, reason: str, priority: str, summary: dict[str, Any], open_now: bool, later: str
    ) -> None:
        outcome = "closed" if not open_now else "no_advisor"
        self.metrics.handoffs.labels(reason, outcome).inc()
        await self.store.record("handoff", conversation_id=cid, reason=reason, priority=priority, outcome=outcome)
        await self.store.set_fields(cid, reason=reason, priority=priority, summary=json.dumps(summary))
        await self.say(cid, await self.no_advisor_text(reason, open_now, later), [LEAVE_MESSAGE])

    async def cancel_wait(self, cid: str) -> None:
        try:
            await self.store.transition(
                cid, ("queued",), "bot", status_event("wait_cancelled"), fields={"queued_at": ""}, queue="rem"
            )
        except TransitionError as exc:
            raise FrameError("not_allowed", "You're not waiting for an advisor.") from exc
        await self.store.record("wait_cancelled", conversation_id=cid)
        await self.store.notify_queue()

    # News of the queue ------------------------------------------------------------

    async def wait_inputs(self) -> WaitInputs:
        available = await self.store.available_advisors()
        free = sum(max(0, capacity - chats) for _, capacity, chats in available)
        recent = await self.store.recent_handling()
        return free, len(available), (median(recent) if recent else self.settings.handling_seconds_default)

    async def send_position(self, cid: str, peers: list[Peer] | None = None) -> None:
        """Tell a waiting resident (all their widgets here, or ``peers``) their place."""
        position = await self.store.queue_position(cid)
        if position is None:
            return
        frame = position_frame(position, await self.wait_inputs())
        for peer in peers if peers is not None else self.hub.peers(cid, "resident"):
            await peer.send(frame)

    async def summaries(self, cids: list[str], positions: bool = False) -> list[ConversationSummary]:
        """Conversations as consoles list them (gone ones left out); ``positions`` numbers them."""
        out = []
        for index, cid in enumerate(cids, start=1):
            conversation = await self.store.conversation(cid)
            if conversation:
                out.append(conversation_summary(cid, conversation, index if positions else None))
        return out

    async def listing(self) -> list[ConversationSummary]:
        """The whole queue, in the order it will be served."""
        return await self.summaries(await self.store.queue(), positions=True)

    async def broadcast(self) -> None:
        """Everyone on this process who cares hears the new queue."""
        advisors = self.hub.advisor_peers()
        if advisors:
            frame: QueueList = {"type": "queue", "items": await self.listing()}
            await asyncio.gather(*(peer.send(frame) for peer in advisors))
        local = set(self.hub.resident_conversations())
        queue = await self.store.queue()
        waiting = [(position, cid) for position, cid in enumerate(queue, start=1) if cid in local]
        if waiting:
            inputs = await self.wait_inputs()
            for position, cid in waiting:
                news = position_frame(position, inputs)
                await asyncio.gather(*(peer.send(news) for peer in self.hub.peers(cid, "resident")))
