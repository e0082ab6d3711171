"""How a case status reads to a resident: one source for the emails, texts and the chat.

``headline("NB-2026-000123", "FIXED")`` is ``"Your report NB-2026-000123 is now fixed"``.
"""

from __future__ import annotations

# How a status reads after "is now" / "was".
STATUS_WORDS = {
    "OPEN": "open",
    "INVESTIGATING": "being investigated",
    "IN_PROGRESS": "in progress",
    "ACTION_SCHEDULED": "scheduled for work",
    "FIXED": "fixed",
    "DUPLICATE": "closed as a duplicate of another report",
    "NOT_COUNCILS_RESPONSIBILITY": "closed: it is not something the council looks after",
    "NO_FURTHER_ACTION": "closed with no further action",
    "INTERNAL_REFERRAL": "passed to another council team",
    "CLOSED": "closed",
}


def status_words(extended_status: str) -> str:
    """``"fixed"`` for ``FIXED``; an unknown status reads as itself, in lower case."""
    return STATUS_WORDS.get(extended_status, extended_status.replace("_", " ").lower())


def headline(reference: str, extended_status: str) -> str:
    """The line every channel starts with: ``Your report NB-2026-000123 is now fixed``."""
    return f"Your report {reference} is now {status_words(extended_status)}"
