"""/ws/advisor: an advisor's console. Frames are in contracts/relay/advisor_*.schema.json."""

from __future__ import annotations

import asyncio
import logging
import secrets

from aiohttp import web
from redis.exceptions import RedisError

from live_handoff import admission, frame_loop, frames, texts
from live_handoff.http_api import client_address
from live_handoff.hub import Peer
from live_handoff.keys import HUB, METRICS, RELAY, SETTINGS, SOCKETS, STORE
from live_handoff.origins import origin_allowed
from live_handoff.ratelimit import TokenBucket
from live_handoff.rooms import Relay
from live_handoff.sessions import COOKIE, current_user
from live_handoff.settings import Settings

log = logging.getLogger(__name__)

CLOSE_NOT_LOGGED_IN = 4401
CLOSE_ORIGIN = 4403
ONLINE_SECONDS = 60
SESSION_CHECK_SECONDS = 20


def rules(settings: Settings) -> frame_loop.Rules:
    bucket = TokenBucket(settings.messages_per_minute * 4 / 60.0, settings.burst * 4)
    return frame_loop.Rules(
        schema="advisor_client",
        max_text_chars=settings.max_text_chars,
        wait=lambda _: bucket.take(),
        give_back=lambda _: bucket.give_back(),
        too_fast=lambda _: "Too many frames; slow down.",
        unavailable="The relay cannot reach its storage; that was not done. Try again shortly.",
        internal="Something went wrong on the relay; that was not done.",
        name_conversation=True,
    )


async def advisor_socket(request: web.Request) -> web.WebSocketResponse:
    ws = web.WebSocketResponse(heartbeat=20.0, max_msg_size=request.app[SETTINGS].max_frame_bytes)
    await ws.prepare(request)
    peer = await _admitted(request, ws)
    if peer is None:
        return ws
    peer.address = client_address(request)
    async with admission.socket_slot(request, ws, peer.address) as admitted:
        if admitted:
            await _serve(request, ws, peer)
    return ws


async def _serve(request: web.Request, ws: web.WebSocketResponse, peer: Peer) -> None:
    settings, store = request.app[SETTINGS], request.app[STORE]
    relay, hub, metrics = request.app[RELAY], request.app[HUB], request.app[METRICS]
    request.app[SOCKETS].add(ws)
    hub.add_advisor(peer)
    metrics.connections.labels("advisor").inc()
    heartbeat = asyncio.create_task(_stay_online(request, peer))

    async def still_logged_in(_: frame_loop.Frame) -> bool:
        if await current_user(request) is not None:
            return True
        await peer.send(frames.error("not_allowed", "Your session has expired. Please log in again."))
        await ws.close(code=CLOSE_NOT_LOGGED_IN, message=b"session expired")
        return False

    try:
        await store.mark_online(peer.username, peer.connection, ONLINE_SECONDS)
        await relay.advisors.welcome(peer, await store.advisor(peer.username) or {})
        await store.notify_queue()
        await frame_loop.run(
            ws, peer, rules(settings), lambda frame: handle(relay, peer, frame), metrics, admit=still_logged_in
        )
    finally:
        heartbeat.cancel()
        hub.remove_advisor(peer)
        request.app[SOCKETS].discard(ws)
        metrics.connections.labels("advisor").dec()
        try:
            await store.mark_offline(peer.username, peer.connection)
            await store.notify_queue()
        except (RedisError, RuntimeError, ConnectionError):
            pass  # Redis away or the relay shutting down: the online entry expires by itself


async def _admitted(request: web.Request, ws: web.WebSocketResponse) -> Peer | None:
    """The console's connection, or None (told why, and closed): wrong origin, not an advisor."""
    probe = Peer(ws, "advisor")
    if not origin_allowed(request, request.app[SETTINGS].allowed_origins, request.app[SETTINGS].trusted_proxies):
        await probe.send(frames.error("not_allowed", "Open the console from the relay's own address."))
        await ws.close(code=CLOSE_ORIGIN, message=b"origin not allowed")
        return None
    user = await current_user(request)
    if user is None or "advisor" not in user["roles"].split(","):
        await probe.send(frames.error("not_allowed", "Please log in as an advisor."))
        await ws.close(code=CLOSE_NOT_LOGGED_IN, message=b"not logged in")
        return None
    peer = Peer(ws, "advisor", user["username"], transport=request.transport)
    peer.connection = secrets.token_hex(8)
    peer.session = request.cookies.get(COOKIE, "")
    return peer


async def _stay_online(request: web.Request, peer: Peer) -> None:
    """Keep the advisor counted as online while their session lasts; an expired, ended or
    removed session closes the console within SESSION_CHECK_SECONDS."""
    store = request.app[STORE]
    while True:
        await asyncio.sleep(SESSION_CHECK_SECONDS)
        try:
            if await current_user(request) is None:
                await peer.send(frames.error("not_allowed", texts.SESSION_ENDED))
                await peer.ws.close(code=CLOSE_NOT_LOGGED_IN, message=b"session ended")
                return
            await store.mark_online(peer.username, peer.connection, ONLINE_SECONDS)
        except RedisError:
            pass


async def handle(relay: Relay, peer: Peer, frame: frame_loop.Frame) -> None:
    """One checked frame from a console (pings are answered by the frame loop)."""
    advisors, kind, cid = relay.advisors, frame["type"], frame.get("conversation_id", "")
    if kind == "presence":
        await advisors.set_presence(peer, frame["status"])
    elif kind == "open":
        await advisors.open(peer, cid, frame.get("last_seen", "0-0"))
    elif kind == "claim":
        await advisors.claim(peer, cid)
    elif kind == "message":
        await advisors.message(peer, frame)
    elif kind == "note":
        await advisors.note(peer, frame)
    elif kind == "typing":
        await advisors.typing(peer, cid, frame["active"])
    elif kind == "transfer":
        await advisors.transfer(peer, cid, frame["to"])
    elif kind == "handback":
        await advisors.handback(peer, cid)
    elif kind == "close":
        await advisors.close(peer, cid)
