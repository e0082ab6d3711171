"""The staff audit trail: who read or changed what about a resident, and when.

A data protection officer answering a subject access request must be able to say which
staff saw a conversation, and a council must be able to check that advisors only open
chats they handle. Entries hold a staff username, an action and a conversation id, never
a resident's words; they expire with the relay's retention period like the records they
describe.

Redis stream ``{prefix}:audit``, field ``e`` = JSON::

    {"at": "2026-12-05T10:00:00.123+00:00", "who": "sam", "role": "advisor",
     "action": "open", "conversation_id": "c_...", "detail": ""}

Actions: ``open`` (a conversation shown in the console), ``transcript`` (downloaded by
staff), ``export`` and ``erase`` (subject access and erasure, ``detail`` says why),
``retry_message`` and ``delete_message`` (a message left that was set aside, sent back to
the outbox or deleted by a supervisor; ``detail`` says why it had been set aside),
``photos`` (a resident's photos listed or shown to staff).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from live_handoff.store_base import StoreBase, now_ms

ACTIONS = frozenset({"open", "transcript", "export", "erase", "retry_message", "delete_message", "photos"})


def _key(store: StoreBase) -> str:
    return store.key("audit")


async def record(
    store: StoreBase, who: str, role: str, action: str, conversation_id: str = "", detail: str = ""
) -> None:
    """Add one entry, trimming entries older than the retention period.

    Args:
        store: The relay's store (its Redis client, key prefix and retention).
        who: The staff username.
        role: The role they acted in (``advisor``, ``supervisor``, ``dpo``...).
        action: One of ``ACTIONS``.
        conversation_id: The conversation concerned, if any.
        detail: Free text from staff (for example why an erasure was asked for); never a
            resident's words.

    Raises:
        ValueError: ``action`` is not one of ``ACTIONS``.
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    at = dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds")
    body = {"at": at, "who": who, "role": role, "action": action, "conversation_id": conversation_id, "detail": detail}
    await store.redis.xadd(
        _key(store),
        {"e": json.dumps(body, ensure_ascii=False)},
        minid=f"{now_ms() - store.ttl * 1000}-0",
        approximate=True,
    )
    await store.redis.expire(_key(store), store.ttl)


async def entries(store: StoreBase, conversation_id: str | None = None, count: int = 100_000) -> list[dict[str, Any]]:
    """Audit entries, oldest first; only those about ``conversation_id`` when given."""
    rows = await store.redis.xrange(_key(store), count=count)
    found = [json.loads(fields["e"]) for _, fields in rows]
    if conversation_id is not None:
        found = [e for e in found if e.get("conversation_id") == conversation_id]
    return found
