"""Delivery inside one relay process: who is connected here, and what they should see.

Every logged event is announced on Redis pub/sub ("cid id"); each process wakes the
feeds of its own connections, and each feed reads the log from the last id it sent.
So the order is the log's order, a reconnecting client gets exactly the gap, and a
notification lost while Redis was away is made good by the next wake-up.

News about the queue, advisors' chats and ended sessions goes into ``Hub.news`` (a
``news.NewsChannel``) for the rooms to act on; the hub itself never calls back into them.
"""

from __future__ import annotations

import asyncio
import json
import logging
import weakref
from collections import defaultdict
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from aiohttp import web
from redis.exceptions import RedisError

from live_handoff.news import ChatsChanged, NewsChannel, QueueChanged, SessionEnded
from live_handoff.store import Store

log = logging.getLogger(__name__)


class Peer:
    """One websocket connection, resident or advisor."""

    SEND_TIMEOUT = 2.0

    def __init__(self, ws: web.WebSocketResponse, role: str, username: str = "", transport=None) -> None:
        self.ws = ws
        self.transport = transport
        self.role = role  # "resident" | "advisor"
        self.username = username
        self.conversation_id = ""
        self.connection = ""
        self.session = ""  # an advisor's session id, to close the console when it ends
        self.page = ""  # a resident's page (without its query), for the bot's metadata
        self.address = ""  # the client's address (http_api.client_address), for limits per address

    @property
    def closed(self) -> bool:
        return self.ws.closed

    async def send(self, frame: Mapping[str, Any]) -> bool:
        """Send a frame; False if the socket has gone (its owner cleans up)."""
        if self.ws.closed:
            return False
        try:
            await asyncio.wait_for(self.ws.send_str(json.dumps(frame, ensure_ascii=False)), self.SEND_TIMEOUT)
            return True
        except asyncio.TimeoutError:
            # A client that stops reading must not hold up anyone else: drop it; it
            # reconnects and gets what it missed from the log.
            log.info("dropping a %s connection that stopped reading", self.role)
            if self.transport is not None:
                self.transport.abort()
            return False
        except (ConnectionResetError, RuntimeError):
            return False


class Feed:
    """Streams one conversation's log to one peer, in order, each event once."""

    BATCH = 200

    def __init__(
        self, store: Store, peer: Peer, cid: str, last_sent: str, allowed: Callable[[], Awaitable[bool]] | None = None
    ) -> None:
        self.store = store
        self.peer = peer
        self.cid = cid
        self.last_sent = last_sent
        self.allowed = allowed  # asked before each batch; False ends the feed for good
        self._wake = asyncio.Event()
        self._task = asyncio.create_task(self._pump())

    def kick(self) -> None:
        self._wake.set()

    @property
    def ended(self) -> bool:
        return self._task.done()

    def close(self) -> None:
        self._task.cancel()

    async def _pump(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            try:
                while True:
                    if self.allowed is not None and not await self.allowed():
                        return
                    events = await self.store.events_after(self.cid, self.last_sent, self.BATCH)
                    for logged in events:
                        self.last_sent = logged.id
                        if logged.audience != "all" and self.peer.role == "resident":
                            continue
                        frame = {**logged.event, "id": logged.id}
                        if self.peer.role == "advisor":
                            frame["conversation_id"] = self.cid
                        if not await self.peer.send(frame):
                            return
                    if len(events) < self.BATCH:
                        break
            except RedisError as exc:
                log.warning("feed %s: Redis unavailable (%s); retrying", self.cid, type(exc).__name__)
                await asyncio.sleep(0.5)
                self._wake.set()
            except (ValueError, KeyError):
                log.exception("feed %s: unreadable log entry after %s; skipped", self.cid, self.last_sent)


class Hub:
    """This process's connections and its subscription to the other processes' news."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.feeds: dict[str, set[Feed]] = defaultdict(set)
        self.advisors: dict[str, weakref.WeakSet[Peer]] = defaultdict(weakref.WeakSet)
        self.news = NewsChannel()
        self.connected = asyncio.Event()

    # Local registrations --------------------------------------------------------

    def follow(
        self, peer: Peer, cid: str, last_sent: str, allowed: Callable[[], Awaitable[bool]] | None = None
    ) -> Feed:
        """Start streaming ``cid`` to ``peer`` from after ``last_sent``; replaces an older feed.
        ``allowed`` (advisors) is asked before each batch: a peer who may no longer read
        the conversation gets nothing more."""
        self.unfollow(peer, cid)
        feed = Feed(self.store, peer, cid, last_sent, allowed)
        self.feeds[cid].add(feed)
        feed.kick()
        return feed

    def follows(self, peer: Peer, cid: str) -> bool:
        return any(f.peer is peer and not f.ended for f in self.feeds.get(cid, ()))

    def unfollow(self, peer: Peer, cid: str | None = None) -> None:
        for conversation in [cid] if cid else list(self.feeds):
            for feed in [f for f in self.feeds.get(conversation, ()) if f.peer is peer]:
                feed.close()
                self.feeds[conversation].discard(feed)
            if conversation in self.feeds and not self.feeds[conversation]:
                del self.feeds[conversation]

    def peers(self, cid: str, role: str | None = None) -> list[Peer]:
        # A feed that ended (its reader may no longer see the chat) gets no typing either.
        return [f.peer for f in self.feeds.get(cid, ()) if not f.ended and (role is None or f.peer.role == role)]

    def resident_conversations(self) -> list[str]:
        return [cid for cid, feeds in self.feeds.items() if any(f.peer.role == "resident" for f in feeds)]

    def add_advisor(self, peer: Peer) -> None:
        self.advisors[peer.username].add(peer)

    def remove_advisor(self, peer: Peer) -> None:
        self.unfollow(peer)
        self.advisors[peer.username].discard(peer)
        if not self.advisors[peer.username]:
            del self.advisors[peer.username]

    def advisor_peers(self, username: str | None = None) -> list[Peer]:
        if username is not None:
            return list(self.advisors.get(username, ()))
        return [p for group in self.advisors.values() for p in group]

    def kick_all(self) -> None:
        for feeds in self.feeds.values():
            for feed in feeds:
                feed.kick()

    # Cross-process news --------------------------------------------------------

    def _dispatch(self, channel: str, data: str) -> None:
        if channel == self.store.conv_channel:
            cid = data.split(" ", 1)[0]
            for feed in self.feeds.get(cid, ()):
                feed.kick()
        elif channel == self.store.typing_channel:
            self._typing(json.loads(data))
        elif channel == self.store.queue_channel:
            self.news.put(QueueChanged())
        elif channel == self.store.advisor_channel:
            self.news.put(ChatsChanged(data))
        elif channel == self.store.session_channel:
            self.news.put(SessionEnded(data))

    def _typing(self, news: dict[str, Any]) -> None:
        for peer in self.peers(news["cid"]):
            if peer.role == news["from"] or (peer.role == "advisor" and news["from"] == "bot"):
                continue
            frame = {"type": "typing", "from": news["from"], "active": bool(news["active"])}
            if peer.role == "advisor":
                frame["conversation_id"] = news["cid"]
            asyncio.create_task(peer.send(frame))  # never wait on one client here

    async def close(self) -> None:
        """Stop this process's background delivery (on shutdown, before Redis closes)."""
        self.news.close()
        tasks = [f._task for feeds in self.feeds.values() for f in feeds]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def listen(self) -> None:
        """Follow the channels for ever, resubscribing after Redis restarts."""
        delay = 0.2
        while True:
            try:
                async with self.store.subscription() as subscription:
                    self.connected.set()
                    delay = 0.2
                    # Whatever happened while we were not listening is in the log: catch up.
                    self.kick_all()
                    self.news.put(QueueChanged())
                    while True:
                        notification = await subscription.next(timeout=5.0)
                        if notification is None:
                            continue
                        try:
                            self._dispatch(*notification)
                        except (ValueError, KeyError):
                            log.warning("ignored a malformed notification on %s", notification[0])
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - Redis errors and anything else: keep delivering
                self.connected.clear()
                log.warning("lost the Redis subscription (%s); reconnecting in %.1f s", type(exc).__name__, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
