"""The photo records in Redis: which conversation a photo belongs to, whether it went with
a case, and the secret its public address carries.

Keys (under the relay's prefix): ``photo:{id}`` (a hash), ``photos:{cid}`` (the
conversation's photos not yet sent with a report, in the order added) and
``photo_public:{secret}`` (the photo id). A photo not yet sent with a report expires with
its records after ``PHOTOS_PENDING_MINUTES``, a photo sent with a case after the relay's
retention (``RELAY_RETENTION_DAYS``); the sweeper then deletes its files.
"""

from __future__ import annotations

import secrets
from typing import Any

from redis.asyncio import Redis


def new_id() -> str:
    """A photo id: 128 random bits, URL-safe."""
    return "p_" + secrets.token_urlsafe(16)


class PhotoRecords:
    """The photo records of one relay (its Redis and key prefix)."""

    def __init__(self, redis: Redis, prefix: str) -> None:
        self.redis, self.prefix = redis, prefix

    def _key(self, *parts: str) -> str:
        return ":".join((self.prefix, *parts))

    async def add(
        self, cid: str, pid: str, fields: dict[str, Any], base_url: str, limit: int, ttl_seconds: int
    ) -> int | None:
        """Record a new photo for ``cid``; its number (1, 2...) or None when ``limit``
        photos are already waiting to go with a report. Its public address (``url``) is
        ``base_url``/photos/<secret>.<ext>."""
        pending = self._key("photos", cid)
        number = int(await self.redis.rpush(pending, pid))
        if number > limit:
            await self.redis.lrem(pending, -1, pid)
            return None
        public = secrets.token_urlsafe(24)
        async with self.redis.pipeline(transaction=True) as pipe:
            url = f"{base_url}/photos/{public}.{fields['ext']}"
            pipe.hset(self._key("photo", pid), mapping={**fields, "cid": cid, "public": public, "url": url})
            pipe.expire(self._key("photo", pid), ttl_seconds)
            pipe.set(self._key("photo_public", public), pid, ex=ttl_seconds)
            pipe.expire(pending, ttl_seconds)
            await pipe.execute()
        return number

    async def get(self, pid: str) -> dict[str, str] | None:
        found = await self.redis.hgetall(self._key("photo", pid))
        return found or None

    async def by_public(self, secret: str) -> dict[str, str] | None:
        pid = await self.redis.get(self._key("photo_public", secret))
        record = await self.get(pid) if pid else None
        return {**record, "id": pid} if record and pid else None

    async def pending(self, cid: str) -> list[dict[str, str]]:
        """The conversation's photos not yet sent with a report, oldest first."""
        out = []
        for pid in await self.redis.lrange(self._key("photos", cid), 0, -1):
            record = await self.get(pid)
            if record:
                out.append({**record, "id": pid})
        return out

    async def remove(self, pid: str) -> dict[str, str] | None:
        record = await self.get(pid)
        if record is None:
            return None
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.delete(self._key("photo", pid), self._key("photo_public", record.get("public", "")))
            pipe.lrem(self._key("photos", record["cid"]), 0, pid)
            await pipe.execute()
        return record

    async def attach(self, cid: str, pids: list[str], reference: str, keep_seconds: int) -> list[str]:
        """Mark the photos sent with case ``reference``: kept ``keep_seconds`` from now (the
        relay's retention, like the rest of the conversation; the case system copies what it
        needs from ``media_url``) and listed under the conversation's sent photos.

        Returns:
            The ids attached; ids of another conversation, unknown or already sent are ignored.
        """
        attached = []
        for pid in pids:
            record = await self.get(str(pid))
            if not record or record.get("cid") != cid or record.get("case"):
                continue
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.hset(self._key("photo", pid), "case", reference)
                pipe.expire(self._key("photo", pid), keep_seconds)
                pipe.expire(self._key("photo_public", record["public"]), keep_seconds)
                pipe.lrem(self._key("photos", cid), 0, pid)
                pipe.rpush(self._key("photos_sent", cid), pid)
                pipe.expire(self._key("photos_sent", cid), keep_seconds)
                await pipe.execute()
            attached.append(str(pid))
        return attached

    async def sent(self, cid: str) -> list[dict[str, str]]:
        """Photos the conversation sent with its cases, oldest first."""
        out = []
        for pid in await self.redis.lrange(self._key("photos_sent", cid), 0, -1):
            record = await self.get(pid)
            if record:
                out.append({**record, "id": pid})
        return out

    async def forget(self, cids: list[str]) -> int:
        """Delete every photo record of these conversations (erasure); the sweeper then
        deletes their files once they are older than a waiting photo may be. Returns how
        many photos were forgotten."""
        forgotten = 0
        for cid in cids:
            pids = [
                *await self.redis.lrange(self._key("photos", cid), 0, -1),
                *await self.redis.lrange(self._key("photos_sent", cid), 0, -1),
            ]
            for pid in pids:
                forgotten += int(await self.remove(pid) is not None)
            await self.redis.delete(self._key("photos", cid), self._key("photos_sent", cid))
        return forgotten

    async def known(self, pid: str) -> bool:
        return bool(await self.redis.exists(self._key("photo", pid)))


def for_bot(pending: list[dict[str, str]]) -> dict[str, Any]:
    """What the bot's metadata carries: the photos waiting to go with the report."""
    if not pending:
        return {}
    return {"photos": [{"id": p["id"], "url": p["url"]} for p in pending]}


def describe(record: dict[str, str]) -> dict[str, Any]:
    """A photo as the API shows it (never its public secret)."""
    return {
        "id": record["id"],
        "format": record.get("format", ""),
        "width": int(record.get("width", 0)),
        "height": int(record.get("height", 0)),
        "bytes": int(record.get("bytes", 0)),
        "added_at": record.get("at", ""),
        **({"case": record["case"]} if record.get("case") else {}),
    }
