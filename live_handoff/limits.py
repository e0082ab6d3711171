"""Limits per client address and in total: what they are, and the pure decisions about them.

The defaults are set so that a council library, where every public computer shares one
address, never reaches them in normal use, while a script does within seconds (see
docs/operations.md, "Limits per address"). The counting itself is in ``store_limits``
(Redis, shared by every relay process) and ``ratelimit`` (this process). Pure: no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# Limit names, as /metrics counts refusals (frontdesk_limited_total{limit="..."}).
NEW_CONVERSATIONS = "new_conversations"
SOCKETS = "sockets"
LEFT_MESSAGES = "left_messages"
RESIDENT_MESSAGES = "resident_messages"
PHOTOS = "photos"
BOT_TURNS = "bot_turns"
LOGIN_ADDRESS = "login_address"
LOGIN_ACCOUNT = "login_account"
HTTP_HEADERS = "http_headers"
HTTP_BODY = "http_body"
IDLE = "idle"

# The windows the per-address counts run over.
NEW_CONVERSATIONS_WINDOW = 600
LEFT_MESSAGES_WINDOW = 3600
RESIDENT_MESSAGES_WINDOW = 60
PHOTOS_WINDOW = 3600
LOGIN_WINDOW = 900  # failed logins are remembered this long after the last one


@dataclass(frozen=True)
class Limits:
    """Every limit, read once from the environment (``read_limits``).

    Attributes:
        new_conversations: Conversations started per client address per 10 minutes.
        sockets: Websockets (residents' and advisors') open per client address, per process.
        left_messages: Messages left for the contact centre per client address per hour.
        resident_messages: Residents' messages per client address per minute (every
            socket from that address together; each socket also has its own flood control).
        bot_turns: Bot turns in flight in this process; more wait (told "one moment").
        photos: Photos uploaded per client address per hour (each is decoded and
            re-encoded, which costs CPU, so a script adding and removing photos is held back).
        login_failures: Wrong passwords for one account from one address before each
            further try must wait (1 s, then doubling).
        login_address_failures: Wrong passwords from one address, for any accounts, before
            each further try from it must wait.
        login_max_delay: The longest wait between login tries, in seconds.
        http_header_seconds: A request's line and headers must arrive within this long.
        http_body_seconds: Its body must arrive within this long of its headers.
        idle_minutes: A resident's socket with no frame from the resident (pings aside)
            for this long is closed, unless someone is waiting on it (queued, with an advisor).
    """

    new_conversations: int = 200
    sockets: int = 150
    left_messages: int = 40
    resident_messages: int = 400
    bot_turns: int = 64
    photos: int = 60
    login_failures: int = 5
    login_address_failures: int = 20
    login_max_delay: float = 60.0
    http_header_seconds: float = 20.0
    http_body_seconds: float = 60.0
    idle_minutes: float = 30.0


# (setting, field, convert, smallest allowed)
_SETTINGS: tuple[tuple[str, str, Callable[[str], Any], float], ...] = (
    ("RELAY_LIMIT_NEW_CONVERSATIONS", "new_conversations", int, 1),
    ("RELAY_LIMIT_SOCKETS", "sockets", int, 1),
    ("RELAY_LIMIT_LEFT_MESSAGES", "left_messages", int, 1),
    ("RELAY_LIMIT_RESIDENT_MESSAGES", "resident_messages", int, 1),
    ("RELAY_LIMIT_BOT_TURNS", "bot_turns", int, 1),
    ("RELAY_LIMIT_PHOTOS", "photos", int, 1),
    ("RELAY_LIMIT_LOGIN_FAILURES", "login_failures", int, 1),
    ("RELAY_LIMIT_LOGIN_ADDRESS_FAILURES", "login_address_failures", int, 1),
    ("RELAY_LIMIT_LOGIN_MAX_DELAY_SECONDS", "login_max_delay", float, 1),
    ("RELAY_HTTP_HEADER_TIMEOUT_SECONDS", "http_header_seconds", float, 0.1),
    ("RELAY_HTTP_BODY_TIMEOUT_SECONDS", "http_body_seconds", float, 0.1),
    ("RELAY_IDLE_MINUTES", "idle_minutes", float, 0.01),
)


def read_limits(read: Callable[..., Any]) -> Limits:
    """The limits from the environment, through ``Settings.from_env``'s ``read`` (which
    fails fast naming the variable)."""
    defaults = Limits()
    values = {
        attr: read(name, getattr(defaults, attr), convert, lambda v, low=low: v >= low, f"must be at least {low}")
        for name, attr, convert, low in _SETTINGS
    }
    return Limits(**values)


def window_wait(count: int, limit: int, ms_left: int) -> float:
    """Seconds until a fixed-window count allows another, or 0.0 when this one is allowed.

    Args:
        count: This attempt's number in the window (1 for the first).
        limit: How many the window allows.
        ms_left: Milliseconds until the window ends (Redis PTTL; below 0 when unknown).
    """
    if count <= limit:
        return 0.0
    return max(ms_left, 1000) / 1000


def login_delay(failures: int, free: int, max_delay: float) -> float:
    """Seconds a login try must wait after ``failures`` wrong passwords: none for the first
    ``free``, then 1 s, doubling up to ``max_delay``. Slowing down, never locking out, so
    a correct password always gets through once the wait is over."""
    if failures < free:
        return 0.0
    return float(min(max_delay, 2 ** min(failures - free, 30)))


def login_schedule(free: int, max_delay: float) -> list[int]:
    """``login_delay`` in milliseconds for 0, 1, 2... failures, up to the first at the
    maximum (the Redis gate uses the last entry for any more)."""
    out: list[int] = []
    failures = 0
    while True:
        delay = login_delay(failures, free, max_delay)
        out.append(int(delay * 1000))
        if delay >= max_delay:
            return out
        failures += 1


def retry_after_header(seconds: float) -> str:
    """An HTTP ``Retry-After`` value: whole seconds, rounded up, at least 1."""
    return str(max(1, math.ceil(seconds)))


def should_close_idle(mode: str | None) -> bool:
    """Whether an idle resident's socket may be closed: not while the resident waits for
    an advisor or talks with one (an advisor's words must reach them)."""
    return mode not in ("queued", "advisor")


REFUSALS = {
    NEW_CONVERSATIONS: "Too many chats have been started from your network. Please try again in {wait}.",
    SOCKETS: "Too many chat windows are open from your network. Close one, or try again in {wait}.",
    LEFT_MESSAGES: "Too many messages have been left from your network. Please try again in {wait}.",
    RESIDENT_MESSAGES: "Too many messages are being sent from your network. We'll send yours in {wait}.",
}


def in_words(seconds: float) -> str:
    """A wait as residents read it: "30 seconds", "1 minute", "12 minutes"."""
    if seconds < 60:
        whole = max(1, math.ceil(seconds))
        return f"{whole} second{'s' if whole != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def refusal(limit: str, wait: float, client_id: str | None = None) -> dict[str, Any]:
    """The ``rate_limited`` error frame for a limit reached (contracts/relay)."""
    frame: dict[str, Any] = {
        "type": "error",
        "code": "rate_limited",
        "message": REFUSALS[limit].format(wait=in_words(wait)),
        "retry_after": round(max(wait, 0.1), 2),
    }
    if client_id:
        frame["client_id"] = client_id
    return frame
