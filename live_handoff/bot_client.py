"""The relay's client for the Rasa servers: the REST channel and the tracker API.

RASA_URL may name several Rasa servers (comma-separated) sharing one Redis tracker and
lock store; each conversation goes to its own one while it is up and moves to the next
when it is down (``live_handoff.bot_choice``)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import aiohttp
from prometheus_client import CollectorRegistry, Counter

from live_handoff import bot_choice
from live_handoff.bot_replies import BotTurn, translate

log = logging.getLogger(__name__)
T = TypeVar("T")


class BotUnavailableError(Exception):
    """Rasa did not answer usefully (down, slow, an error, or an empty reply)."""


class _Failed(Exception):
    """One process failed one request; ``failure`` says whether another may be tried."""

    def __init__(self, failure: bot_choice.Failure, detail: str) -> None:
        super().__init__(detail)
        self.failure = failure


class BotClient:
    """Talks to one or more Rasa servers; the aiohttp session is passed in.

    Args:
        session: the application's aiohttp session.
        base_url: one Rasa server's URL, or several separated by commas.
        token: Rasa's HTTP API token (the same on every server).
        timeout: seconds one request may take before it counts as failed.
        registry: where the per-process turn and failover counters are registered
            (the application's metrics registry); a private one when not given.
        down_seconds: how long a process that failed is passed over.
    """

    def __init__(
        self,
        session: aiohttp.ClientSession,
        base_url: str,
        token: str = "",
        timeout: float = 15.0,
        registry: CollectorRegistry | None = None,
        down_seconds: float = bot_choice.DOWN_SECONDS,
    ) -> None:
        self.session = session
        self.base_url = base_url
        self.token = token
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self.down_seconds = down_seconds
        self.down_until: dict[str, float] = {}
        r = registry or CollectorRegistry()
        self.turns = Counter("frontdesk_bot_turns", "Bot turns answered, by Rasa process", ["process"], registry=r)
        self.failovers = Counter(
            "frontdesk_bot_failovers",
            "Requests a Rasa process failed, by process and whether the next process was tried",
            ["process", "outcome"],
            registry=r,
        )

    @property
    def base_url(self) -> str:
        """The Rasa servers, comma-separated (the first alone when there is one)."""
        return ",".join(self.urls)

    @base_url.setter
    def base_url(self, value: str) -> None:
        self.urls = bot_choice.parse_urls(value)
        self.down_until = {}

    async def _spread(self, conversation_id: str, call: Callable[[str], Awaitable[T]]) -> T:
        """Run ``call`` on the conversation's process, moving on to the next one while
        failures leave the request surely unanswered."""
        tried: list[str] = []
        for url in bot_choice.order(conversation_id, self.urls, self.down_until, time.monotonic()):
            try:
                result = await call(url)
            except _Failed as failed:
                tried.append(url)
                self.down_until = bot_choice.mark_down(self.down_until, url, time.monotonic(), self.down_seconds)
                onward = bot_choice.retry_elsewhere(failed.failure) and len(tried) < len(self.urls)
                self.failovers.labels(url, "next_process" if onward else "gave_up").inc()
                log.warning("Rasa at %s failed (%s)%s", url, failed, "; trying the next process" if onward else "")
                if not onward:
                    raise BotUnavailableError(f"Rasa unavailable: {failed}") from None
                continue
            if url in self.down_until:
                self.down_until = bot_choice.mark_up(self.down_until, url)
            return result
        raise BotUnavailableError("no Rasa process to try")  # only with no URLs, which parse_urls refuses

    async def _post(self, url: str, body: Any, params: dict[str, str] | None = None) -> Any:
        """POST JSON; the answer's JSON, or _Failed saying whether the message may have arrived."""
        try:
            async with self.session.post(url, json=body, params=params or {}, timeout=self.timeout) as response:
                if response.status >= 500:
                    raise _Failed("refused", f"HTTP {response.status}")
                if response.status != 200:
                    # Rasa understood and said no (4xx): another process would say the same.
                    raise BotUnavailableError(f"Rasa answered HTTP {response.status}")
                return await response.json(content_type=None)
        except aiohttp.ClientConnectorError as exc:
            raise _Failed("not_sent", f"cannot connect: {type(exc).__name__}") from None
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            raise _Failed("ambiguous", f"{type(exc).__name__} after the request was sent") from None
        except ValueError:
            raise BotUnavailableError("Rasa answered something other than JSON") from None

    async def send(self, conversation_id: str, text: str, metadata: dict[str, Any]) -> BotTurn:
        """Send one resident message; the bot's turn, or BotUnavailableError."""
        body = {"sender": conversation_id, "message": text, "metadata": metadata}

        async def one(url: str) -> tuple[str, Any]:
            return url, await self._post(f"{url}/webhooks/rest/webhook", body)

        url, replies = await self._spread(conversation_id, one)
        if not isinstance(replies, list):
            raise BotUnavailableError("Rasa answered something other than a list")
        turn = translate(replies)
        if turn.empty:
            raise BotUnavailableError("Rasa answered nothing (its action server may be down)")
        self.turns.labels(url).inc()
        return turn

    async def append_events(self, conversation_id: str, events: list[dict[str, Any]]) -> None:
        """Add events to the conversation's tracker (Rasa's HTTP API, ``--enable-api``)."""
        params = {"token": self.token} if self.token else {}

        async def one(url: str) -> None:
            await self._post(f"{url}/conversations/{conversation_id}/tracker/events", events, params)

        try:
            await self._spread(conversation_id, one)
        except BotUnavailableError as exc:
            raise BotUnavailableError(f"Rasa refused the tracker events: {exc}") from None

    async def tracker_events(self, conversation_id: str) -> list[dict[str, Any]]:
        """The conversation's tracker events (Rasa's HTTP API), or BotUnavailableError."""
        params = {"token": self.token} if self.token else {}

        async def one(url: str) -> Any:
            # A read: safe to ask the next process whatever went wrong with this one.
            try:
                async with self.session.get(
                    f"{url}/conversations/{conversation_id}/tracker", params=params, timeout=self.timeout
                ) as response:
                    if response.status >= 500:
                        raise _Failed("refused", f"HTTP {response.status}")
                    if response.status != 200:
                        raise BotUnavailableError(f"Rasa refused the tracker: HTTP {response.status}")
                    return await response.json(content_type=None)
            except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                raise _Failed("not_sent", f"tracker not read: {type(exc).__name__}") from None
            except ValueError:
                raise BotUnavailableError("Rasa answered something other than JSON") from None

        tracker = await self._spread(conversation_id, one)
        events = tracker.get("events") if isinstance(tracker, dict) else None
        return [e for e in events if isinstance(e, dict)] if isinstance(events, list) else []

    async def healthy(self) -> bool:
        """Whether at least one Rasa process answers."""
        return any(await asyncio.gather(*(self._answers(url) for url in self.urls)))

    async def processes_up(self) -> dict[str, bool]:
        """Each Rasa process and whether it answers now."""
        return dict(zip(self.urls, await asyncio.gather(*(self._answers(url) for url in self.urls))))

    async def _answers(self, url: str) -> bool:
        try:
            async with self.session.get(f"{url}/", timeout=aiohttp.ClientTimeout(total=2)) as response:
                return response.status == 200
        except (aiohttp.ClientError, asyncio.TimeoutError):
            return False
