"""The one frame loop both websockets run: read a frame, check it against the contract,
apply flood control, answer pings, hand it to the socket's handler, and turn every error
into an error frame (a bad frame costs that frame, never the connection, and nobody
sees a stack trace). What differs between residents and advisors is in ``Rules``."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import WSMsgType, web
from redis.exceptions import RedisError

from live_handoff import frames
from live_handoff.hub import Peer
from live_handoff.metrics import Metrics
from live_handoff.protocol import FrameError, loads, parse

log = logging.getLogger(__name__)

CONVERSATION_ID = re.compile(r"c_[A-Za-z0-9_-]{22}")
NOT_TEXT = frames.error("bad_json", "Frames must be text (JSON).")

Frame = dict[str, Any]


@dataclass(frozen=True)
class Rules:
    """How one kind of socket differs.

    Attributes:
        schema: The contract of what its clients send (``resident_client``...).
        max_text_chars: The limit on a message's ``text``.
        wait: Seconds the frame must wait under flood control (0: go ahead).
        too_fast: What a client sending too fast is told, given the wait.
        unavailable: What it is told when Redis cannot be reached.
        internal: What it is told when the relay fails in an unexpected way.
        name_conversation: Errors name the frame's conversation (advisors work in several).
        give_back: Returns the token ``wait`` took for a frame, when the frame was refused
            for the relay's fault (Redis unavailable) rather than the client's.
    """

    schema: str
    max_text_chars: int
    wait: Callable[[Frame], float]
    too_fast: Callable[[float], str]
    unavailable: str
    internal: str
    name_conversation: bool = False
    give_back: Callable[[Frame], None] | None = None


Handler = Callable[[Frame], Awaitable[None]]
Admit = Callable[[Frame], Awaitable[bool]]


async def run(
    ws: web.WebSocketResponse, peer: Peer, rules: Rules, handle: Handler, metrics: Metrics, admit: Admit | None = None
) -> None:
    """Serve frames until the socket closes or ``admit`` refuses one.

    Args:
        ws: The prepared websocket.
        peer: Its connection, for sending.
        rules: What differs for this kind of socket.
        handle: Acts on one checked frame (pings are answered here).
        metrics: Errors are counted by code.
        admit: Checked before each frame but pings; False ends the loop (it closes the
            socket itself, e.g. when an advisor's session has expired).
    """
    async for msg in ws:
        if msg.type == WSMsgType.BINARY:
            await peer.send(NOT_TEXT)
            continue
        if msg.type != WSMsgType.TEXT:
            break
        if not await _one(msg.data, peer, rules, handle, metrics, admit):
            break


async def _one(raw: str, peer: Peer, rules: Rules, handle: Handler, metrics: Metrics, admit: Admit | None) -> bool:
    """Serve one frame; False when the connection must end."""
    wait = 0.0
    frame: Frame | None = None
    try:
        frame = parse(raw, rules.schema, rules.max_text_chars)
        wait = rules.wait(frame)
        if wait:
            raise FrameError("rate_limited", rules.too_fast(wait), frame.get("client_id"))
        if frame["type"] == "ping":
            await peer.send(frames.pong())
            return True
        if admit is not None and not await admit(frame):
            return False
        await handle(frame)
    except FrameError as exc:
        metrics.errors.labels(exc.code).inc()
        if exc.field and exc.frame_type == "leave_message":
            metrics.messages_left_refused.labels(exc.field).inc()
        error = exc.frame()
        if exc.code == "rate_limited":
            error["retry_after"] = round(max(wait, 0.1), 2)
        if rules.name_conversation and (cid := conversation_in(raw)):
            error["conversation_id"] = cid
        await peer.send(error)
    except RedisError as exc:
        log.error("Redis unavailable while handling a %s frame: %s", peer.role, type(exc).__name__)
        metrics.errors.labels("unavailable").inc()
        if frame is not None and not wait and rules.give_back is not None:
            rules.give_back(frame)
        await peer.send(frames.error("unavailable", rules.unavailable))
    except Exception:  # noqa: BLE001 - a bug must cost one frame, not the conversation
        log.exception("unexpected error on a %s frame (%s)", peer.role, peer.conversation_id or peer.username)
        metrics.errors.labels("internal").inc()
        await peer.send(frames.error("internal", rules.internal))
    return True


def conversation_in(raw: str) -> str | None:
    """The well-formed ``conversation_id`` of a raw frame, if it has one."""
    try:
        value = loads(raw).get("conversation_id")
    except (FrameError, AttributeError):
        return None
    return value if isinstance(value, str) and CONVERSATION_ID.fullmatch(value) else None
