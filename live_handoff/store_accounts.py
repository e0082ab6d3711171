"""Advisors' accounts, who is online, sessions and failed logins in Redis (part of ``Store``)."""

from __future__ import annotations

import secrets

from live_handoff.store_base import StoreBase, now_ms, token_hash


class AccountStore(StoreBase):
    """Advisors, editors and managers: accounts, consoles online, sessions, logins."""

    # Advisors ---------------------------------------------------------------------

    async def save_advisor(self, username: str, name: str, password_hash: str, roles: str, capacity: int) -> None:
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(
                self.key("advisor", username),
                mapping={
                    "name": name,
                    "password": password_hash,
                    "roles": roles,
                    "capacity": capacity,
                    "presence": "away",
                },
            )
            pipe.sadd(self.key("advisors"), username)
            await pipe.execute()

    async def advisor(self, username: str) -> dict[str, str] | None:
        found = await self.redis.hgetall(self.key("advisor", username))
        return found or None

    async def advisors(self) -> list[str]:
        return sorted(await self.redis.smembers(self.key("advisors")))

    async def remove_advisor(self, username: str) -> bool:
        await self.end_all_sessions(username)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.delete(self.key("advisor", username))
            pipe.srem(self.key("advisors"), username)
            removed = await pipe.execute()
        return bool(removed[1])

    async def set_advisor_field(self, username: str, **fields: str) -> None:
        await self.redis.hset(self.key("advisor", username), mapping=fields)

    async def chats(self, username: str) -> list[str]:
        return sorted(await self.redis.smembers(self.key("chats", username)))

    async def mark_online(self, username: str, connection: str, seconds: int = 60) -> None:
        """One entry per open console, so closing one of two consoles keeps the advisor online."""
        key = self.key("online", username)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.zadd(key, {connection: now_ms() + seconds * 1000})
            pipe.expire(key, seconds)
            await pipe.execute()

    async def mark_offline(self, username: str, connection: str) -> None:
        await self.redis.zrem(self.key("online", username), connection)

    async def is_online(self, username: str) -> bool:
        return bool(await self.redis.zcount(self.key("online", username), now_ms(), "+inf"))

    async def available_advisors(self) -> list[tuple[str, int, int]]:
        """(username, capacity, chats) of advisors online and available."""
        users = await self.advisors()
        if not users:
            return []
        async with self.redis.pipeline(transaction=False) as pipe:
            for user in users:
                pipe.zcount(self.key("online", user), now_ms(), "+inf")
                pipe.hmget(self.key("advisor", user), "presence", "capacity")
                pipe.scard(self.key("chats", user))
            rows = await pipe.execute()
        out = []
        for i, user in enumerate(users):
            online, (presence, capacity), chats = rows[3 * i : 3 * i + 3]
            if online and presence == "available":
                out.append((user, int(capacity or 1), int(chats)))
        return out

    # Sessions and logins ----------------------------------------------------------

    async def new_session(self, username: str, seconds: int) -> tuple[str, str]:
        sid, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        key = self.key("session", token_hash(sid))
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(key, mapping={"user": username, "csrf": csrf})
            pipe.expire(key, seconds)
            pipe.sadd(self.key("sessions", username), key)  # so a password change ends them all
            pipe.expire(self.key("sessions", username), 30 * 86_400)
            await pipe.execute()
        return sid, csrf

    async def end_all_sessions(self, username: str) -> None:
        keys = await self.redis.smembers(self.key("sessions", username))
        if keys:
            await self.redis.delete(*keys)
        await self.redis.delete(self.key("sessions", username))
        await self.notify_session_ended(username)

    async def session(self, sid: str, seconds: int) -> dict[str, str] | None:
        """The session, its expiry pushed back (sessions expire after ``seconds`` unused)."""
        key = self.key("session", token_hash(sid))
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hgetall(key)
            pipe.expire(key, seconds)
            found, _ = await pipe.execute()
        return found or None

    async def end_session(self, sid: str) -> None:
        await self.redis.delete(self.key("session", token_hash(sid)))

    async def session_exists(self, sid: str) -> bool:
        return bool(await self.redis.exists(self.key("session", token_hash(sid))))

    async def count_failed_login(self, username: str, window: int = 900) -> int:
        key = self.key("login_failures", username)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.incr(key)
            pipe.expire(key, window)
            count, _ = await pipe.execute()
        return int(count)

    async def failed_logins(self, username: str) -> int:
        return int(await self.redis.get(self.key("login_failures", username)) or 0)

    async def clear_failed_logins(self, username: str) -> None:
        await self.redis.delete(self.key("login_failures", username))
