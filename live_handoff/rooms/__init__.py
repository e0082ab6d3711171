"""The relay's behaviour, in rooms a newcomer can find:

========================  ==========================================================
``rooms.residents``       a resident's widget: hello, messages, messages left, end, rating
``rooms.bot_turns``       the bot while it is in charge; slow or absent bot; tracker on hand-back
``rooms.queue``           asking for an advisor, waiting, news of the queue
``rooms.advisors``        an advisor's console: claim, write, notes, transfer, hand back, close
``rooms.sweeper``         nobody left behind: stranded residents, vanished advisors
``rooms.common``          what the rooms share (services, hours, urgent texts, endings)
========================  ==========================================================

The socket handlers (``resident_ws``, ``advisor_ws``) parse frames and call the rooms;
the decisions (opening hours, queue order and waits, reply translation, status events)
are pure functions in their own modules; all state is in Redis through ``Store``.
"""

from __future__ import annotations

import logging

from redis.exceptions import RedisError

from knowledge_base.cache import KnowledgeBaseCache
from live_handoff.bot_client import BotClient
from live_handoff.cases import Outbox
from live_handoff.hub import Hub
from live_handoff.metrics import Metrics
from live_handoff.news import ChatsChanged, News, QueueChanged, SessionEnded
from live_handoff.rooms.advisors import Advisors
from live_handoff.rooms.bot_turns import BotTurns
from live_handoff.rooms.common import Services
from live_handoff.rooms.queue import Queue
from live_handoff.rooms.residents import Residents
from live_handoff.rooms.sweeper import Sweeper
from live_handoff.settings import Settings
from live_handoff.store import Store

__all__ = ["Relay"]

log = logging.getLogger(__name__)


class Relay:
    """Every room of this process, built once over the same services."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        hub: Hub,
        bot: BotClient,
        outbox: Outbox,
        metrics: Metrics,
        knowledge: KnowledgeBaseCache | None = None,
    ) -> None:
        services = Services(settings, store, hub, metrics, knowledge)
        self.hub = hub
        self.bot = bot
        self.outbox = outbox
        self.queue = Queue(services)
        self.bot_turns = BotTurns(services, bot, self.queue)
        self.residents = Residents(services, self.bot_turns, self.queue, outbox)
        self.advisors = Advisors(services, self.queue, self.bot_turns)
        self.sweeper = Sweeper(services, self.bot_turns)

    async def deliver_news(self) -> None:
        """Act on the hub's news for ever (``news.NewsChannel``), one piece at a time."""
        async for news in self.hub.news:
            try:
                await self.act_on(news)
            except RedisError as exc:
                log.warning("%s not passed on (%s); the next change will resend", news, type(exc).__name__)
            except Exception:  # noqa: BLE001 - must never stop delivery; logged with traceback
                log.exception("passing on %s failed", news)

    async def act_on(self, news: News) -> None:
        if isinstance(news, QueueChanged):
            await self.queue.broadcast()
        elif isinstance(news, ChatsChanged):
            await self.advisors.send_chats(news.username)
        elif isinstance(news, SessionEnded):
            await self.advisors.close_ended_sessions(news.username)

    async def drain(self) -> None:
        """Let bot turns in progress finish (on shutdown)."""
        await self.bot_turns.drain()
