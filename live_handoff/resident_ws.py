"""/ws/resident: one resident's widget. Frames are in contracts/relay/resident_*.schema.json."""

from __future__ import annotations

import asyncio
import logging

from aiohttp import WSCloseCode, WSMsgType, web
from redis.exceptions import RedisError

from live_handoff import admission, frame_loop, frames, limits
from live_handoff.http_api import client_address
from live_handoff.hub import Peer
from live_handoff.keys import HUB, METRICS, RELAY, SETTINGS, SOCKETS, STORE
from live_handoff.metrics import Metrics
from live_handoff.origins import origin_allowed
from live_handoff.protocol import FrameError, parse
from live_handoff.ratelimit import TokenBucket
from live_handoff.rooms import Relay
from live_handoff.settings import Settings

log = logging.getLogger(__name__)

CLOSE_ORIGIN = 4403
CLOSE_HELLO_TIMEOUT = 4408
HELLO_ATTEMPTS = 5  # a client that cannot say hello after five tries is not a widget


def rules(settings: Settings) -> frame_loop.Rules:
    bucket = TokenBucket(settings.messages_per_minute / 60.0, settings.burst)
    # Typing and pings have their own allowance, so a chatty widget never costs a message.
    light = TokenBucket(1.0, 10)

    def bucket_for(frame: frame_loop.Frame) -> TokenBucket:
        return light if frame["type"] in ("ping", "typing") else bucket

    return frame_loop.Rules(
        schema="resident_client",
        max_text_chars=settings.max_text_chars,
        wait=lambda frame: bucket_for(frame).take(),
        give_back=lambda frame: bucket_for(frame).give_back(),
        too_fast=lambda wait: f"You're sending messages too quickly. Try again in {max(1, round(wait))} seconds.",
        unavailable="Sorry, the chat is having problems. Your last message was not saved: please send it again "
        "in a moment.",
        internal="Sorry, something went wrong on our side. Please try again.",
    )


async def resident_socket(request: web.Request) -> web.WebSocketResponse:
    settings, metrics = request.app[SETTINGS], request.app[METRICS]
    ws = web.WebSocketResponse(heartbeat=20.0, max_msg_size=settings.max_frame_bytes)
    await ws.prepare(request)
    peer = Peer(ws, "resident", transport=request.transport)
    if not origin_allowed(request, settings.allowed_origins, settings.trusted_proxies):
        metrics.errors.labels("origin").inc()
        await peer.send(frames.error("not_allowed", "This website is not allowed to open the chat."))
        await ws.close(code=CLOSE_ORIGIN, message=b"origin not allowed")
        return ws
    peer.address = client_address(request)
    async with admission.socket_slot(request, ws, peer.address) as admitted:
        if admitted:
            await _serve(request, ws, peer)
    return ws


async def _serve(request: web.Request, ws: web.WebSocketResponse, peer: Peer) -> None:
    settings, relay, metrics = request.app[SETTINGS], request.app[RELAY], request.app[METRICS]
    request.app[SOCKETS].add(ws)
    metrics.connections.labels("resident").inc()
    try:
        if await _hello(ws, peer, relay, settings.hello_timeout_seconds, metrics):
            await _frames(request, ws, peer)
        if ws.exception() is not None:
            log.info("resident socket closed: %s", ws.exception())
    finally:
        request.app[HUB].unfollow(peer)
        request.app[SOCKETS].discard(ws)
        metrics.connections.labels("resident").dec()


async def _frames(request: web.Request, ws: web.WebSocketResponse, peer: Peer) -> None:
    """After the hello: frames within the limits per address, until the socket closes or
    goes idle (``admission``)."""
    settings, relay, metrics = request.app[SETTINGS], request.app[RELAY], request.app[METRICS]

    async def mode() -> str | None:
        return (await request.app[STORE].conversation(peer.conversation_id) or {}).get("mode")

    watch = admission.IdleWatch(
        peer, settings.limits.idle_minutes * 60, mode, lambda: metrics.limited.labels(limits.IDLE).inc()
    )

    async def within_limits(frame: frame_loop.Frame) -> None:
        watch.touch()
        if not await admission.resident_frame_refused(request, peer, peer.address, frame):
            await handle(relay, peer, frame)

    try:
        await frame_loop.run(ws, peer, rules(settings), within_limits, metrics)
    finally:
        await watch.stop()


async def _hello(ws: web.WebSocketResponse, peer: Peer, relay: Relay, timeout: float, metrics: Metrics) -> bool:
    """Wait for a valid hello; errors get an error frame and another chance until the timeout."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    for _ in range(HELLO_ATTEMPTS):
        try:
            msg = await ws.receive(timeout=max(0.01, deadline - loop.time()))
        except asyncio.TimeoutError:
            await peer.send(frames.error("hello_first", "Start with a hello frame."))
            await ws.close(code=CLOSE_HELLO_TIMEOUT, message=b"no hello")
            return False
        if msg.type == WSMsgType.BINARY:
            await peer.send(frame_loop.NOT_TEXT)
            continue
        if msg.type != WSMsgType.TEXT:
            return False
        try:
            frame = parse(msg.data, "resident_client")
            if frame["type"] != "hello":
                raise FrameError("hello_first", "Start with a hello frame.", frame.get("client_id"))
            await relay.residents.hello(peer, frame)
            return True
        except FrameError as exc:
            metrics.errors.labels(exc.code).inc()
            await peer.send(exc.frame())
        except RedisError:
            await peer.send(
                frames.error("unavailable", "Sorry, the chat is not available right now. Please try again shortly.")
            )
            await ws.close(code=WSCloseCode.TRY_AGAIN_LATER, message=b"storage unavailable")
            return False
        except Exception:  # noqa: BLE001 - as in the frame loop: a bug costs one try, never a silent drop
            log.exception("unexpected error on a resident's hello")
            metrics.errors.labels("internal").inc()
            await peer.send(frames.error("internal", "Sorry, something went wrong on our side. Please try again."))
    await ws.close(code=CLOSE_HELLO_TIMEOUT, message=b"no valid hello")
    return False


async def handle(relay: Relay, peer: Peer, frame: frame_loop.Frame) -> None:
    """One checked frame after the hello; frames that log nothing are acknowledged here."""
    cid = peer.conversation_id
    kind = frame["type"]
    if kind == "hello":
        raise FrameError("invalid", "Already said hello on this connection.")
    if kind == "message":
        await relay.residents.message(peer, frame)
        return
    if kind == "typing":
        await relay.residents.typing(cid, frame["active"])
        return
    if kind == "leave_message":
        await relay.residents.leave_message(peer, frame)
        return
    if kind == "request_advisor":
        await relay.queue.request_advisor(cid, None, None, None)
    elif kind == "cancel_wait":
        await relay.queue.cancel_wait(cid)
    elif kind == "retry":
        await relay.bot_turns.retry(cid)
    elif kind == "end_chat":
        await relay.residents.end_chat(cid, frame.get("reason", "resident"))
    elif kind == "rating":
        await relay.residents.rate(cid, frame["score"], frame.get("comment", ""))
    if frame.get("client_id"):
        await peer.send(frames.ack(frame["client_id"]))
