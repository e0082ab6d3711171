"""Messages residents leave become cases in the council's Open311 service.

If Open311 is down the message is kept in Redis (``fd:outbox``) and sent later, so a
message the resident was thanked for is never lost.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import aiohttp
from redis.asyncio import Redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)
SERVICE_CODE = "contact_centre_message"


class CaseError(Exception):
    """Open311 did not accept the case (down, refused, or not configured)."""


class CaseClient:
    def __init__(self, session: aiohttp.ClientSession, base_url: str, api_key: str, timeout: float = 5.0) -> None:
        self.session = session
        self.base_url = base_url
        self.api_key = api_key
        self.timeout = aiohttp.ClientTimeout(total=timeout)

    async def create(self, message: dict[str, Any]) -> str:
        """Create the case; its reference (e.g. NB-2026-000123)."""
        if not self.base_url or not self.api_key:
            raise CaseError("OPEN311_URL and OPEN311_API_KEY are not set")
        name = (message.get("name") or "").strip().split(" ", 1)
        form = {
            "api_key": self.api_key,
            "service_code": SERVICE_CODE,
            "description": message["text"],
            "attribute[conversation_id]": message["conversation_id"],
            "attribute[call_back]": "yes" if message.get("call_back") else "no",
        }
        for field, value in (("email", message.get("email")), ("phone", message.get("phone")),
                             ("first_name", name[0] if name[0] else None),
                             ("last_name", name[1] if len(name) > 1 else None)):
            if value:
                form[field] = value
        try:
            async with self.session.post(self.base_url + "requests.json", data=form, timeout=self.timeout) as response:
                body = await response.json(content_type=None)
                if response.status != 201:
                    raise CaseError(f"Open311 answered {response.status}: {body}")
                return body[0]["service_request_id"]
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError, KeyError, IndexError) as exc:
            raise CaseError(f"Open311 unreachable: {type(exc).__name__}") from None


class Outbox:
    """Messages waiting for Open311, kept in Redis until it accepts them."""

    def __init__(self, redis: Redis, key: str, client: CaseClient) -> None:
        self.redis = redis
        self.key = key
        self.client = client

    async def keep(self, message: dict[str, Any]) -> None:
        await self.redis.rpush(self.key, json.dumps(message))

    async def pending(self) -> int:
        return int(await self.redis.llen(self.key))

    async def flush(self) -> int:
        """Send what is waiting, oldest first; stops at the first failure. Returns how many were sent."""
        # One sender at a time across relay processes, or a message could become two cases.
        if not await self.redis.set(self.key + ":lock", "1", nx=True, ex=30):
            return 0
        try:
            return await self._send_waiting()
        finally:
            await self.redis.delete(self.key + ":lock")

    async def _send_waiting(self) -> int:
        sent = 0
        while True:
            raw = await self.redis.lindex(self.key, 0)
            if raw is None:
                return sent
            try:
                await self.client.create(json.loads(raw))
            except CaseError as exc:
                log.warning("outbox: %d message(s) still waiting for Open311 (%s)", await self.pending(), exc)
                return sent
            await self.redis.lpop(self.key)
            sent += 1

    async def run(self, every: float = 60.0) -> None:
        while True:
            await asyncio.sleep(every)
            try:
                await self.flush()
            except RedisError:
                pass
