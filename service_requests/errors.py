"""Open311 errors: one exception, mapped to the standard's error list in one place."""

from __future__ import annotations


class Open311Error(Exception):
    """An error the API returns as ``[{"code": status, "description": ...}]``."""

    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status = status
        self.description = description

    def body(self) -> list[dict]:
        return [{"code": self.status, "description": self.description}]
