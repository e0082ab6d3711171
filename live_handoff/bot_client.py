"""The relay's client for the Rasa server: the REST channel and the tracker API."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp

from live_handoff.bot_replies import BotTurn, translate


class BotUnavailableError(Exception):
    """Rasa did not answer usefully (down, slow, an error, or an empty reply)."""


class BotClient:
    """Talks to Rasa; the aiohttp session is passed in."""

    def __init__(self, session: aiohttp.ClientSession, base_url: str, token: str = "", timeout: float = 15.0) -> None:
        self.session = session
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = aiohttp.ClientTimeout(total=timeout)

    async def send(self, conversation_id: str, text: str, metadata: dict[str, Any]) -> BotTurn:
        """Send one resident message; the bot's turn, or BotUnavailableError."""
        body = {"sender": conversation_id, "message": text, "metadata": metadata}
        try:
            async with self.session.post(
                f"{self.base_url}/webhooks/rest/webhook", json=body, timeout=self.timeout
            ) as response:
                if response.status != 200:
                    raise BotUnavailableError(f"Rasa answered HTTP {response.status}")
                replies = await response.json(content_type=None)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
            raise BotUnavailableError(f"Rasa unreachable: {type(exc).__name__}") from None
        if not isinstance(replies, list):
            raise BotUnavailableError("Rasa answered something other than a list")
        turn = translate(replies)
        if turn.empty:
            raise BotUnavailableError("Rasa answered nothing (its action server may be down)")
        return turn

    async def append_events(self, conversation_id: str, events: list[dict[str, Any]]) -> None:
        """Add events to the conversation's tracker (Rasa's HTTP API, ``--enable-api``)."""
        params = {"token": self.token} if self.token else {}
        url = f"{self.base_url}/conversations/{conversation_id}/tracker/events"
        try:
            async with self.session.post(url, json=events, params=params, timeout=self.timeout) as response:
                if response.status != 200:
                    raise BotUnavailableError(f"Rasa refused the tracker events: HTTP {response.status}")
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            raise BotUnavailableError(f"Rasa unreachable: {type(exc).__name__}") from None

    async def tracker_events(self, conversation_id: str) -> list[dict[str, Any]]:
        """The conversation's tracker events (Rasa's HTTP API), or BotUnavailableError."""
        params = {"token": self.token} if self.token else {}
        url = f"{self.base_url}/conversations/{conversation_id}/tracker"
        try:
            async with self.session.get(url, params=params, timeout=self.timeout) as response:
                if response.status != 200:
                    raise BotUnavailableError(f"Rasa refused the tracker: HTTP {response.status}")
                tracker = await response.json(content_type=None)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
            raise BotUnavailableError(f"Rasa unreachable: {type(exc).__name__}") from None
        events = tracker.get("events") if isinstance(tracker, dict) else None
        return [e for e in events if isinstance(e, dict)] if isinstance(events, list) else []

    async def healthy(self) -> bool:
        try:
            async with self.session.get(f"{self.base_url}/", timeout=aiohttp.ClientTimeout(total=2)) as response:
                return response.status == 200
        except (aiohttp.ClientError, asyncio.TimeoutError):
            return False
