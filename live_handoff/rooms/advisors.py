"""The advisor room: what an advisor's console does: welcome, open and claim conversations,
write, add private notes, transfer, hand back to the bot, close; presence; and the lists
of their own chats kept up to date."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from live_handoff import access, audit, auth, frames, texts
from live_handoff.frames import AdvisorWelcome, ChatList, ConversationFrame
from live_handoff.hub import Peer
from live_handoff.protocol import FrameError
from live_handoff.rooms.bot_turns import BotTurns
from live_handoff.rooms.common import TRANSITION_MESSAGES, Room, Services
from live_handoff.rooms.queue import Queue
from live_handoff.status import status_event
from live_handoff.store import TransitionError, now_ms

CLOSE_SESSION_ENDED = 4401
UNFOLLOW_AFTER_SECONDS = 2.0


class Advisors(Room):
    """Advisors' frames (contracts/relay/advisor_client.schema.json) and their chat lists."""

    def __init__(self, services: Services, queue: Queue, bot_turns: BotTurns) -> None:
        super().__init__(services)
        self.queue = queue
        self.bot_turns = bot_turns

    async def welcome(self, peer: Peer, advisor: dict[str, str]) -> None:
        frame: AdvisorWelcome = {
            "type": "welcome",
            "advisor": {
                "username": peer.username,
                "name": advisor.get("name", peer.username),
                "presence": advisor.get("presence", "away"),  # type: ignore[typeddict-item]
                "capacity": int(advisor.get("capacity", 1)),
            },
            "queue": await self.queue.listing(),
            "chats": await self.queue.summaries(await self.store.chats(peer.username)),
            "limits": {"max_text_chars": self.settings.max_text_chars},
            "guides": await self.advisor_guides(),
        }
        await peer.send(frame)

    async def set_presence(self, peer: Peer, status: str) -> None:
        await self.store.set_advisor_field(peer.username, presence=status)
        await self.store.record("presence", advisor=peer.username, status=status)
        await self.store.notify_queue()  # waits change with who is available

    async def open(self, peer: Peer, cid: str, last_seen: str, keep_feed: bool = False) -> None:
        """Show a conversation: its summary, then its log after ``last_seen``, then live.

        Only what ``access.may_read`` allows (queued, theirs, theirs before, or any for a
        supervisor); each open is one entry in the staff audit trail.
        """
        roles = await self._roles(peer)
        conversation = await self.store.conversation(cid) or {}
        granted = access.may_read(conversation, peer.username, roles)
        if not granted.readable:
            raise _not_readable(conversation, roles)
        items = await self.queue.summaries([cid])
        if not items:
            raise FrameError("unknown_conversation", TRANSITION_MESSAGES["unknown_conversation"])
        frame: ConversationFrame = {
            "type": "conversation",
            "conversation": items[0],
            "last_id": await self.store.last_id(cid),
            "access": "full" if granted.level == "full" else "read_only",
            "may_note": granted.may_note,
        }
        await peer.send(frame)
        if keep_feed and self.hub.follows(peer, cid):
            return  # already showing it (looked before claiming): nothing to replay, nothing new read
        await audit.record(self.store, peer.username, granted.role, "open", cid)
        self.hub.follow(peer, cid, last_seen, allowed=self._still_readable(peer, cid, roles))

    def _still_readable(self, peer: Peer, cid: str, roles: list[str]) -> Callable[[], Awaitable[bool]]:
        """The feed's check before each batch: a queued chat someone else claims, or one
        that expires, stops being shown (the console is told why)."""

        async def check() -> bool:
            conversation = await self.store.conversation(cid) or {}
            if access.may_read(conversation, peer.username, roles).readable:
                return True
            refusal = frames.error("not_allowed", texts.NO_LONGER_SHOWN)
            refusal["conversation_id"] = cid
            await peer.send(refusal)
            return False

        return check

    async def _roles(self, peer: Peer) -> list[str]:
        """The advisor's roles now (read each time, so a role taken away counts at once)."""
        return auth.effective_roles((await self.store.advisor(peer.username) or {}).get("roles", ""))

    async def claim(self, peer: Peer, cid: str) -> None:
        advisor = await self.store.advisor(peer.username) or {}
        name = texts.first_name(advisor.get("name", ""))
        claimed_at = now_ms()
        try:
            await self.store.transition(
                cid,
                ("queued",),
                "advisor",
                status_event("joined", name=name, at_ms=claimed_at),
                fields={
                    "advisor": peer.username,
                    "advisor_name": name,
                    "claimed_at": str(claimed_at),
                    "advisor_last": peer.username,
                    "stranded": "",
                },
                queue="rem",
                chats_to=peer.username,
                capacity=int(advisor.get("capacity", 1)),
            )
        except TransitionError as exc:
            raise _claim_refused(exc) from exc
        conversation = await self.store.conversation(cid) or {}
        waited = (claimed_at - int(conversation.get("queued_at") or claimed_at)) / 1000
        self.metrics.waiting.observe(waited)
        await self.store.record(
            "claimed",
            conversation_id=cid,
            advisor=peer.username,
            waited_seconds=round(waited, 1),
            reason=conversation.get("reason"),
            priority=conversation.get("priority"),
        )
        await self.store.notify_queue()
        await self.store.notify_advisor(peer.username)
        await self.open(peer, cid, "0-0", keep_feed=True)

    async def message(self, peer: Peer, frame: dict[str, Any]) -> None:
        cid = frame["conversation_id"]
        conversation = await self._own(peer, cid)
        event = frames.message("advisor", frame["text"], author=conversation.get("advisor_name", ""))
        stream_id, new = await self.store.append(cid, event, frame["client_id"])
        await peer.send(frames.ack(frame["client_id"], stream_id, cid))
        if new:
            self.metrics.messages.labels("advisor").inc()

    async def note(self, peer: Peer, frame: dict[str, Any]) -> None:
        """A private note: advisors see it, the resident never does. Only on a chat the
        advisor has now (supervisors: any chat they may read, see ``access``)."""
        cid = frame["conversation_id"]
        roles = await self._roles(peer)
        conversation = await self.store.conversation(cid) or {}
        granted = access.may_read(conversation, peer.username, roles)
        if not granted.readable:
            raise _not_readable(conversation, roles)
        if not granted.may_note:
            raise FrameError("not_allowed", texts.NOTES_ON_OWN_CHATS)
        advisor = await self.store.advisor(peer.username) or {}
        event = frames.note(advisor.get("name", peer.username), frame["text"])
        stream_id, _ = await self.store.append(cid, event, frame["client_id"], audience="advisors")
        await peer.send(frames.ack(frame["client_id"], stream_id, cid))

    async def typing(self, peer: Peer, cid: str, active: bool) -> None:
        await self._own(peer, cid)
        await self.store.publish_typing(cid, "advisor", active)

    async def transfer(self, peer: Peer, cid: str, to: str) -> None:
        await self._own(peer, cid)
        target = await self.store.advisor(to)
        if not target or to == peer.username:
            raise FrameError("invalid", f"There is no other advisor with the username “{to}”.")
        if to not in {user for user, _, _ in await self.store.available_advisors()}:
            raise FrameError("not_allowed", f"{target.get('name', to)} is not available to take chats now.")
        name = texts.first_name(target.get("name", ""))
        try:
            await self.store.transition(
                cid,
                ("advisor",),
                "advisor",
                status_event("transferred", name=name),
                fields={"advisor": to, "advisor_name": name, "advisor_last": to},
                chats_from=peer.username,
                chats_to=to,
                capacity=int(target.get("capacity", 1)),
                require_advisor=peer.username,
            )
        except TransitionError as exc:
            raise FrameError(
                "at_capacity" if exc.code == "at_capacity" else "not_allowed",
                TRANSITION_MESSAGES.get(exc.code, "That transfer is not possible now."),
            ) from exc
        await self.store.record("transferred", conversation_id=cid, advisor=peer.username, to=to)
        self._unfollow_soon(peer, cid)
        await self.store.notify_advisor(peer.username)
        await self.store.notify_advisor(to)

    async def handback(self, peer: Peer, cid: str) -> None:
        """Back to the bot, which is told in Rasa's tracker what happened meanwhile."""
        conversation = await self._own(peer, cid)
        await self._leave(
            peer,
            cid,
            "bot",
            status_event("handed_back", name=conversation.get("advisor_name", "")),
            {"advisor": "", "claimed_at": "", "queued_at": ""},
        )
        await self.record_end(cid, conversation, "handed_back")
        self._unfollow_soon(peer, cid)
        await self.store.notify_advisor(peer.username)
        await self.bot_turns.record_in_tracker(cid, conversation)

    async def close(self, peer: Peer, cid: str) -> None:
        conversation = await self._own(peer, cid)
        await self._leave(
            peer,
            cid,
            "closed",
            status_event("closed_by_advisor", name=conversation.get("advisor_name", "")),
            {"advisor": "", "closed_at": str(now_ms())},
        )
        await self.record_end(cid, conversation, "advisor")
        self._unfollow_soon(peer, cid)
        await self.store.notify_advisor(peer.username)

    async def _leave(self, peer: Peer, cid: str, mode: str, event: frames.StatusEvent, fields: dict[str, str]) -> None:
        """The advisor's part ends (hand-back or close), only if the chat is still theirs."""
        try:
            await self.store.transition(
                cid, ("advisor",), mode, event, fields=fields, chats_from=peer.username, require_advisor=peer.username
            )
        except TransitionError as exc:
            raise FrameError("not_allowed", TRANSITION_MESSAGES.get(exc.code, "Not possible now.")) from exc

    async def _own(self, peer: Peer, cid: str) -> dict[str, str]:
        conversation = await self.store.conversation(cid)
        if not conversation:
            raise FrameError("unknown_conversation", TRANSITION_MESSAGES["unknown_conversation"])
        if conversation.get("mode") != "advisor" or conversation.get("advisor") != peer.username:
            raise FrameError("not_allowed", "Claim the conversation before writing in it.")
        return conversation

    def _unfollow_soon(self, peer: Peer, cid: str) -> None:
        """Stop showing a conversation the advisor no longer has, once its last status
        event (logged a moment ago) has reached them. A feed they open again meanwhile
        (read only, as a past holder) is theirs to keep."""
        showing = {feed for feed in self.hub.feeds.get(cid, ()) if feed.peer is peer}

        def stop() -> None:
            if showing & set(self.hub.feeds.get(cid, ())):
                self.hub.unfollow(peer, cid)

        asyncio.get_running_loop().call_later(UNFOLLOW_AFTER_SECONDS, stop)

    # News for advisors ---------------------------------------------------------------

    async def send_chats(self, username: str) -> None:
        """The advisor's consoles on this process get their new list of chats."""
        peers = self.hub.advisor_peers(username)
        if peers:
            frame: ChatList = {"type": "chats", "items": await self.queue.summaries(await self.store.chats(username))}
            for peer in peers:
                await peer.send(frame)

    async def close_ended_sessions(self, username: str) -> None:
        """Consoles on this process using a session that has ended close."""
        for peer in self.hub.advisor_peers(username):
            if peer.session and not await self.store.session_exists(peer.session):
                await peer.send(frames.error("not_allowed", texts.SESSION_ENDED))
                await peer.ws.close(code=CLOSE_SESSION_ENDED, message=b"session ended")


def _not_readable(conversation: dict[str, str], roles: list[str]) -> FrameError:
    """The refusal of a conversation the advisor may not see. Whether it exists is said
    only to supervisors, who may read any that does."""
    if not conversation and access.SUPERVISOR in roles:
        return FrameError("unknown_conversation", TRANSITION_MESSAGES["unknown_conversation"])
    return FrameError("not_allowed", texts.NOT_YOURS_TO_OPEN)


def _claim_refused(exc: TransitionError) -> FrameError:
    """What an advisor is told when someone else, or their capacity, got there first."""
    if exc.code in ("at_capacity", "unknown_conversation"):
        return FrameError(exc.code, TRANSITION_MESSAGES[exc.code])
    if exc.code == "wrong_mode" and exc.mode in ("bot", "closed"):
        return FrameError("not_allowed", "That resident is no longer waiting (they stopped waiting or the chat ended).")
    return FrameError("already_claimed", TRANSITION_MESSAGES["already_claimed"])
