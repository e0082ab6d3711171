"""Messages residents leave become cases in the council's Open311 service.

If Open311 is down the message is kept in Redis (``fd:outbox``, through ``Store``) and sent later, so a
message the resident was thanked for is never lost.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from typing import Any

import aiohttp
from redis.exceptions import RedisError

from live_handoff.store import Store

log = logging.getLogger(__name__)
SERVICE_CODE = "contact_centre_message"


class CaseError(Exception):
    """Open311 did not accept the case (down, refused, or not configured)."""


class CaseRejectedError(CaseError):
    """Open311 refused this message outright (4xx): retrying will not help."""


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
        for field, value in (
            ("email", message.get("email")),
            ("phone", message.get("phone")),
            ("first_name", name[0] if name[0] else None),
            ("last_name", name[1] if len(name) > 1 else None),
        ):
            if value:
                form[field] = value
        try:
            async with self.session.post(self.base_url + "requests.json", data=form, timeout=self.timeout) as response:
                body = await response.json(content_type=None)
                if 400 <= response.status < 500:
                    raise CaseRejectedError(f"Open311 refused it ({response.status}): {body}")
                if response.status != 201:
                    raise CaseError(f"Open311 answered {response.status}")
                return body[0]["service_request_id"]
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError, KeyError, IndexError) as exc:
            raise CaseError(f"Open311 unreachable: {type(exc).__name__}") from None


class Outbox:
    """Messages waiting for Open311, kept in Redis (through ``Store``) until it accepts them."""

    def __init__(self, store: Store, client: CaseClient) -> None:
        self.store = store
        self.client = client

    async def pending(self) -> int:
        return await self.store.outbox_length()

    async def flush(self) -> dict[str, str]:
        """Send what is waiting, oldest first, until Open311 fails. Returns the references
        of what was sent, by entry key (``conversation_id:client_id``)."""
        # One sender at a time across relay processes, or a message could become two cases.
        token = secrets.token_hex(8)
        if not await self.store.outbox_lock(token):
            return {}
        try:
            return await self._send_waiting(token)
        finally:
            await self.store.outbox_unlock(token)

    async def _send_waiting(self, token: str) -> dict[str, str]:
        sent: dict[str, str] = {}
        while True:
            raw = await self.store.outbox_first()
            if raw is None:
                return sent
            message = json.loads(raw)
            try:
                reference = await self.client.create(message)
            except CaseRejectedError as exc:
                # Never let one bad message hold up the ones behind it; keep it for a person.
                log.error(
                    "outbox: Open311 refused a message left in %s; moved to %s (%s)",
                    message.get("conversation_id"),
                    self.store.key("outbox", "rejected"),
                    exc,
                )
                await self.store.outbox_reject(raw, str(exc))
                continue
            except CaseError as exc:
                log.warning("outbox: %d message(s) still waiting for Open311 (%s)", await self.pending(), exc)
                return sent
            await self.store.outbox_done(raw)
            sent[message.get("key", "")] = reference
            if not await self.store.outbox_keep_lock(token):  # still ours: keep it while we work
                return sent

    async def run(self, every: float = 60.0) -> None:
        while True:
            await asyncio.sleep(every)
            try:
                await self.flush()
            except RedisError:
                pass
