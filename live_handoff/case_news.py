"""Telling a returning resident, in the chat, what changed on the cases they reported.

The relay keeps a conversation's case references (conversation field ``cases``, written when
the bot files a report) and, in field ``cases_told``, the status each was last told at. When
the resident resumes the conversation, each case whose status moved since is announced once
as a system message: "Your report NB-2026-000123 is now fixed." Once per change even when
several tabs resume at the same moment: each change is claimed in Redis before it is said.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from contracts.status_words import headline

log = logging.getLogger(__name__)
CASES = "cases"
TOLD = "cases_told"
FIRST_STATUS = "OPEN"  # what a case is when filed: the resident was told that then


class Conversations(Protocol):
    async def field(self, cid: str, name: str) -> str | None: ...

    async def claim_case_news(
        self, cid: str, changes: list[tuple[str, str]], field: str, first_status: str
    ) -> list[tuple[str, str]]: ...


class Lookup(Protocol):
    async def get(self, reference: str) -> dict[str, Any]: ...


def news(statuses: dict[str, str], told: dict[str, str]) -> list[tuple[str, str]]:
    """(reference, status) for each case whose status is not the one last told (pure).

    A case never told about is taken as told it was open, so a fresh report says nothing.
    """
    return [(ref, status) for ref, status in statuses.items() if status != told.get(ref, FIRST_STATUS)]


def _loads(raw: str | None, kind: type) -> Any:
    try:
        value = json.loads(raw or "")
    except ValueError:
        return kind()
    return value if isinstance(value, kind) else kind()


async def tell(store: Conversations, cases: Lookup, cid: str, say: Callable[[str, str], Awaitable[Any]]) -> int:
    """Announce every case of conversation ``cid`` whose status changed since it was last told.

    What was told is claimed before it is said, in one atomic Redis step
    (``store_case_news``): of two tabs resuming at once only the first to claim a change
    says it, and a relay that dies between the claim and the message leaves the resident
    one message short rather than telling them twice. A case the Open311 service cannot
    answer for now is left for the next visit.

    Returns:
        How many changes were announced.
    """
    references = [r for r in _loads(await store.field(cid, CASES), list) if isinstance(r, str)]
    if not references:
        return 0
    statuses: dict[str, str] = {}
    for reference in references:
        try:
            case = await cases.get(reference)
        except Exception as exc:  # the case system is down or forgot the case: try next time
            log.info("No status for %s on resume: %s", reference, exc)
            continue
        if case.get("extended_status"):
            statuses[reference] = case["extended_status"]
    told = _loads(await store.field(cid, TOLD), dict)
    changed = news(statuses, told)
    if not changed:
        return 0
    for reference, status in await store.claim_case_news(cid, changed, TOLD, FIRST_STATUS):
        await say(cid, f"{headline(reference, status)}.")
    return len(changed)


_running: set[asyncio.Task] = set()


def tell_soon(store: Conversations, cases: Lookup | None, cid: str, say: Callable[[str, str], Awaitable[Any]]) -> None:
    """Run :func:`tell` in the background, so a slow case system never delays the welcome."""
    if cases is None:
        return

    async def run() -> None:
        try:
            await tell(store, cases, cid, say)
        except Exception:
            log.exception("Telling %s about their cases failed", cid)

    task = asyncio.create_task(run())
    _running.add(task)
    task.add_done_callback(_running.discard)
