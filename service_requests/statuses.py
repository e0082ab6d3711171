"""Request statuses: Open311's open/closed plus FixMyStreet's extended statuses (defined in
contracts/, which every part reads them from)."""

from __future__ import annotations

from contracts.statuses import CLOSED_STATUSES, EXTENDED_STATUSES, OPEN_STATUSES, open311_status

__all__ = ["CLOSED_STATUSES", "EXTENDED_STATUSES", "OPEN_STATUSES", "open311_status"]
