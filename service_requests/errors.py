"""Open311 errors: one exception, mapped to the standard's error list in one place."""

from __future__ import annotations


class Open311Error(Exception):
    """An error the API returns as ``[{"code": status, "description": ...}]``.

    Attributes:
        status: The HTTP status, also the error's ``code``.
        description: What was wrong, in words.
        reason: A short name for the refusal, counted in ``/metrics``
            (``open311_refusals_total``); "" names it by its status.
    """

    def __init__(self, status: int, description: str, reason: str = ""):
        super().__init__(description)
        self.status = status
        self.description = description
        self.reason = reason

    def body(self) -> list[dict]:
        return [{"code": self.status, "description": self.description}]
