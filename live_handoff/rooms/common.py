"""What every room shares: its services, the contact centre's hours and urgent texts,
system messages, the buttons the relay offers, and how the end of an advisor's part is
measured."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from knowledge_base import urgent
from knowledge_base.cache import KnowledgeBaseCache
from live_handoff import frames, hours, texts
from live_handoff.frames import Button
from live_handoff.hub import Hub
from live_handoff.metrics import Metrics
from live_handoff.settings import Settings
from live_handoff.store import Store, now_ms

log = logging.getLogger(__name__)

REQUEST_ADVISOR: Button = {"title": "Talk to an advisor", "action": "request_advisor"}
LEAVE_MESSAGE: Button = {"title": "Leave a message", "action": "leave_message"}
TRY_AGAIN: Button = {"title": "Try again", "action": "retry"}
CANCEL_WAIT: Button = {"title": "Stop waiting", "action": "cancel_wait"}

# What advisors are told when a mode change is refused (store.TransitionError codes).
TRANSITION_MESSAGES = {
    "unknown_conversation": "That conversation does not exist or has expired.",
    "wrong_mode": "That can't be done in this conversation now.",
    "not_yours": "That conversation is with another advisor.",
    "at_capacity": "You have as many chats as your capacity allows. Close or hand one back first.",
    "already_claimed": "Another advisor has already taken that conversation.",
}


@dataclass(frozen=True)
class Services:
    """What the rooms work with, passed in once (``Relay`` builds it)."""

    settings: Settings
    store: Store
    hub: Hub
    metrics: Metrics
    knowledge: KnowledgeBaseCache | None = None


class Room:
    """A part of the relay's behaviour; the subclasses are the rooms."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.settings = services.settings
        self.store = services.store
        self.hub = services.hub
        self.metrics = services.metrics

    async def say(self, cid: str, text: str, buttons: list[Button] | None = None) -> str:
        """Log a message from the relay itself (``from: system``); its stream id."""
        stream_id, _ = await self.store.append(cid, frames.message("system", text, buttons=buttons))
        return stream_id

    def open_now(self) -> tuple[bool, str]:
        """Whether the contact centre is open, and when it opens next, in words."""
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
        knowledge = self.services.knowledge
        if knowledge is None:
            return {}
        try:
            # In a thread: the first read, or one after an edit, parses every content file.
            messages = (await asyncio.to_thread(knowledge.get)).messages
        except Exception:  # noqa: BLE001 - whatever broke, residents still get the numbers
            log.exception("knowledge base unreadable; the relay's own urgent texts are used")
            return {}
        found = messages.get("urgent")
        return found if isinstance(found, dict) else {}

    async def no_advisor_text(self, reason: str | None, open_now: bool, later: str) -> str:
        kb_text = None
        if reason in texts.URGENT_REASONS:
            kb_text = ((await self.urgent_texts()).get(reason) or {}).get("no_advisor")
        return texts.no_advisor(
            reason, open_now, later, self.settings.hours_text, kb_text if isinstance(kb_text, str) else None
        )

    async def advisor_guides(self) -> dict[str, str]:
        """The "What to do" guide for each urgent category, for advisors' consoles."""
        found = await self.urgent_texts()
        guides = {}
        for category in urgent.CATEGORIES:
            kb_text = (found.get(category.name) or {}).get("advisor_guide")
            guides[category.name] = texts.advisor_guide(category.name, kb_text if isinstance(kb_text, str) else None)
        return guides

    async def record_end(self, cid: str, conversation: dict[str, str], how: str) -> None:
        """Measure the end of an advisor's part (``handed_back``) or of a conversation
        (``advisor``, ``resident``, ``idle``): handling time, analytics, who to tell."""
        if conversation.get("claimed_at"):
            handled = (now_ms() - int(conversation["claimed_at"])) / 1000
            self.metrics.handling.observe(handled)
            await self.store.record_handling(handled)
            await self.store.record(
                "advisor_finished",
                conversation_id=cid,
                how=how,
                advisor=conversation.get("advisor"),
                handled_seconds=round(handled, 1),
            )
        if how != "handed_back":
            await self.store.record("closed", conversation_id=cid, by=how)
        if conversation.get("mode") == "queued":
            await self.store.notify_queue()
        if how in ("resident", "idle") and conversation.get("advisor"):
            await self.store.notify_advisor(conversation["advisor"])
