"""What the relay does with each frame: the bot while it is in charge, the queue, advisors.

Handlers in ``resident_ws`` / ``advisor_ws`` parse frames and call these methods; the
decisions (opening hours, queue order and waits, reply translation) are pure functions
in their own modules; all state is in Redis through ``Store``.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import hmac
import json
import logging
import re
import time
import weakref
from datetime import datetime, timezone
from statistics import median
from typing import Any

import jsonschema

from bot.components.patterns import normalise_reference as reference_in
from knowledge_base import urgent
from knowledge_base.cache import KnowledgeBaseCache
from live_handoff import hours, masking, queueing, texts
from live_handoff.bot_client import BotClient, BotUnavailableError
from live_handoff.bot_replies import BotTurn
from live_handoff.cases import CaseClient, Outbox
from live_handoff.hub import Hub, Peer
from live_handoff.metrics import Metrics
from live_handoff.protocol import CONTRACTS, FrameError
from live_handoff.settings import Settings
from live_handoff.store import Store, TransitionError, now_ms

log = logging.getLogger(__name__)

# As the bot's handoff payloads do (contracts/README.md), for handoffs the resident starts:
# after any urgent route the category's name is the reason and its priority the band
# (crisis, domestic abuse, safeguarding and danger "urgent"; gas, power, emergency "high").
ROUTE_URGENCY = {**{category.route: (category.name, category.priority) for category in urgent.CATEGORIES},
                 "complaint": ("complaint", "normal")}
ORPHAN_SECONDS = 120  # an advisor's console gone this long: their chats go back in the queue
REQUEST_ADVISOR = {"title": "Talk to an advisor", "action": "request_advisor"}
LEAVE_MESSAGE = {"title": "Leave a message", "action": "leave_message"}
TRY_AGAIN = {"title": "Try again", "action": "retry"}
CANCEL_WAIT = {"title": "Stop waiting", "action": "cancel_wait"}
TRANSITION_MESSAGES = {
    "unknown_conversation": "That conversation does not exist or has expired.",
    "wrong_mode": "That can't be done in this conversation now.",
    "not_yours": "That conversation is with another advisor.",
    "at_capacity": "You have as many chats as your capacity allows. Close or hand one back first.",
    "already_claimed": "Another advisor has already taken that conversation.",
}


def iso(ms: int | str | None) -> str:
    if ms in (None, ""):
        ms = now_ms()
    return datetime.fromtimestamp(int(ms) / 1000, timezone.utc).isoformat(timespec="seconds")


HTML = re.compile(r"<\s*[a-zA-Z!/]|javascript:", re.IGNORECASE)  # what the case system refuses


def contact_key(message: dict[str, Any], secret: str) -> str:
    """A keyed one-way code for the resident's phone or email, so reports can count the
    same person contacting again without holding their details (keyed, so nobody can
    recover a phone number by trying them all)."""
    raw = (message.get("email") or "").strip().lower() or re.sub(r"\D", "", message.get("phone") or "")
    return hmac.new(secret.encode(), raw.encode(), hashlib.sha256).hexdigest()[:16] if raw else ""


def checked_handoff(handoff: dict[str, Any]) -> tuple[str, str, dict[str, Any] | None]:
    """The bot's handoff payload, checked against its contract; anything off becomes an
    ordinary request (still queued: a resident who was promised a person gets one)."""
    problems = list(handoff_validator().iter_errors({"handoff": handoff}))
    if problems:
        log.warning("handoff payload off contract (%s); queued as resident_asked", problems[0].message[:200])
        summary = handoff.get("summary") if isinstance(handoff.get("summary"), dict) else None
        if summary is not None and problems and any("summary" in list(p.absolute_path) for p in problems):
            summary = None
        reason = handoff.get("reason") if handoff.get("reason") in REASONS else "resident_asked"
        priority = handoff.get("priority") if handoff.get("priority") in queueing.PRIORITY_RANK else "normal"
        return reason, priority, summary
    return handoff["reason"], handoff["priority"], handoff["summary"]


@functools.lru_cache(maxsize=1)
def handoff_validator() -> jsonschema.Draft202012Validator:
    schema = json.loads((CONTRACTS.parent / "schemas" / "bot_handoff.schema.json").read_text())
    return jsonschema.Draft202012Validator(schema)


REASONS = frozenset({"resident_asked", *urgent.BY_NAME, "complaint", "repeated_misunderstanding",
                     "service_unavailable", "bot_unavailable"})


def later(a: str, b: str) -> bool:
    """Stream id ``a`` comes after ``b``."""
    return tuple(map(int, a.split("-"))) > tuple(map(int, (b or "0-0").split("-")))


def first_name(name: str) -> str:
    return (name or "An advisor").split(" ", 1)[0]


# The conversation field holding the last offer of suggestions, until the next routed turn.
OFFERED = "offered"


EditorEvent = tuple[str, dict[str, Any]]  # (kind, fields) for Store.record


def editor_events(route: dict[str, Any], asked: str, offered: str) -> tuple[list[EditorEvent], str | None]:
    """What one routed turn teaches editors: events to record, and the offer to remember.

    Pure. Questions are masked (they reach the editors' page); nothing is kept from a turn
    that carried urgent numbers (what a resident in crisis wrote is not for editors). An
    offer lasts one routed turn: the resident presses one of its buttons next, or moves on.

    Args:
        route: The turn's route metadata (contracts/README.md, "Routes").
        asked: What the relay sent the bot: the resident's words, or a button's payload.
        offered: The conversation's remembered offer (JSON), or "".

    Returns:
        ``(events, remember)``: events as ``(kind, fields)`` for ``Store.record``;
        ``remember`` is the new offer (JSON), "" to forget the old one, None to leave it.
    """
    name = str(route.get("name") or "")
    typed = bool(asked) and not asked.startswith("/")  # a payload is a button, not words
    remember = "" if offered else None
    if route.get("signposts") or name.startswith("urgent:"):
        return [], remember
    if name in ("out_of_scope", "missing_topic") and typed:
        # What the bot could not answer, so editors can write new articles.
        fields: dict[str, Any] = {"text": masking.mask(asked)[:300]}
        topic = route.get("topic")
        if name == "missing_topic" and isinstance(topic, str) and topic.strip():
            fields["topic"] = topic.strip()[:80]
        return [("unanswered", fields)], remember
    if name == "suggest" and typed:
        suggestions = [s for s in route.get("suggestions") or [] if isinstance(s, str) and s.startswith("faq:")][:3]
        if suggestions:
            remember = json.dumps({"question": masking.mask(asked)[:300], "suggestions": suggestions})
        return [], remember
    if name.startswith("faq:") and offered and asked.startswith("/"):
        try:
            offer = json.loads(offered)
            chosen = str(offer["question"]) if name in list(offer["suggestions"]) else ""
        except (ValueError, KeyError, TypeError):
            chosen = ""  # a field written by another version: forget it
        if chosen:
            return [("suggestion_chosen", {"question": chosen, "route": name})], remember
    return [], remember


class Relay:
    """The relay's behaviour, shared by every connection of this process."""

    def __init__(self, settings: Settings, store: Store, hub: Hub, bot: BotClient, cases: CaseClient,
                 outbox: Outbox, metrics: Metrics, knowledge: KnowledgeBaseCache | None = None) -> None:
        self.settings = settings
        self.knowledge = knowledge
        self.store = store
        self.hub = hub
        self.bot = bot
        self.cases = cases
        self.outbox = outbox
        self.metrics = metrics
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
        self._tasks: set[asyncio.Task] = set()
        hub.on_queue_changed = self.broadcast_queue
        hub.on_advisor_changed = self.send_chats

    def lock(self, cid: str) -> asyncio.Lock:
        """Messages of one conversation reach the bot one at a time, in order."""
        found = self._locks.get(cid)
        if found is None:
            found = self._locks[cid] = asyncio.Lock()
        return found

    # Contact centre ------------------------------------------------------------

    def open_now(self) -> tuple[bool, str]:
        when = datetime.now(timezone.utc)
        is_open = hours.is_open(self.settings.opening_hours, when)
        try:
            later = hours.describe_opening(self.settings.opening_hours, when)
        except ValueError:
            later = "soon"
        return is_open, later

    async def urgent_texts(self) -> dict[str, Any]:
        """The knowledge base's ``urgent`` block (``{category: {no_advisor, advisor_guide, ...}}``),
        or ``{}`` when it cannot be read: texts.py then has a fallback for every category."""
        if self.knowledge is None:
            return {}
        try:
            # In a thread: the first read, or one after an edit, parses every content file.
            messages = (await asyncio.to_thread(self.knowledge.get)).messages
        except Exception:  # noqa: BLE001 - whatever broke, residents still get the numbers
            log.exception("knowledge base unreadable; the relay's own urgent texts are used")
            return {}
        found = messages.get("urgent")
        return found if isinstance(found, dict) else {}

    async def no_advisor_text(self, reason: str | None, open_now: bool, later: str) -> str:
        kb_text = None
        if reason in texts.URGENT_REASONS:
            kb_text = ((await self.urgent_texts()).get(reason) or {}).get("no_advisor")
        return texts.no_advisor(reason, open_now, later, self.settings.hours_text,
                                kb_text if isinstance(kb_text, str) else None)

    async def advisor_guides(self) -> dict[str, str]:
        """The "What to do" guide for each urgent category, for advisors' consoles."""
        found = await self.urgent_texts()
        guides = {}
        for category in urgent.CATEGORIES:
            kb_text = (found.get(category.name) or {}).get("advisor_guide")
            guides[category.name] = texts.advisor_guide(category.name, kb_text if isinstance(kb_text, str) else None)
        return guides

    # Resident side ------------------------------------------------------------

    async def resident_hello(self, peer: Peer, hello: dict[str, Any]) -> None:
        """Start or resume the resident's conversation and replay what they missed."""
        # Only the page's address without its query string: queries can hold postcodes or names.
        page = (hello.get("page") or {}).get("url", "").split("?", 1)[0].split("#", 1)[0]
        cid = hello.get("conversation_id")
        token = None
        if cid:
            if not await self.store.check_token(cid, hello["resume_token"]):
                raise FrameError("unknown_conversation", "That conversation has ended or expired. "
                                 "Send hello without an id to start a new one.")
            conversation = await self.store.conversation(cid) or {}
            resumed = True
            last_seen = hello.get("last_seen", "0-0")
        else:
            cid, token = await self.store.create_conversation(page)
            conversation = {"mode": "bot"}
            resumed = False
            last_seen = "0-0"
            self.metrics.started.inc()
            await self.store.record("conversation_started", conversation_id=cid, page=page[:300])
        peer.conversation_id = cid
        peer.page = conversation.get("page", "") if resumed else page
        open_now, later = self.open_now()
        welcome: dict[str, Any] = {
            "type": "welcome", "conversation_id": cid, "mode": conversation.get("mode", "bot"), "resumed": resumed,
            "limits": {"max_text_chars": self.settings.max_text_chars,
                       "messages_per_minute": self.settings.messages_per_minute},
            "contact_centre": {"open": open_now, "text": texts.contact_centre_status(open_now, later, self.settings.hours_text)},
        }
        if token:
            welcome["resume_token"] = token
        welcome["last_id"] = await self.store.last_id(cid) if resumed else "0-0"
        await peer.send(welcome)
        self.hub.follow(peer, cid, last_seen)
        if conversation.get("mode") == "queued":
            await self.send_position(cid, [peer])

    async def resident_message(self, peer: Peer, frame: dict[str, Any]) -> None:
        cid = peer.conversation_id
        event = {"type": "message", "at": iso(None), "from": "resident", "text": frame["text"]}
        stream_id, new, mode = await self.store.append_with_mode(cid, event, frame["client_id"])
        await peer.send({"type": "ack", "client_id": frame["client_id"], "id": stream_id})
        if not new:
            # A resend after a reconnect. If the relay that logged it died before the bot
            # answered (nobody is working on it), answer it now.
            conversation = await self.store.conversation(cid) or {}
            if (conversation.get("mode") == "bot" and later(stream_id, conversation.get("answered", "0-0"))
                    and not await self.store.bot_turn_running(cid)):
                self.spawn(self.ask_bot(cid, frame.get("payload") or frame["text"], stream_id), cid)
            return
        self.metrics.messages.labels("resident").inc()
        reference = reference_in(frame["text"])
        if reference:  # a resident coming back about a case: repeat contact, for the reports
            self.spawn(self.store.record("reference_mentioned", conversation_id=cid, reference=reference), cid)
        if mode == "closed":
            await self.store.transition(cid, ("closed",), "bot", {
                "type": "status", "at": iso(None), "mode": "bot", "change": "handed_back",
                "text": "You're chatting with the assistant again."})
            mode = "bot"
        if mode == "bot":
            # In the background, so a resident can still press "Talk to an advisor" or
            # type while the bot thinks; the per-conversation lock keeps turns in order.
            self.spawn(self.ask_bot(cid, frame.get("payload") or frame["text"], stream_id, peer.page), cid)

    def spawn(self, work, cid: str = "") -> None:
        task = asyncio.create_task(work)
        task.conversation_id = cid  # type: ignore[attr-defined]
        self._tasks.add(task)
        task.add_done_callback(self._finished_task)

    def _finished_task(self, task: asyncio.Task) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            error = task.exception()
            log.error("background work for %s failed: %s", getattr(task, "conversation_id", "?"), type(error).__name__,
                      exc_info=(type(error), error, error.__traceback__))
            self.metrics.errors.labels("internal").inc()

    async def drain(self) -> None:
        """Let bot turns in progress finish (on shutdown)."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=10)

    async def ask_bot(self, cid: str, text: str, message_id: str = "", page: str | None = None) -> None:
        """Send to Rasa; after ``bot_notice_seconds`` without an answer, tell the resident.

        ``message_id`` is the resident message being answered: a message already answered,
        or arriving after a handoff, is not sent to the bot.
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
            metadata = {"channel": "web", "page_url": page}
            started = time.monotonic()
            await self.store.start_bot_turn(cid, self.settings.bot_timeout_seconds + 5)
            answered = ""
            try:
                call = asyncio.create_task(self.bot.send(cid, text, metadata))
                done, _ = await asyncio.wait({call}, timeout=self.settings.bot_notice_seconds)
                if not done:
                    await self.system(cid, texts.BOT_SLOW, [REQUEST_ADVISOR])
                try:
                    turn = await call
                except BotUnavailableError as exc:
                    log.warning("bot unavailable for %s: %s", cid, exc)
                    self.metrics.errors.labels("bot_unavailable").inc()
                    answered = message_id
                    await self.store.set_fields(cid, retry_text=text)
                    await self.system(cid, texts.BOT_UNAVAILABLE, [TRY_AGAIN, REQUEST_ADVISOR])
                    await self.store.record("bot_unavailable", conversation_id=cid)
                    return
                self.metrics.bot_latency.observe(time.monotonic() - started)
                await self.apply_turn(cid, turn, text, message_id)
                answered = message_id
            finally:
                await self.store.end_bot_turn(cid, answered)

    async def apply_turn(self, cid: str, turn: BotTurn, asked: str = "", message_id: str = "") -> None:
        # What the resident waits for goes first; the bookkeeping after it.
        for number, message in enumerate(turn.messages):
            event = {"type": "message", "at": iso(None), "from": "bot", **message}
            # Keyed by the message answered, so a retried write never shows a reply twice.
            key = f"bot-{message_id.replace('-', '_')}-{number}" if message_id else ""
            await self.store.append(cid, event, key)
            self.metrics.messages.labels("bot").inc()
        if turn.route:
            await self.store.set_fields(cid, route=json.dumps(turn.route))
            signposts = turn.route.get("signposts") or []
            await self.store.record("route", conversation_id=cid, route=turn.route.get("name"),
                                    confidence=turn.route.get("confidence"),
                                    **({"signposts": signposts} if signposts else {}))
            await self.record_for_editors(cid, turn.route, asked)
        if turn.case:
            conversation = await self.store.conversation(cid) or {}
            references = json.loads(conversation.get("cases") or "[]")
            if turn.case.get("service_request_id") not in references:
                references.append(turn.case.get("service_request_id"))
                await self.store.set_fields(cid, cases=json.dumps(references[-20:]))
            await self.store.record("case_created", conversation_id=cid,
                                    service_code=turn.case.get("service_code"),
                                    reference=turn.case.get("service_request_id"))
        if turn.handoff:
            reason, priority, summary = checked_handoff(turn.handoff)
            await self.request_advisor(cid, reason, priority, summary)

    async def record_for_editors(self, cid: str, route: dict[str, Any], asked: str) -> None:
        """Questions the bot could not answer, and which offered article residents chose."""
        events, remember = editor_events(route, asked, await self.store.field(cid, OFFERED))
        if remember is not None:
            await self.store.set_fields(cid, **{OFFERED: remember})
        for kind, fields in events:
            await self.store.record(kind, conversation_id=cid, **fields)

    async def system(self, cid: str, text: str, buttons: list[dict[str, str]] | None = None) -> str:
        event: dict[str, Any] = {"type": "message", "at": iso(None), "from": "system", "text": text}
        if buttons:
            event["buttons"] = buttons
        stream_id, _ = await self.store.append(cid, event)
        return stream_id

    async def retry(self, cid: str) -> None:
        conversation = await self.store.conversation(cid) or {}
        text = conversation.get("retry_text")
        if conversation.get("mode") != "bot" or not text:
            raise FrameError("not_allowed", "There is nothing to try again.")
        await self.store.set_fields(cid, retry_text="")
        self.spawn(self.ask_bot(cid, text), cid)

    async def summary_from_log(self, cid: str, conversation: dict[str, str]) -> dict[str, Any]:
        """What the bot learnt, for a handoff the relay starts (the resident pressed a button)."""
        route = json.loads(conversation.get("route") or "null") or {}
        turns = []
        for logged in await self.store.events_after(cid, "0-0", 500):
            event = logged.event
            if event.get("type") == "message" and event.get("from") in ("resident", "bot"):
                turns.append({"from": event["from"], "text": event["text"][:1000]})
        return {"route": route.get("name", "handoff"), "intent": route.get("intent", "handoff"),
                "confidence": float(route.get("confidence", 1.0)), "details": {}, "last_turns": turns[-6:]}

    async def request_advisor(self, cid: str, reason: str | None, priority: str | None,
                              summary: dict[str, Any] | None) -> None:
        """Queue for an advisor, or say why not and offer a message instead. Without a
        reason (the resident pressed a button), the conversation's route decides it, so an
        urgent conversation stays urgent."""
        conversation = await self.store.conversation(cid) or {}
        if reason is None or priority is None:
            route = (json.loads(conversation.get("route") or "null") or {}).get("name", "")
            reason, priority = ROUTE_URGENCY.get(route, ("resident_asked", "normal"))
        mode = conversation.get("mode")
        if mode == "queued":
            await self.system(cid, texts.STILL_QUEUED, [CANCEL_WAIT])
            return
        if mode == "advisor":
            await self.system(cid, texts.ALREADY_WITH_ADVISOR)
            return
        if summary is None:
            summary = await self.summary_from_log(cid, conversation)
        open_now, later = self.open_now()
        available = await self.store.available_advisors() if open_now else []
        if not open_now or not available:
            outcome = "closed" if not open_now else "no_advisor"
            self.metrics.handoffs.labels(reason, outcome).inc()
            await self.store.record("handoff", conversation_id=cid, reason=reason, priority=priority, outcome=outcome)
            await self.store.set_fields(cid, reason=reason, priority=priority, summary=json.dumps(summary))
            await self.system(cid, await self.no_advisor_text(reason, open_now, later), [LEAVE_MESSAGE])
            return
        queued_at = now_ms()
        try:
            _, queued_id, _ = await self.store.transition(
                cid, ("bot", "closed"), "queued",
                {"type": "status", "at": iso(queued_at), "mode": "queued", "change": "queued", "reason": reason,
                 "text": texts.QUEUED},
                fields={"reason": reason, "priority": priority, "summary": json.dumps(summary),
                        "queued_at": str(queued_at), "advisor": "", "claimed_at": ""},
                queue="add", score=queueing.queue_score(priority, queued_at))
        except TransitionError:
            return  # another process queued it a moment ago
        # Where the human part starts in the log (stream ids come from Redis's clock).
        await self.store.set_fields(cid, queued_id=queued_id)
        self.metrics.handoffs.labels(reason, "queued").inc()
        await self.store.record("handoff", conversation_id=cid, reason=reason, priority=priority, outcome="queued")
        await self.store.notify_queue()

    async def cancel_wait(self, cid: str) -> None:
        try:
            await self.store.transition(cid, ("queued",), "bot", {
                "type": "status", "at": iso(None), "mode": "bot", "change": "wait_cancelled",
                "text": texts.WAIT_CANCELLED}, fields={"queued_at": ""}, queue="rem")
        except TransitionError as exc:
            raise FrameError("not_allowed", "You're not waiting for an advisor.") from exc
        await self.store.record("wait_cancelled", conversation_id=cid)
        await self.store.notify_queue()

    async def end_chat(self, cid: str, reason: str = "resident") -> None:
        conversation = await self.store.conversation(cid) or {}
        try:
            previous, _, advisor = await self.store.transition(
                cid, ("bot", "queued", "advisor"), "closed", {
                    "type": "status", "at": iso(None), "mode": "closed", "change": "closed",
                    "text": texts.CLOSED_IDLE if reason == "idle" else texts.CLOSED_BY_RESIDENT},
                fields={"closed_at": str(now_ms()), "advisor": ""}, release=True)
        except TransitionError as exc:
            raise FrameError("closed", "This chat has already ended.") from exc
        await self._finished(cid, {**conversation, "mode": previous, "advisor": advisor},
                             "idle" if reason == "idle" else "resident")

    async def leave_message(self, peer: Peer, frame: dict[str, Any]) -> None:
        cid = peer.conversation_id
        if HTML.search(frame["text"]) or HTML.search(frame.get("name", "")):
            raise FrameError("invalid", "Please write your message without < > or web code.", frame["client_id"])
        key = f"{cid}:{frame['client_id']}"
        message = {"key": key, "conversation_id": cid, "text": frame["text"], "name": frame.get("name", ""),
                   "email": frame.get("email", ""), "phone": frame.get("phone", ""),
                   "call_back": bool(frame.get("call_back"))}
        # The message goes into the outbox in the same step as the log entry, before the
        # ack: once acknowledged it is kept until Open311 has it.
        stream_id, new = await self.store.append(cid, {
            "type": "message", "at": iso(None), "from": "resident",
            "text": f"(Message left for the contact centre) {frame['text']}"}, frame["client_id"],
            also_push=(self.outbox.key, json.dumps(message)))
        await peer.send({"type": "ack", "client_id": frame["client_id"], "id": stream_id})
        if not new:
            return
        contact = contact_key(message, await self.store.secret("contact"))
        reference = (await self.outbox.flush()).get(key)
        if reference:
            text = texts.MESSAGE_LEFT.format(reference=reference)
        else:
            text = texts.MESSAGE_SAVED
        await self.store.record("message_left", conversation_id=cid, reference=reference or "",
                                queued=not reference, contact=contact)
        await self.system(cid, text)

    async def rate(self, cid: str, score: int, comment: str) -> None:
        conversation = await self.store.conversation(cid) or {}
        if conversation.get("mode") != "closed":
            raise FrameError("not_allowed", "You can rate the chat once it has ended.")
        if conversation.get("rating"):
            raise FrameError("not_allowed", "You've already rated this chat. Thank you.")
        await self.store.set_fields(cid, rating=str(score), comment=comment[:1000])
        await self.store.record("rating", conversation_id=cid, score=score, advisor=conversation.get("advisor_last", ""))
        self.metrics.ratings.labels(str(score)).inc()
        await self.system(cid, texts.RATING_THANKS)

    async def resident_typing(self, cid: str, active: bool) -> None:
        conversation = await self.store.conversation(cid) or {}
        if conversation.get("mode") == "advisor":
            await self.store.publish_typing(cid, "resident", active)

    # Queue news -----------------------------------------------------------------

    async def _wait_inputs(self) -> tuple[int, int, float]:
        available = await self.store.available_advisors()
        free = sum(max(0, capacity - chats) for _, capacity, chats in available)
        recent = await self.store.recent_handling()
        return free, len(available), (median(recent) if recent else self.settings.handling_seconds_default)

    def _position_frame(self, position: int, inputs: tuple[int, int, float]) -> dict[str, Any]:
        wait = queueing.estimate_wait_seconds(position, *inputs)
        ahead = "You're next." if position == 1 else f"You're number {position} in the queue."
        return {"type": "queue", "position": position, "estimated_wait_seconds": wait,
                "text": f"{ahead} " + (f"Expected wait: {queueing.describe_wait(wait)}." if wait is not None
                                         else queueing.describe_wait(wait) + ".")}

    async def send_position(self, cid: str, peers: list[Peer] | None = None) -> None:
        position = await self.store.queue_position(cid)
        if position is None:
            return
        frame = self._position_frame(position, await self._wait_inputs())
        for peer in peers if peers is not None else self.hub.peers(cid, "resident"):
            await peer.send(frame)

    async def summaries(self, cids: list[str], positions: bool = False) -> list[dict[str, Any]]:
        out = []
        for index, cid in enumerate(cids, start=1):
            conversation = await self.store.conversation(cid)
            if not conversation:
                continue
            item: dict[str, Any] = {
                "conversation_id": cid, "mode": conversation.get("mode", "bot"),
                "reason": conversation.get("reason") or None, "priority": conversation.get("priority") or None,
                "summary": json.loads(conversation.get("summary") or "null"),
                "created_at": iso(conversation.get("created_at")),
            }
            if conversation.get("queued_at"):
                item["queued_at"] = iso(conversation["queued_at"])
            if conversation.get("advisor"):
                item["advisor"] = conversation["advisor"]
            if conversation.get("page"):
                item["page"] = conversation["page"]
            if conversation.get("cases"):
                item["cases"] = json.loads(conversation["cases"])
            if positions:
                item["position"] = index
            out.append(item)
        return out

    async def broadcast_queue(self) -> None:
        """Everyone on this process who cares hears the new queue."""
        advisors = self.hub.advisor_peers()
        if advisors:
            frame = {"type": "queue", "items": await self.summaries(await self.store.queue(), positions=True)}
            await asyncio.gather(*(peer.send(frame) for peer in advisors))
        local = set(self.hub.resident_conversations())
        queue = await self.store.queue()
        waiting = [(position, cid) for position, cid in enumerate(queue, start=1) if cid in local]
        if waiting:
            inputs = await self._wait_inputs()
            for position, cid in waiting:
                frame = self._position_frame(position, inputs)
                await asyncio.gather(*(peer.send(frame) for peer in self.hub.peers(cid, "resident")))

    async def send_chats(self, username: str) -> None:
        if username.startswith("!"):  # a session ended: close the consoles using it
            await self.close_ended_sessions(username[1:])
            return
        peers = self.hub.advisor_peers(username)
        if peers:
            frame = {"type": "chats", "items": await self.summaries(await self.store.chats(username))}
            for peer in peers:
                await peer.send(frame)

    # Advisor side -------------------------------------------------------------

    async def close_ended_sessions(self, username: str) -> None:
        for peer in self.hub.advisor_peers(username):
            if peer.session and not await self.store.session_exists(peer.session):
                await peer.send({"type": "error", "code": "not_allowed",
                                 "message": "Your session has ended. Please log in again."})
                await peer.ws.close(code=4401, message=b"session ended")

    async def advisor_welcome(self, peer: Peer, advisor: dict[str, str]) -> None:
        await peer.send({
            "type": "welcome",
            "advisor": {"username": peer.username, "name": advisor.get("name", peer.username),
                        "presence": advisor.get("presence", "away"), "capacity": int(advisor.get("capacity", 1))},
            "queue": await self.summaries(await self.store.queue(), positions=True),
            "chats": await self.summaries(await self.store.chats(peer.username)),
            "limits": {"max_text_chars": self.settings.max_text_chars},
            "guides": await self.advisor_guides(),
        })

    async def open_for_advisor(self, peer: Peer, cid: str, last_seen: str, keep_feed: bool = False) -> None:
        items = await self.summaries([cid])
        if not items:
            raise FrameError("unknown_conversation", "That conversation does not exist or has expired.")
        await peer.send({"type": "conversation", "conversation": items[0], "last_id": await self.store.last_id(cid)})
        if keep_feed and self.hub.follows(peer, cid):
            return  # already showing it (looked before claiming): nothing to replay
        self.hub.follow(peer, cid, last_seen)

    async def claim(self, peer: Peer, cid: str) -> None:
        advisor = await self.store.advisor(peer.username) or {}
        name = first_name(advisor.get("name", ""))
        claimed_at = now_ms()
        try:
            await self.store.transition(
                cid, ("queued",), "advisor",
                {"type": "status", "at": iso(claimed_at), "mode": "advisor", "change": "joined", "advisor": name,
                 "text": texts.JOINED.format(name=name)},
                fields={"advisor": peer.username, "advisor_name": name, "claimed_at": str(claimed_at),
                        "advisor_last": peer.username, "stranded": ""},
                queue="rem", chats_to=peer.username, capacity=int(advisor.get("capacity", 1)))
        except TransitionError as exc:
            if exc.code in ("at_capacity", "unknown_conversation"):
                raise FrameError(exc.code, TRANSITION_MESSAGES[exc.code]) from exc
            if exc.code == "wrong_mode" and exc.mode in ("bot", "closed"):
                raise FrameError("not_allowed", "That resident is no longer waiting (they stopped waiting or the "
                                 "chat ended).") from exc
            raise FrameError("already_claimed", TRANSITION_MESSAGES["already_claimed"]) from exc
        conversation = await self.store.conversation(cid) or {}
        waited = (claimed_at - int(conversation.get("queued_at") or claimed_at)) / 1000
        self.metrics.waiting.observe(waited)
        await self.store.record("claimed", conversation_id=cid, advisor=peer.username, waited_seconds=round(waited, 1),
                                reason=conversation.get("reason"), priority=conversation.get("priority"))
        await self.store.notify_queue()
        await self.store.notify_advisor(peer.username)
        await self.open_for_advisor(peer, cid, "0-0", keep_feed=True)

    def unfollow_soon(self, peer: Peer, cid: str) -> None:
        """Stop showing a conversation the advisor no longer has, once its last status
        event (logged a moment ago) has reached them."""
        asyncio.get_running_loop().call_later(2.0, self.hub.unfollow, peer, cid)

    async def _own(self, peer: Peer, cid: str) -> dict[str, str]:
        conversation = await self.store.conversation(cid)
        if not conversation:
            raise FrameError("unknown_conversation", "That conversation does not exist or has expired.")
        if conversation.get("mode") != "advisor" or conversation.get("advisor") != peer.username:
            raise FrameError("not_allowed", "Claim the conversation before writing in it.")
        return conversation

    async def advisor_message(self, peer: Peer, frame: dict[str, Any]) -> None:
        cid = frame["conversation_id"]
        conversation = await self._own(peer, cid)
        event = {"type": "message", "at": iso(None), "from": "advisor",
                 "author": conversation.get("advisor_name", ""), "text": frame["text"]}
        stream_id, new = await self.store.append(cid, event, frame["client_id"])
        await peer.send({"type": "ack", "client_id": frame["client_id"], "id": stream_id, "conversation_id": cid})
        if new:
            self.metrics.messages.labels("advisor").inc()

    async def note(self, peer: Peer, frame: dict[str, Any]) -> None:
        cid = frame["conversation_id"]
        if not await self.store.conversation(cid):
            raise FrameError("unknown_conversation", "That conversation does not exist or has expired.")
        advisor = await self.store.advisor(peer.username) or {}
        event = {"type": "note", "at": iso(None), "author": advisor.get("name", peer.username), "text": frame["text"]}
        stream_id, _ = await self.store.append(cid, event, frame["client_id"], audience="advisors")
        await peer.send({"type": "ack", "client_id": frame["client_id"], "id": stream_id, "conversation_id": cid})

    async def advisor_typing(self, peer: Peer, cid: str, active: bool) -> None:
        await self._own(peer, cid)
        await self.store.publish_typing(cid, "advisor", active)

    async def transfer(self, peer: Peer, cid: str, to: str) -> None:
        await self._own(peer, cid)
        target = await self.store.advisor(to)
        if not target or to == peer.username:
            raise FrameError("invalid", f"There is no other advisor with the username “{to}”.")
        if to not in {user for user, _, _ in await self.store.available_advisors()}:
            raise FrameError("not_allowed", f"{target.get('name', to)} is not available to take chats now.")
        name = first_name(target.get("name", ""))
        try:
            await self.store.transition(
                cid, ("advisor",), "advisor",
                {"type": "status", "at": iso(None), "mode": "advisor", "change": "transferred", "advisor": name,
                 "text": texts.TRANSFERRED.format(name=name)},
                fields={"advisor": to, "advisor_name": name, "advisor_last": to},
                chats_from=peer.username, chats_to=to, capacity=int(target.get("capacity", 1)),
                require_advisor=peer.username)
        except TransitionError as exc:
            raise FrameError("at_capacity" if exc.code == "at_capacity" else "not_allowed",
                             TRANSITION_MESSAGES.get(exc.code, "That transfer is not possible now.")) from exc
        await self.store.record("transferred", conversation_id=cid, advisor=peer.username, to=to)
        self.unfollow_soon(peer, cid)
        await self.store.notify_advisor(peer.username)
        await self.store.notify_advisor(to)

    async def handback(self, peer: Peer, cid: str) -> None:
        conversation = await self._own(peer, cid)
        name = conversation.get("advisor_name", "")
        try:
            _, status_id, _ = await self.store.transition(
                cid, ("advisor",), "bot",
                {"type": "status", "at": iso(None), "mode": "bot", "change": "handed_back",
                 "text": texts.HANDED_BACK.format(name=name)},
                fields={"advisor": "", "claimed_at": "", "queued_at": ""}, chats_from=peer.username,
                require_advisor=peer.username)
        except TransitionError as exc:
            raise FrameError("not_allowed", TRANSITION_MESSAGES.get(exc.code, "Not possible now.")) from exc
        await self._finished(cid, conversation, "handed_back")
        self.unfollow_soon(peer, cid)
        await self.store.notify_advisor(peer.username)
        await self.record_in_tracker(cid, conversation)

    async def close(self, peer: Peer, cid: str) -> None:
        conversation = await self._own(peer, cid)
        name = conversation.get("advisor_name", "")
        try:
            await self.store.transition(
                cid, ("advisor",), "closed",
                {"type": "status", "at": iso(None), "mode": "closed", "change": "closed",
                 "text": texts.CLOSED_BY_ADVISOR.format(name=name)},
                fields={"advisor": "", "closed_at": str(now_ms())}, chats_from=peer.username,
                require_advisor=peer.username)
        except TransitionError as exc:
            raise FrameError("not_allowed", TRANSITION_MESSAGES.get(exc.code, "Not possible now.")) from exc
        await self._finished(cid, conversation, "advisor")
        self.unfollow_soon(peer, cid)
        await self.store.notify_advisor(peer.username)

    async def _finished(self, cid: str, conversation: dict[str, str], how: str) -> None:
        """Measure the end of an advisor's part (or of a conversation)."""
        if conversation.get("claimed_at"):
            handled = (now_ms() - int(conversation["claimed_at"])) / 1000
            self.metrics.handling.observe(handled)
            await self.store.record_handling(handled)
            await self.store.record("advisor_finished", conversation_id=cid, how=how,
                                    advisor=conversation.get("advisor"), handled_seconds=round(handled, 1))
        if how != "handed_back":
            await self.store.record("closed", conversation_id=cid, by=how)
        if conversation.get("mode") == "queued":
            await self.store.notify_queue()
        if how in ("resident", "idle") and conversation.get("advisor"):
            await self.store.notify_advisor(conversation["advisor"])

    async def record_in_tracker(self, cid: str, conversation: dict[str, str]) -> None:
        """Tell Rasa what happened while an advisor had the chat, so the bot carries on sensibly:
        any half-finished form is ended, and the advisor's part appears in the tracker."""
        since = conversation.get("queued_id") or "0-0"
        events: list[dict[str, Any]] = [{"event": "active_loop", "name": None},
                                        {"event": "slot", "name": "requested_slot", "value": None}]
        for logged in await self.store.events_after(cid, since, 1000):
            event = logged.event
            if event.get("type") != "message" or event.get("from") not in ("resident", "advisor"):
                continue
            if event["from"] == "advisor":
                events.append({"event": "bot", "text": event["text"],
                               "metadata": {"from_advisor": event.get("author", "")}})
            else:
                events.append({"event": "action", "name": "action_listen"})
                events.append({"event": "user", "text": event["text"],
                               "parse_data": {"intent": {"name": "handoff", "confidence": 1.0}, "entities": []},
                               "metadata": {"during_handoff": True}})
        events.append({"event": "action", "name": "action_listen"})
        try:
            await self.bot.append_events(cid, events)
        except BotUnavailableError as exc:
            log.warning("could not record the advisor's part of %s in Rasa: %s", cid, exc)

    # Nobody left behind -----------------------------------------------------------

    async def sweep(self) -> None:
        """Once a period, by one relay process: tell queued residents when nobody can take
        their chat (closed, or no advisor available) and offer a message instead; put
        chats of advisors whose console has been gone for ORPHAN_SECONDS back in the queue."""
        if not await self.store.redis.set(self.store.key("sweeper"), "1", nx=True, ex=20):
            return
        open_now, later_text = self.open_now()
        queue = await self.store.queue()
        if queue and (not open_now or not await self.store.available_advisors()):
            for cid in queue:
                conversation = await self.store.conversation(cid) or {}
                if conversation.get("stranded") != "1":
                    await self.store.set_fields(cid, stranded="1")
                    await self.system(cid, await self.no_advisor_text(conversation.get("reason"), open_now, later_text),
                                      [LEAVE_MESSAGE, CANCEL_WAIT])
        for username in await self.store.advisors():
            chats = await self.store.chats(username)
            if not chats or await self.store.is_online(username):
                await self.store.redis.hdel(self.store.key("offline_since"), username)
                continue
            since = float(await self.store.redis.hget(self.store.key("offline_since"), username) or 0)
            if not since:
                await self.store.redis.hset(self.store.key("offline_since"), username, time.time())
                continue
            if time.time() - since >= ORPHAN_SECONDS:
                for cid in chats:
                    await self.requeue(cid, username)

    async def requeue(self, cid: str, username: str) -> None:
        conversation = await self.store.conversation(cid) or {}
        name = conversation.get("advisor_name", "Your advisor")
        queued_at = int(conversation.get("queued_at") or now_ms())  # keeps their place
        try:
            await self.store.transition(
                cid, ("advisor",), "queued",
                {"type": "status", "at": iso(None), "mode": "queued", "change": "unavailable",
                 "reason": conversation.get("reason") or "resident_asked",
                 "text": texts.ADVISOR_GONE.format(name=name)},
                fields={"advisor": "", "claimed_at": ""}, queue="add",
                score=queueing.queue_score(conversation.get("priority") or "normal", queued_at),
                chats_from=username, require_advisor=username)
        except TransitionError:
            return
        await self.store.record("requeued", conversation_id=cid, advisor=username)
        await self.store.notify_queue()
        await self.store.notify_advisor(username)

    async def run_sweeper(self, every: float = 30.0) -> None:
        while True:
            await asyncio.sleep(every)
            try:
                await self.sweep()
            except Exception:  # noqa: BLE001 - keep sweeping; logged with traceback
                log.exception("sweep failed")

    async def set_presence(self, peer: Peer, status: str) -> None:
        await self.store.set_advisor_field(peer.username, presence=status)
        await self.store.record("presence", advisor=peer.username, status=status)
        await self.store.notify_queue()  # waits change with who is available
