"""/ws/advisor: an advisor's console. Frames are in contracts/relay/advisor_*.schema.json."""

from __future__ import annotations

import asyncio
import logging
import secrets

from aiohttp import WSMsgType, web
from redis.exceptions import RedisError

from live_handoff.hub import Peer
from live_handoff.keys import HUB, METRICS, RELAY, SETTINGS, SOCKETS, STORE
from live_handoff.origins import origin_allowed
from live_handoff.protocol import FrameError, parse
from live_handoff.ratelimit import TokenBucket
from live_handoff.sessions import COOKIE, current_user

log = logging.getLogger(__name__)

CLOSE_NOT_LOGGED_IN = 4401
CLOSE_ORIGIN = 4403
ONLINE_SECONDS = 60
SESSION_CHECK_SECONDS = 20


async def advisor_socket(request: web.Request) -> web.WebSocketResponse:
    settings, store = request.app[SETTINGS], request.app[STORE]
    relay, hub, metrics = request.app[RELAY], request.app[HUB], request.app[METRICS]
    ws = web.WebSocketResponse(heartbeat=20.0, max_msg_size=settings.max_frame_bytes)
    await ws.prepare(request)
    probe = Peer(ws, "advisor")
    if not origin_allowed(request, settings.allowed_origins):
        await probe.send({"type": "error", "code": "not_allowed", "message": "Open the console from the relay's own address."})
        await ws.close(code=CLOSE_ORIGIN, message=b"origin not allowed")
        return ws
    user = await current_user(request)
    if user is None or "advisor" not in user["roles"].split(","):
        await probe.send({"type": "error", "code": "not_allowed", "message": "Please log in as an advisor."})
        await ws.close(code=CLOSE_NOT_LOGGED_IN, message=b"not logged in")
        return ws
    peer = Peer(ws, "advisor", user["username"], transport=request.transport)
    peer.connection = secrets.token_hex(8)
    peer.session = request.cookies.get(COOKIE, "")
    request.app[SOCKETS].add(ws)
    hub.add_advisor(peer)
    metrics.connections.labels("advisor").inc()
    heartbeat = asyncio.create_task(_stay_online(request, peer))
    bucket = TokenBucket(settings.messages_per_minute * 4 / 60.0, settings.burst * 4)
    try:
        await store.mark_online(peer.username, peer.connection, ONLINE_SECONDS)
        await relay.advisor_welcome(peer, await store.advisor(peer.username) or {})
        await store.notify_queue()
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                if msg.type == WSMsgType.BINARY:
                    await peer.send({"type": "error", "code": "bad_json", "message": "Frames must be text (JSON)."})
                    continue
                break
            try:
                frame = parse(msg.data, "advisor_client", settings.max_text_chars)
                wait = bucket.take()
                if wait:
                    error = FrameError("rate_limited", "Too many frames; slow down.", frame.get("client_id")).frame()
                    await peer.send({**error, "retry_after": round(max(wait, 0.1), 2)})
                    continue
                if frame["type"] == "ping":
                    await peer.send({"type": "pong"})
                    continue
                if await current_user(request) is None:
                    await peer.send({"type": "error", "code": "not_allowed", "message": "Your session has expired. Please log in again."})
                    await ws.close(code=CLOSE_NOT_LOGGED_IN, message=b"session expired")
                    break
                await _handle(relay, peer, frame)
            except FrameError as exc:
                metrics.errors.labels(exc.code).inc()
                error = exc.frame()
                if frame_cid := _cid(msg.data):
                    error["conversation_id"] = frame_cid
                await peer.send(error)
            except RedisError as exc:
                log.error("Redis unavailable while handling an advisor frame: %s", type(exc).__name__)
                await peer.send({"type": "error", "code": "unavailable",
                                 "message": "The relay cannot reach its storage; that was not done. Try again shortly."})
            except Exception:  # noqa: BLE001 - a bug must cost one frame, not the console
                log.exception("unexpected error on an advisor frame from %s", peer.username)
                await peer.send({"type": "error", "code": "internal",
                                 "message": "Something went wrong on the relay; that was not done."})
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
    return ws


def _cid(raw: str) -> str | None:
    import json
    import re
    try:
        value = json.loads(raw).get("conversation_id")
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, str) and re.fullmatch(r"c_[A-Za-z0-9_-]{22}", value) else None


async def _stay_online(request: web.Request, peer: Peer) -> None:
    """Keep the advisor counted as online while their session lasts; an expired, ended or
    removed session closes the console within SESSION_CHECK_SECONDS."""
    store = request.app[STORE]
    while True:
        await asyncio.sleep(SESSION_CHECK_SECONDS)
        try:
            if await current_user(request) is None:
                await peer.send({"type": "error", "code": "not_allowed",
                                 "message": "Your session has ended. Please log in again."})
                await peer.ws.close(code=CLOSE_NOT_LOGGED_IN, message=b"session ended")
                return
            await store.mark_online(peer.username, peer.connection, ONLINE_SECONDS)
        except RedisError:
            pass


async def _handle(relay, peer: Peer, frame: dict) -> None:
    kind = frame["type"]
    cid = frame.get("conversation_id", "")
    if kind == "presence":
        await relay.set_presence(peer, frame["status"])
    elif kind == "open":
        await relay.open_for_advisor(peer, cid, frame.get("last_seen", "0-0"))
    elif kind == "claim":
        await relay.claim(peer, cid)
    elif kind == "message":
        await relay.advisor_message(peer, frame)
    elif kind == "note":
        await relay.note(peer, frame)
    elif kind == "typing":
        await relay.advisor_typing(peer, cid, frame["active"])
    elif kind == "transfer":
        await relay.transfer(peer, cid, frame["to"])
    elif kind == "handback":
        await relay.handback(peer, cid)
    elif kind == "close":
        await relay.close(peer, cid)
