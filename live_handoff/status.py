"""The one place status events are made: every change of a conversation's mode that the
resident and the advisors see ("Sam has joined the chat", "You're back in the queue"...).

A status event is logged in the same atomic step as the mode change it announces
(``Store.transition``), so its ``mode`` must be the mode the conversation moves to.
The table below says, for each kind of change, the mode it moves to, the ``change`` the
contract names, and the words. Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from live_handoff import texts
from live_handoff.frames import Change, Mode, StatusEvent, iso

Kind = Literal[
    "queued",
    "joined",
    "transferred",
    "handed_back",
    "reopened",
    "wait_cancelled",
    "closed_by_resident",
    "closed_idle",
    "closed_by_advisor",
    "unavailable",
]


@dataclass(frozen=True)
class _Rule:
    change: Change
    mode: Mode
    text: str  # may hold {name}: the advisor's first name
    names_advisor: bool = False  # the event carries ``advisor`` (who is in the chat now)
    has_reason: bool = False  # the event carries ``reason`` (why the resident is queued)


RULES: dict[Kind, _Rule] = {
    "queued": _Rule("queued", "queued", texts.QUEUED, has_reason=True),
    "joined": _Rule("joined", "advisor", texts.JOINED, names_advisor=True),
    "transferred": _Rule("transferred", "advisor", texts.TRANSFERRED, names_advisor=True),
    "handed_back": _Rule("handed_back", "bot", texts.HANDED_BACK),
    # A resident writing in a closed chat: the bot answers again.
    "reopened": _Rule("handed_back", "bot", texts.REOPENED),
    "wait_cancelled": _Rule("wait_cancelled", "bot", texts.WAIT_CANCELLED),
    "closed_by_resident": _Rule("closed", "closed", texts.CLOSED_BY_RESIDENT),
    "closed_idle": _Rule("closed", "closed", texts.CLOSED_IDLE),
    "closed_by_advisor": _Rule("closed", "closed", texts.CLOSED_BY_ADVISOR),
    "unavailable": _Rule("unavailable", "queued", texts.ADVISOR_GONE, has_reason=True),
}


def status_event(kind: Kind, *, name: str = "", reason: str | None = None, at_ms: int | None = None) -> StatusEvent:
    """The status event announcing one change of mode.

    Args:
        kind: What happened (a key of ``RULES``).
        name: The advisor's first name, for the words and, when the change puts an
            advisor in the chat, the event's ``advisor``.
        reason: Why the resident is waiting, for changes into the queue.
        at_ms: When, in Unix milliseconds (now when omitted).

    Returns:
        The event, ready for ``Store.transition`` (the log adds its ``id``).

    Raises:
        ValueError: a change into the queue without its reason.
    """
    rule = RULES[kind]
    event: StatusEvent = {
        "type": "status",
        "at": iso(at_ms),
        "mode": rule.mode,
        "change": rule.change,
        "text": rule.text.format(name=name),
    }
    if rule.names_advisor:
        event["advisor"] = name
    if rule.has_reason:
        if not reason:
            raise ValueError(f"a {kind!r} status event needs the reason the resident is waiting")
        event["reason"] = reason
    return event
