"""What every part of ``Store`` shares: the Redis client, key names, channels and
notifications, and the small types its methods return. See ``store.py`` for the keys."""

from __future__ import annotations

import contextlib
import hashlib
import json
import secrets
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from live_handoff.store_scripts import APPEND, RELEASE, SET_ASIDE, TRANSITION


def connect_redis(url: str) -> Redis:
    """A client that rides out a Redis restart: a command on a dropped connection is
    retried on a new one (appends are idempotent by client id; Lua scripts are atomic)."""
    return Redis.from_url(
        url,
        decode_responses=True,
        health_check_interval=15,
        socket_connect_timeout=2,
        socket_keepalive=True,
        retry=Retry(ExponentialBackoff(cap=1.0, base=0.05), 4),
        retry_on_error=[RedisConnectionError, RedisTimeoutError, OSError],
    )


class TransitionError(Exception):
    """A mode change that could not happen; ``code`` is a contract error code."""

    def __init__(self, code: str, mode: str | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.mode = mode


@dataclass(frozen=True)
class LoggedEvent:
    id: str
    event: dict[str, Any]
    audience: str


def now_ms() -> int:
    return int(time.time() * 1000)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_conversation_id() -> str:
    return "c_" + secrets.token_urlsafe(16)  # 22 characters, 128 bits


class Subscription:
    """This process's subscription to the relay's channels (``StoreBase.subscription``)."""

    def __init__(self, pubsub) -> None:
        self._pubsub = pubsub

    async def next(self, timeout: float) -> tuple[str, str] | None:
        """The next notification as (channel, data), or None after ``timeout`` seconds."""
        message = await self._pubsub.get_message(timeout=timeout)
        if message and message.get("type") == "message":
            return message["channel"], message["data"]
        return None


class StoreBase:
    """The Redis client (passed in, not built here), key names and channels."""

    def __init__(self, redis: Redis, prefix: str = "fd", retention_seconds: int = 90 * 86_400) -> None:
        self.redis = redis
        self.p = prefix
        self.ttl = retention_seconds
        self._append = redis.register_script(APPEND)
        self._transition = redis.register_script(TRANSITION)
        self._release = redis.register_script(RELEASE)
        self._set_aside = redis.register_script(SET_ASIDE)
        self.conv_channel = f"{prefix}:pub:conv"
        self.typing_channel = f"{prefix}:pub:typing"
        self.queue_channel = f"{prefix}:pub:queue"
        self.advisor_channel = f"{prefix}:pub:advisor"
        self.session_channel = f"{prefix}:pub:session"
        self.queue_key = f"{prefix}:queue"

    def key(self, *parts: str) -> str:
        return ":".join((self.p, *parts))

    @property
    def channels(self) -> tuple[str, ...]:
        return (self.conv_channel, self.typing_channel, self.queue_channel, self.advisor_channel, self.session_channel)

    async def ping(self) -> bool:
        return bool(await self.redis.ping())

    @contextlib.asynccontextmanager
    async def subscription(self) -> AsyncIterator[Subscription]:
        """Subscribed to every channel of the relay until the block ends."""
        pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
        try:
            await pubsub.subscribe(*self.channels)
            yield Subscription(pubsub)
        finally:
            with contextlib.suppress(RedisError, ConnectionError, OSError):
                await pubsub.reset()

    async def notify_queue(self) -> None:
        await self.redis.publish(self.queue_channel, "changed")

    async def notify_advisor(self, username: str) -> None:
        """The advisor's own chats changed."""
        await self.redis.publish(self.advisor_channel, username)

    async def notify_session_ended(self, username: str) -> None:
        """One or all of the advisor's sessions ended: consoles using an ended one close."""
        await self.redis.publish(self.session_channel, username)

    async def publish_typing(self, cid: str, who: str, active: bool) -> None:
        await self.redis.publish(self.typing_channel, json.dumps({"cid": cid, "from": who, "active": active}))
