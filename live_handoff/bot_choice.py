"""Which Rasa process answers a conversation: pure decisions, no I/O.

Several Rasa servers share one Redis tracker store and lock store, so any of them can
answer any conversation. The relay still sends a conversation to the same process while
that process is up (rendezvous hashing): its turns queue on one lock holder, and adding
or losing a process moves only the conversations that were on it.

A process that fails is marked down for a short while and skipped; the conversation's
next process in its own order takes over at once, with the history in Redis.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import Literal

# How long a process that refused, failed or timed out is passed over before it is tried again.
DOWN_SECONDS = 10.0

Failure = Literal["not_sent", "refused", "ambiguous"]


def parse_urls(text: str) -> tuple[str, ...]:
    """RASA_URL as one URL or a comma-separated list, each normalised without a trailing slash.

    Raises:
        ValueError: empty, a URL that is not http(s)://host..., or the same URL twice.
    """
    urls = tuple(part.strip().rstrip("/") for part in text.split(","))
    if not urls or any(not url for url in urls):
        raise ValueError(f"{text!r}: give one or more URLs separated by commas, e.g. http://127.0.0.1:5005")
    for url in urls:
        if not url.startswith(("http://", "https://")) or len(url.split("://", 1)[1]) == 0:
            raise ValueError(f"{url!r} must start with http:// or https:// and name a host")
    if len(set(urls)) != len(urls):
        raise ValueError(f"{text!r} names the same Rasa server twice")
    return urls


def score(conversation_id: str, url: str) -> int:
    """The rendezvous weight of ``url`` for ``conversation_id``: stable across processes and restarts."""
    digest = hashlib.blake2b(f"{url}\x00{conversation_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def ranked(conversation_id: str, urls: Iterable[str]) -> list[str]:
    """Every process in the conversation's own order of preference (highest weight first)."""
    return sorted(urls, key=lambda url: (-score(conversation_id, url), url))


def order(conversation_id: str, urls: Iterable[str], down_until: Mapping[str, float], now: float) -> list[str]:
    """The processes to try for one turn, in order: the ones up in the conversation's order,
    then the ones marked down (soonest back first), since a process marked down may be back
    and trying it costs a refused connection when it is not."""
    preference = ranked(conversation_id, urls)
    up = [url for url in preference if down_until.get(url, 0.0) <= now]
    down = sorted((url for url in preference if down_until.get(url, 0.0) > now), key=lambda u: down_until[u])
    return up + down


def retry_elsewhere(failure: Failure) -> bool:
    """Whether a turn that failed this way may be sent to the next process at once.

    ``not_sent``: the connection was never made (refused, no route, DNS): Rasa never saw
    the message. ``refused``: Rasa answered 5xx (or a proxy did for it); Rasa's REST channel
    answers 200 whenever it handled the message, so a 5xx means it did not. ``ambiguous``:
    a timeout or a connection dropped after the message was sent: that process may have
    taken the turn (and, holding the conversation's lock, may still be taking it). Sending
    it again elsewhere could answer the resident twice and record the message twice, so
    the resident is told instead and sends it again when they choose.
    """
    return failure in ("not_sent", "refused")


def mark_down(down_until: Mapping[str, float], url: str, now: float, seconds: float = DOWN_SECONDS) -> dict[str, float]:
    """``down_until`` with ``url`` passed over until ``now + seconds``."""
    return {**down_until, url: now + seconds}


def mark_up(down_until: Mapping[str, float], url: str) -> dict[str, float]:
    """``down_until`` without ``url``: it answered."""
    return {key: value for key, value in down_until.items() if key != url}
