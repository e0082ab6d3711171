"""Who among staff may read a conversation, and add notes to it (least privilege).

An advisor sees a resident's words only while there is a reason to: the chat is waiting
in the queue (they may look before claiming), it is theirs now, or it was theirs before
(then read only, so they can finish their notes elsewhere or answer a complaint, but not
write, note, transfer or close). A supervisor reviews the contact centre's work and may
read any conversation; such reads are audited with the role ``supervisor``.

Notes: an advisor adds notes only to the chat they have now. A supervisor may add a note
to any chat they may read: reviewing is their job, a note is private to staff, and the
read that came before it is in the audit trail.

Writing to the resident, transferring, handing back and closing stay with the advisor who
has the chat (``Advisors._own``); this module decides reading and notes only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Level = Literal["none", "read_only", "full"]
SUPERVISOR = "supervisor"


@dataclass(frozen=True)
class Access:
    """What one staff member may do with one conversation.

    Attributes:
        level: ``none`` (not shown at all), ``read_only`` (shown; no writing) or ``full``
            (the chat is theirs now).
        may_note: Whether they may add a private note.
        role: The rights they read under, for the audit trail: ``advisor`` when an
            advisor's own reasons suffice, ``supervisor`` when only that role allows it.
    """

    level: Level
    may_note: bool = False
    role: str = "advisor"

    @property
    def readable(self) -> bool:
        return self.level != "none"


NONE = Access("none")


def held_by(conversation: dict[str, str]) -> frozenset[str]:
    """Every advisor who has held the conversation (claimed it or had it transferred to
    them), from its ``held_by`` field (comma-separated usernames, kept by the store)."""
    return frozenset(u for u in conversation.get("held_by", "").split(",") if u)


def may_read(conversation: dict[str, str], username: str, roles: Iterable[str]) -> Access:
    """Decide what ``username`` may do with ``conversation``.

    Args:
        conversation: The conversation's record (``Store.conversation``); empty when it
            does not exist.
        username: The staff member's username.
        roles: Their effective roles (``auth.effective_roles``).

    Returns:
        Their ``Access``; ``NONE`` for an unknown conversation.
    """
    if not conversation:
        return NONE
    mode = conversation.get("mode", "")
    supervisor = SUPERVISOR in set(roles)
    if mode == "advisor" and conversation.get("advisor") == username:
        return Access("full", may_note=True)
    if mode == "queued" or username in held_by(conversation):
        return Access("read_only", may_note=supervisor)
    if supervisor:
        return Access("read_only", may_note=True, role=SUPERVISOR)
    return NONE
