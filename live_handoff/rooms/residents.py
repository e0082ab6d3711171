"""The resident room: what a resident's widget does in a conversation: say hello (start or
resume), write, type, leave a message for the contact centre, end the chat, rate it."""

from __future__ import annotations

import json
from typing import Any

from bot.components.patterns import normalise_reference as reference_in
from live_handoff import case_news, frames, messages_left, texts
from live_handoff.cases import Outbox
from live_handoff.frames import ResidentWelcome, later
from live_handoff.hub import Peer
from live_handoff.protocol import FrameError
from live_handoff.ratelimit import admit_new_conversation
from live_handoff.rooms.bot_turns import BotTurns
from live_handoff.rooms.common import Room, Services
from live_handoff.rooms.queue import Queue
from live_handoff.status import status_event
from live_handoff.store import TransitionError, now_ms


class Residents(Room):
    """Residents' frames (contracts/relay/resident_client.schema.json)."""

    def __init__(self, services: Services, bot_turns: BotTurns, queue: Queue, outbox: Outbox) -> None:
        super().__init__(services)
        self.bot_turns = bot_turns
        self.queue = queue
        self.outbox = outbox
        self.cases: case_news.Lookup | None = None  # the advisors' CaseDesk, set by the app: case news on resume

    async def hello(self, peer: Peer, hello: dict[str, Any]) -> None:
        """Start or resume the resident's conversation and replay what they missed."""
        # Only the page's address without its query string: queries can hold postcodes or names.
        page = (hello.get("page") or {}).get("url", "").split("?", 1)[0].split("#", 1)[0]
        cid = hello.get("conversation_id")
        token = None
        if cid:
            if not await self.store.check_token(cid, hello["resume_token"]):
                raise FrameError(
                    "unknown_conversation",
                    "That conversation has ended or expired. Send hello without an id to start a new one.",
                )
            conversation = await self.store.conversation(cid) or {}
            last_seen = hello.get("last_seen", "0-0")
            peer.page = conversation.get("page", "")
        else:
            await admit_new_conversation(self.store, self.metrics, self.settings.limits.new_conversations, peer)
            cid, token = await self.store.create_conversation(page)
            conversation = {"mode": "bot"}
            last_seen = "0-0"
            peer.page = page
            self.metrics.started.inc()
            await self.store.record("conversation_started", conversation_id=cid, page=page[:300])
        peer.conversation_id = cid
        await peer.send(await self._welcome(cid, conversation, token))
        self.hub.follow(peer, cid, last_seen)
        if conversation.get("mode") == "queued":
            await self.queue.send_position(cid, [peer])
        if token is None:  # a resident coming back: what changed on their reports
            case_news.tell_soon(self.store, self.cases, cid, self.say)

    async def _welcome(self, cid: str, conversation: dict[str, str], token: str | None) -> ResidentWelcome:
        open_now, later_text = self.open_now()
        resumed = token is None
        welcome: ResidentWelcome = {
            "type": "welcome",
            "conversation_id": cid,
            "resumed": resumed,
            "mode": conversation.get("mode", "bot"),  # type: ignore[typeddict-item]
            "limits": {
                "max_text_chars": self.settings.max_text_chars,
                "messages_per_minute": self.settings.messages_per_minute,
            },
            "contact_centre": {
                "open": open_now,
                "text": texts.contact_centre_status(open_now, later_text, self.settings.hours_text),
            },
        }
        welcome["privacy"] = {"retention_days": self.settings.retention_days}
        if self.settings.privacy_notice_url:
            welcome["privacy"]["notice_url"] = self.settings.privacy_notice_url
        if token:
            welcome["resume_token"] = token
        welcome["last_id"] = await self.store.last_id(cid) if resumed else "0-0"
        return welcome

    async def message(self, peer: Peer, frame: dict[str, Any]) -> None:
        """Log what the resident wrote (once, however often it is resent) and have the bot
        answer while it is in charge."""
        cid = peer.conversation_id
        asked = frame.get("payload") or frame["text"]
        stream_id, new, mode = await self.store.append_with_mode(
            cid, frames.message("resident", frame["text"]), frame["client_id"]
        )
        if new and mode in ("bot", "closed"):
            # Recorded before the ack: once acknowledged, it is answered even if this
            # process dies (rooms.bot_turns.BotTurns.recover, in any process).
            await self.bot_turns.expect(cid, stream_id, asked)
        await peer.send(frames.ack(frame["client_id"], stream_id))
        if not new:
            # A resend after a reconnect. If the relay that logged it died before the bot
            # answered (no live process holds it), answer it now.
            conversation = await self.store.conversation(cid) or {}
            if conversation.get("mode") == "bot" and later(stream_id, conversation.get("answered", "0-0")):
                await self.bot_turns.answer_resent(cid, asked, stream_id, frame.get("location"))
            return
        self.metrics.messages.labels("resident").inc()
        reference = reference_in(frame["text"])
        if reference:  # a resident coming back about a case: repeat contact, for the reports
            record = self.store.record("reference_mentioned", conversation_id=cid, reference=reference)
            self.bot_turns.spawn(record, cid)
        if mode == "closed":
            await self.store.transition(cid, ("closed",), "bot", status_event("reopened"))
            mode = "bot"
        if mode == "bot":
            self.bot_turns.answer(cid, asked, stream_id, peer.page, frame.get("location"))

    async def typing(self, cid: str, active: bool) -> None:
        conversation = await self.store.conversation(cid) or {}
        if conversation.get("mode") == "advisor":
            await self.store.publish_typing(cid, "resident", active)

    async def leave_message(self, peer: Peer, frame: dict[str, Any]) -> None:
        """A message for the contact centre: it becomes an Open311 case, now or later.

        Checked first by the case system's own rules (``MessageRefusedError``: an
        ``invalid`` error frame naming the field, nothing stored), so a message the
        resident is told is saved is one the case system will take.
        """
        cid = peer.conversation_id
        entry = messages_left.outbox_entry(cid, frame, now_ms())  # counted in frame_loop when refused
        # The message goes into the outbox in the same step as the log entry, before the
        # ack: once acknowledged it is kept until Open311 has it.
        stream_id, new = await self.store.append(
            cid,
            frames.message("resident", messages_left.logged_text(entry["text"])),
            frame["client_id"],
            also_push=(self.store.key("outbox"), json.dumps(entry)),
        )
        await peer.send(frames.ack(frame["client_id"], stream_id))
        if not new:
            return
        contact = messages_left.contact_key(entry, await self.store.secret("contact"))
        reference = (await self.outbox.flush()).get(entry["key"])
        await self.store.record(
            "message_left", conversation_id=cid, reference=reference or "", queued=not reference, contact=contact
        )
        await self.say(cid, texts.MESSAGE_LEFT.format(reference=reference) if reference else texts.MESSAGE_SAVED)

    async def end_chat(self, cid: str, reason: str = "resident") -> None:
        conversation = await self.store.conversation(cid) or {}
        how = "idle" if reason == "idle" else "resident"
        try:
            previous, _, advisor = await self.store.transition(
                cid,
                ("bot", "queued", "advisor"),
                "closed",
                status_event("closed_idle" if how == "idle" else "closed_by_resident"),
                fields={"closed_at": str(now_ms()), "advisor": ""},
                release=True,
            )
        except TransitionError as exc:
            raise FrameError("closed", "This chat has already ended.") from exc
        await self.record_end(cid, {**conversation, "mode": previous, "advisor": advisor}, how)

    async def rate(self, cid: str, score: int, comment: str) -> None:
        conversation = await self.store.conversation(cid) or {}
        if conversation.get("mode") != "closed":
            raise FrameError("not_allowed", "You can rate the chat once it has ended.")
        if conversation.get("rating"):
            raise FrameError("not_allowed", "You've already rated this chat. Thank you.")
        await self.store.set_fields(cid, rating=str(score), comment=comment[:1000])
        await self.store.record(
            "rating", conversation_id=cid, score=score, advisor=conversation.get("advisor_last", "")
        )
        self.metrics.ratings.labels(str(score)).inc()
        await self.say(cid, texts.RATING_THANKS)
