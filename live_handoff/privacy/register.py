"""The register of privacy requests: what a data protection officer did, when and why.

Redis stream ``{prefix}:privacy:requests``, field ``e`` = JSON::

    {"at": "2026-12-06T00:30:00.000+00:00", "kind": "erase", "by": "dpo.jo", "why": "...",
     "searched_by": "email", "counts": {"conversations": 1, ...}}

It holds no identifier of the person, not even a hash: after an erasure nothing is left to
match a repeat request against, and a keyed hash of an email address would itself be
personal data. ``why`` is masked (``contracts.masking``) in case a name was typed into it.
The register has no expiry: it is the council's record of requests answered.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from live_handoff import masking
from live_handoff.store_base import StoreBase


def _key(store: StoreBase) -> str:
    return store.key("privacy", "requests")


async def record(
    store: StoreBase, kind: str, by: str, why: str, searched_by: str, counts: dict[str, int]
) -> dict[str, Any]:
    """Add one request to the register; returns the entry."""
    entry = {
        "at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds"),
        "kind": kind,
        "by": by,
        "why": masking.mask(why),
        "searched_by": searched_by,
        "counts": counts,
    }
    await store.redis.xadd(_key(store), {"e": json.dumps(entry, ensure_ascii=False)})
    return entry


async def entries(store: StoreBase, count: int = 10_000) -> list[dict[str, Any]]:
    """The register, oldest first."""
    return [json.loads(f["e"]) for _, f in await store.redis.xrange(_key(store), count=count)]
