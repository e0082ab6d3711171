"""Subject access and erasure for the data protection officer's page (front_door/privacy_page.py).

The same finding, export and erasure as ``python -m live_handoff privacy``, with the
running relay's Redis client and HTTP session. Every use is recorded: a search in the
register of privacy requests, a download or an erasure in the audit trail too.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web
from redis.exceptions import RedisError

from live_handoff import masking
from live_handoff.keys import CASES, SETTINGS, STORE
from live_handoff.privacy import register
from live_handoff.privacy.finding import KINDS, SelectorError, selector
from live_handoff.privacy.gather import CaseSystem, CaseSystemError, Found, find
from live_handoff.privacy.recorded import erase_recorded, export_recorded
from live_handoff.privacy.render import html_page, summary


class PrivacyDeskError(Exception):
    """A request the page must refuse or could not complete; ``status`` and ``message`` are for the page."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


class PrivacyDesk:
    """Find, export and erase one person's data from within the front door."""

    kinds = KINDS

    def __init__(self, app: web.Application) -> None:
        self.store = app[STORE]
        settings = app[SETTINGS]
        self.cases = (
            CaseSystem(app[CASES].session, settings.open311_url, settings.open311_staff_key)
            if settings.open311_url and settings.open311_staff_key
            else None
        )

    async def find(self, kind: str, value: str, by: str, why: str, record: bool = True) -> Found:
        """What is held about the person; the search is entered in the register when ``record``
        (a download or erasure records itself instead).

        Raises:
            PrivacyDeskError: 400 for an identifier or reason that will not do, 503 when
                Redis or the Open311 service does not answer.
        """
        why = masking.mask(why.strip())[:300]
        if not why:
            raise PrivacyDeskError(400, "Say why: the request's reason or log number.")
        try:
            who = selector(kind, value)
        except SelectorError as exc:
            raise PrivacyDeskError(400, str(exc)) from None
        try:
            found = await find(self.store, self.cases, who)
            if record:
                await register.record(self.store, "search", by, why, who.kind, summary(found))
        except CaseSystemError as exc:
            raise PrivacyDeskError(503, f"The case system did not answer ({exc}). Nothing was changed.") from None
        except RedisError:
            raise PrivacyDeskError(503, "Redis did not answer. Nothing was changed.") from None
        return found

    async def export(self, found: Found, by: str, why: str) -> tuple[dict[str, Any], str]:
        """The export as a document and its page; audited per conversation and registered."""
        doc = await export_recorded(self.store, found, by, masking.mask(why.strip())[:300])
        return doc, html_page(doc)

    async def erase(self, found: Found, by: str, why: str) -> dict[str, int]:
        """Erase what was found; audited per conversation and registered. Returns the counts."""
        try:
            return await erase_recorded(self.store, found, self.cases, by, masking.mask(why.strip())[:300])
        except CaseSystemError as exc:
            raise PrivacyDeskError(503, f"The case system did not answer ({exc}). Nothing was erased.") from None
        except RedisError:
            raise PrivacyDeskError(503, "Redis did not answer; run the erasure again.") from None

    async def register(self) -> list[dict[str, Any]]:
        """The register of privacy requests, newest first."""
        return list(reversed(await register.entries(self.store)))

    @staticmethod
    def summary(found: Found) -> dict[str, int]:
        return summary(found)
