"""Request statuses: Open311's ``open``/``closed`` plus FixMyStreet's extended statuses.

The Open311 service stores and serves them, advisors set them, the bot explains them and
the insight report counts them: all read them from here.
"""

from __future__ import annotations

OPEN_STATUSES = ("OPEN", "INVESTIGATING", "IN_PROGRESS", "ACTION_SCHEDULED")
CLOSED_STATUSES = (
    "FIXED",
    "DUPLICATE",
    "NOT_COUNCILS_RESPONSIBILITY",
    "NO_FURTHER_ACTION",
    "INTERNAL_REFERRAL",
    "CLOSED",
)
EXTENDED_STATUSES = OPEN_STATUSES + CLOSED_STATUSES


def open311_status(extended: str) -> str:
    """``open`` or ``closed`` for an extended status.

    Raises:
        ValueError: ``extended`` is not one of :data:`EXTENDED_STATUSES`.
    """
    if extended in OPEN_STATUSES:
        return "open"
    if extended in CLOSED_STATUSES:
        return "closed"
    raise ValueError(f"unknown status {extended!r}")
