"""Measurement events: read from the relay's Redis stream or a JSON Lines file.

The relay appends one entry per event to the stream ``{prefix}:analytics`` with a single
field ``e`` holding ``{"kind": ..., ...}`` as JSON (``live_handoff.store.Store.record``).
The entry's stream id ``<ms>-<seq>`` is the only clock: ``ms`` is UTC milliseconds.

In a JSON Lines file each line is one event: ``{"at": "<ISO 8601 UTC>", "kind": ...,
"conversation_id": ..., <the other fields>}``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

UTC = dt.timezone.utc
PAGE = 10_000  # stream entries per XRANGE call
MAX_SEQ = 18_446_744_073_709_551_615  # the largest sequence number of a stream id


@dataclass(frozen=True)
class Event:
    """One measurement event.

    Attributes:
        at: When it happened (aware, UTC, millisecond precision).
        kind: ``conversation_started``, ``route``, ``claimed``...
        conversation_id: The conversation it belongs to, or None (``presence``,
            ``case_status_changed``).
        data: The other fields, as recorded.
    """

    at: dt.datetime
    kind: str
    conversation_id: str | None = None
    data: dict[str, Any] = field(default_factory=dict)

    def get(self, name: str, default: Any = None) -> Any:
        return self.data.get(name, default)

    def to_json(self) -> dict[str, Any]:
        """The JSON Lines form: at, kind, conversation_id (when there is one), the fields."""
        out: dict[str, Any] = {"at": iso(self.at), "kind": self.kind}
        if self.conversation_id is not None:
            out["conversation_id"] = self.conversation_id
        out.update(self.data)
        return out

    def body(self) -> dict[str, Any]:
        """The stream form (what ``Store.record`` writes in field ``e``)."""
        out: dict[str, Any] = {"kind": self.kind}
        if self.conversation_id is not None:
            out["conversation_id"] = self.conversation_id
        out.update(self.data)
        return out


def iso(when: dt.datetime) -> str:
    return when.astimezone(UTC).isoformat(timespec="milliseconds")


def parse_time(text: str) -> dt.datetime:
    when = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if when.tzinfo is None:
        raise ValueError(f"time {text!r} has no time zone")
    return when.astimezone(UTC)


def from_ms(ms: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(ms / 1000, UTC)


def to_ms(when: dt.datetime) -> int:
    if when.tzinfo is None:
        raise ValueError("naive datetime: give a time zone")
    delta = when - dt.datetime(1970, 1, 1, tzinfo=UTC)
    return delta.days * 86_400_000 + delta.seconds * 1000 + delta.microseconds // 1000


def from_body(at: dt.datetime, body: dict[str, Any]) -> Event:
    data = dict(body)
    kind = str(data.pop("kind", ""))
    cid = data.pop("conversation_id", None)
    return Event(at=at, kind=kind, conversation_id=cid, data=data)


def from_stream(rows: Iterable[tuple[str, dict[str, str]]]) -> list[Event]:
    """Events from XRANGE rows ``(id, {"e": json})``; entries that are not JSON objects
    with a kind are skipped (a report must not fail on one bad entry)."""
    events = []
    for stream_id, fields in rows:
        try:
            body = json.loads(fields["e"])
            ms = int(str(stream_id).split("-", 1)[0])
        except (KeyError, ValueError, TypeError):
            continue
        if isinstance(body, dict) and body.get("kind"):
            events.append(from_body(from_ms(ms), body))
    return events


def stream_key(prefix: str) -> str:
    return f"{prefix}:analytics"


def read_redis(url: str, prefix: str, start: dt.datetime, end: dt.datetime) -> list[Event]:
    """Events with ``start <= time < end`` from ``{prefix}:analytics``, oldest first, read
    in pages of 10,000 entries."""
    import redis  # only needed here; the rest of the package works from files

    client = redis.Redis.from_url(url, decode_responses=True, socket_connect_timeout=5)
    try:
        key = stream_key(prefix)
        low = f"{to_ms(start)}-0"
        high = f"{to_ms(end) - 1}-{MAX_SEQ}"
        events: list[Event] = []
        while True:
            rows = client.xrange(key, min=low, max=high, count=PAGE)
            events.extend(from_stream(rows))
            if len(rows) < PAGE:
                return events
            ms, seq = rows[-1][0].split("-")
            low = f"{ms}-{int(seq) + 1}" if int(seq) < MAX_SEQ else f"{int(ms) + 1}-0"
    finally:
        client.close()


def stream_ids(events: Iterable[Event]) -> Iterator[tuple[str, Event]]:
    """Explicit, strictly increasing stream ids ``<ms>-<n>`` for events in time order."""
    last_ms, seq = -1, 0
    for event in sorted(events, key=lambda e: e.at):
        ms = to_ms(event.at)
        seq = seq + 1 if ms == last_ms else 0
        last_ms = ms
        yield f"{ms}-{seq}", event


def write_redis(events: Iterable[Event], url: str, prefix: str) -> int:
    """Append events to ``{prefix}:analytics`` with ids from their times.

    Raises:
        ValueError: if the stream already has an entry at or after the first event (stream
            ids must increase): write into a fresh prefix instead.
    """
    import redis

    client = redis.Redis.from_url(url, decode_responses=True, socket_connect_timeout=5)
    try:
        key = stream_key(prefix)
        numbered = list(stream_ids(events))
        if not numbered:
            return 0
        top = client.xrevrange(key, count=1)
        if top and _id_tuple(top[0][0]) >= _id_tuple(numbered[0][0]):
            raise ValueError(
                f"{key} already has entries from {iso(from_ms(_id_tuple(top[0][0])[0]))}, "
                f"after the first generated event ({iso(numbered[0][1].at)}); stream ids must "
                "increase, so write into another prefix (RELAY_KEY_PREFIX) or an empty Redis"
            )
        for i in range(0, len(numbered), 1000):
            with client.pipeline(transaction=False) as pipe:
                for stream_id, event in numbered[i : i + 1000]:
                    pipe.xadd(key, {"e": json.dumps(event.body(), ensure_ascii=False)}, id=stream_id)
                pipe.execute()
        return len(numbered)
    finally:
        client.close()


def _id_tuple(stream_id: str) -> tuple[int, int]:
    ms, _, seq = stream_id.partition("-")
    return int(ms), int(seq or 0)


def read_jsonl(path: str | Path) -> list[Event]:
    """Events from a JSON Lines file (blank lines are skipped), in time order."""
    events = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                body = json.loads(line)
                at = parse_time(body.pop("at"))
            except (ValueError, KeyError, AttributeError) as exc:
                raise ValueError(f"{path}:{number}: not an event ({exc})") from None
            events.append(from_body(at, body))
    events.sort(key=lambda e: e.at)
    return events


def write_jsonl(events: Iterable[Event], path: str | Path) -> int:
    count = 0
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        for event in events:
            handle.write(json.dumps(event.to_json(), ensure_ascii=False) + "\n")
            count += 1
    return count
