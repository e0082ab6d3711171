"""/ws/resident: one resident's widget. Frames are in contracts/relay/resident_*.schema.json."""

from __future__ import annotations

import asyncio
import logging

from aiohttp import WSCloseCode, WSMsgType, web
from redis.exceptions import RedisError

from live_handoff.keys import HUB, METRICS, RELAY, SETTINGS, SOCKETS
from live_handoff.hub import Peer
from live_handoff.origins import origin_allowed
from live_handoff.protocol import FrameError, parse
from live_handoff.ratelimit import TokenBucket

log = logging.getLogger(__name__)

CLOSE_ORIGIN = 4403
CLOSE_HELLO_TIMEOUT = 4408


async def resident_socket(request: web.Request) -> web.WebSocketResponse:
    settings = request.app[SETTINGS]
    relay, hub, metrics = request.app[RELAY], request.app[HUB], request.app[METRICS]
    ws = web.WebSocketResponse(heartbeat=20.0, max_msg_size=settings.max_frame_bytes)
    await ws.prepare(request)
    peer = Peer(ws, "resident", transport=request.transport)
    if not origin_allowed(request, settings.allowed_origins):
        metrics.errors.labels("origin").inc()
        await peer.send({"type": "error", "code": "not_allowed",
                         "message": "This website is not allowed to open the chat."})
        await ws.close(code=CLOSE_ORIGIN, message=b"origin not allowed")
        return ws
    request.app[SOCKETS].add(ws)
    metrics.connections.labels("resident").inc()
    bucket = TokenBucket(settings.messages_per_minute / 60.0, settings.burst)
    # Typing and pings have their own allowance, so a chatty widget never costs a message.
    light = TokenBucket(1.0, 10)
    try:
        if not await _hello(ws, peer, relay, settings.hello_timeout_seconds, metrics):
            return ws
        async for msg in ws:
            if msg.type == WSMsgType.BINARY:
                await peer.send({"type": "error", "code": "bad_json", "message": "Frames must be text (JSON)."})
                continue
            if msg.type != WSMsgType.TEXT:
                break
            wait = 0.0
            try:
                frame = parse(msg.data, "resident_client", settings.max_text_chars)
                wait = (light if frame["type"] in ("ping", "typing") else bucket).take()
                if wait:
                    raise FrameError("rate_limited", f"You're sending messages too quickly. Try again in "
                                     f"{max(1, round(wait))} seconds.", frame.get("client_id"))
                if frame["type"] == "ping":
                    await peer.send({"type": "pong"})
                    continue
                await _handle(relay, peer, frame)
            except FrameError as exc:
                metrics.errors.labels(exc.code).inc()
                error = exc.frame()
                if exc.code == "rate_limited":
                    error["retry_after"] = round(max(wait, 0.1), 2)
                await peer.send(error)
            except RedisError as exc:
                log.error("Redis unavailable while handling a resident frame: %s", type(exc).__name__)
                metrics.errors.labels("unavailable").inc()
                await peer.send({"type": "error", "code": "unavailable",
                                 "message": "Sorry, the chat is having problems. Your last message was not "
                                            "saved: please send it again in a moment."})
            except Exception:  # noqa: BLE001 - a bug must cost one frame, not the conversation
                log.exception("unexpected error on a resident frame in %s", peer.conversation_id)
                metrics.errors.labels("internal").inc()
                await peer.send({"type": "error", "code": "internal",
                                 "message": "Sorry, something went wrong on our side. Please try again."})
        if ws.exception() is not None:
            log.info("resident socket closed: %s", ws.exception())
    finally:
        hub.unfollow(peer)
        request.app[SOCKETS].discard(ws)
        metrics.connections.labels("resident").dec()
    return ws


async def _hello(ws: web.WebSocketResponse, peer: Peer, relay, timeout: float, metrics) -> bool:
    """Wait for a valid hello; errors get an error frame and another chance until the timeout."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    attempts = 0
    while True:
        attempts += 1
        if attempts > 5:  # a client that cannot say hello after five tries is not a widget
            await ws.close(code=CLOSE_HELLO_TIMEOUT, message=b"no valid hello")
            return False
        try:
            msg = await ws.receive(timeout=max(0.01, deadline - loop.time()))
        except asyncio.TimeoutError:
            await peer.send({"type": "error", "code": "hello_first", "message": "Start with a hello frame."})
            await ws.close(code=CLOSE_HELLO_TIMEOUT, message=b"no hello")
            return False
        if msg.type == WSMsgType.BINARY:
            await peer.send({"type": "error", "code": "bad_json", "message": "Frames must be text (JSON)."})
            continue
        if msg.type != WSMsgType.TEXT:
            return False
        try:
            frame = parse(msg.data, "resident_client")
            if frame["type"] != "hello":
                raise FrameError("hello_first", "Start with a hello frame.", frame.get("client_id"))
            await relay.resident_hello(peer, frame)
            return True
        except FrameError as exc:
            metrics.errors.labels(exc.code).inc()
            await peer.send(exc.frame())
        except RedisError:
            await peer.send({"type": "error", "code": "unavailable",
                             "message": "Sorry, the chat is not available right now. Please try again shortly."})
            await ws.close(code=WSCloseCode.TRY_AGAIN_LATER, message=b"storage unavailable")
            return False


async def _handle(relay, peer: Peer, frame: dict) -> None:
    cid = peer.conversation_id
    kind = frame["type"]
    if kind == "hello":
        raise FrameError("invalid", "Already said hello on this connection.")
    if kind == "message":
        await relay.resident_message(peer, frame)
        return
    if kind == "typing":
        await relay.resident_typing(cid, frame["active"])
        return
    if kind == "leave_message":
        await relay.leave_message(peer, frame)
        return
    if kind == "request_advisor":
        await relay.request_advisor(cid, None, None, None)
    elif kind == "cancel_wait":
        await relay.cancel_wait(cid)
    elif kind == "retry":
        await relay.retry(cid)
    elif kind == "end_chat":
        await relay.end_chat(cid, frame.get("reason", "resident"))
    elif kind == "rating":
        await relay.rate(cid, frame["score"], frame.get("comment", ""))
    if frame.get("client_id"):
        await peer.send({"type": "ack", "client_id": frame["client_id"]})
