"""An export or an erasure together with its record: an audit entry per conversation and an
entry in the register of privacy requests. The command line and the dpo page both answer
requests through these, so neither can forget the record."""

from __future__ import annotations

import datetime as dt
from typing import Any

from live_handoff import audit
from live_handoff.privacy import register
from live_handoff.privacy.erase import erase
from live_handoff.privacy.gather import CaseSystem, Found
from live_handoff.privacy.render import document, summary
from live_handoff.store import Store


async def _audit(store: Store, found: Found, action: str, by: str, why: str) -> None:
    for cid in sorted(found.conversations):
        await audit.record(store, by, "dpo", action, cid, why)


async def export_recorded(store: Store, found: Found, by: str, why: str) -> dict[str, Any]:
    """The export document (``render.document``), recorded as given by ``by`` for ``why``.

    ``why`` must already be masked (``masking.mask``).
    """
    doc = document(found, by, why, dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"))
    await _audit(store, found, "export", by, why)
    await register.record(store, "export", by, why, found.who.kind, summary(found))
    return doc


async def erase_recorded(store: Store, found: Found, cases: CaseSystem | None, by: str, why: str) -> dict[str, int]:
    """Erase everything in ``found`` (``erase.erase``) and record it; returns the counts.

    Raises:
        CaseSystemError: the Open311 service did not answer (nothing was erased or recorded).
        redis.exceptions.RedisError: Redis did not answer.
    """
    counts = await erase(store, found, cases)
    await _audit(store, found, "erase", by, why)
    await register.record(store, "erase", by, why, found.who.kind, counts)
    return counts
