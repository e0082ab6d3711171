"""What a handoff carries: the bot's payload checked against its contract, and the reason
and priority of a handoff the resident starts with a button. Pure (the contract file is
read once, on first use)."""

from __future__ import annotations

import functools
import json
import logging
from typing import Any

import jsonschema

from contracts.handoff import REASONS as contract_reasons
from contracts.handoff import ROUTE_URGENCY as ROUTE_URGENCY
from contracts.handoff import reason_after as reason_after
from live_handoff import queueing
from live_handoff.protocol import CONTRACTS

log = logging.getLogger(__name__)

# The contract's reasons, and the relay's own: the bot did not answer.
REASONS = frozenset({*contract_reasons, "bot_unavailable"})


@functools.lru_cache(maxsize=1)
def handoff_validator() -> jsonschema.Draft202012Validator:
    schema = json.loads((CONTRACTS.parent / "schemas" / "bot_handoff.schema.json").read_text())
    return jsonschema.Draft202012Validator(schema)


def checked_handoff(handoff: dict[str, Any]) -> tuple[str, str, dict[str, Any] | None]:
    """The bot's handoff payload, checked against its contract; anything off becomes an
    ordinary request (still queued: a resident who was promised a person gets one)."""
    problems = list(handoff_validator().iter_errors({"handoff": handoff}))
    if problems:
        log.warning("handoff payload off contract (%s); queued as resident_asked", problems[0].message[:200])
        summary = handoff.get("summary") if isinstance(handoff.get("summary"), dict) else None
        if summary is not None and problems and any("summary" in list(p.absolute_path) for p in problems):
            summary = None
        reason = handoff.get("reason")
        priority = handoff.get("priority")
        return (
            reason if isinstance(reason, str) and reason in REASONS else "resident_asked",
            priority if isinstance(priority, str) and priority in queueing.PRIORITY_RANK else "normal",
            summary,
        )
    return str(handoff["reason"]), str(handoff["priority"]), dict(handoff["summary"])
