"""Messages residents leave become cases in the council's Open311 service.

If Open311 is down the message is kept in Redis (``fd:outbox``, through ``Store``) and sent later, so a
message the resident was thanked for is never lost. Only an outage holds the outbox up: a message
Open311 will not take is set aside with its reason (``{prefix}:outbox:rejected``) for a supervisor.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import secrets
from typing import Any
from urllib.parse import urlencode

import aiohttp
from redis.exceptions import RedisError

from contracts import open311_xml
from contracts.contact_rules import split_name
from live_handoff.metrics import Metrics
from live_handoff.store import Store

log = logging.getLogger(__name__)
SERVICE_CODE = "contact_centre_message"
# 4xx answers that say "not now" rather than "not this message": a request time-out and a
# gateway's rate limit in front of a council's CRM. They hold the outbox up like a 5xx.
BUSY = frozenset({408, 429})


class CaseError(Exception):
    """Open311 did not accept the case (down, refused, or not configured)."""


class CaseUnavailableError(CaseError):
    """Open311 cannot be reached now (not configured, no connection, a time-out or a 5xx):
    the message waits and is sent later, with the ones behind it."""


class CaseRejectedError(CaseError):
    """Open311 will not take this one message (a 4xx, a value that cannot be sent, an answer
    that makes no sense): retrying it as it is will not help, so it is set aside with
    ``reason`` and the ones behind it carry on.

    Attributes:
        why: A short code for the metrics: ``refused`` (4xx), ``unsendable`` (cannot be
            encoded), ``bad_answer`` (not a case reference) or ``unexpected``.
    """

    def __init__(self, reason: str, why: str = "refused") -> None:
        super().__init__(reason)
        self.why = why


def case_form(message: dict[str, Any], api_key: str) -> dict[str, str]:
    """The Open311 form for a message left (pure)."""
    first, last = split_name(message.get("name"))
    form = {
        "api_key": api_key,
        "service_code": SERVICE_CODE,
        "description": message["text"],
        "attribute[conversation_id]": message["conversation_id"],
        "attribute[call_back]": "yes" if message.get("call_back") else "no",
    }
    for field, value in (
        ("email", message.get("email")),
        ("phone", message.get("phone")),
        ("first_name", first),
        ("last_name", last),
    ):
        if value:
            form[field] = value
    if message.get("key"):
        form["client_request_key"] = submission_key(message["key"])
    return form


def submission_key(entry_key: str) -> str:
    """The Open311 ``client_request_key`` of an outbox entry (``conversation_id:client_id``).

    A send that timed out after the case system stored the case is tried again with the same
    key, so a service that honours keys (the built-in one) gives back that case rather than
    making a second one. Hashed: the key's alphabet is narrower than a client id's.
    """
    return "relay-" + hashlib.sha256(entry_key.encode()).hexdigest()[:32]


def encoded(form: dict[str, str]) -> bytes:
    """The form as the bytes of a POST body, or ``CaseRejectedError`` naming the field that
    cannot be sent (a lone surrogate: half a character, which UTF-8 cannot hold)."""
    for field, value in form.items():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise CaseRejectedError(
                f"the {field} holds a character that cannot be sent (a lone surrogate)", "unsendable"
            ) from None
    return urlencode(form).encode("ascii")


def reference_in(status: int, body: Any) -> str:
    """The case reference in Open311's answer to a POST, or the error it is (pure).

    Raises:
        CaseUnavailableError: a 5xx, 408 or 429.
        CaseRejectedError: any other 4xx, or any answer that is not a 201 with a reference.
    """
    if status >= 500 or status in BUSY:
        raise CaseUnavailableError(f"Open311 answered {status}")
    if 400 <= status < 500:
        raise CaseRejectedError(f"the case system refused it ({status}): {_description(body)}")
    try:
        reference = body[0]["service_request_id"]
    except (TypeError, KeyError, IndexError):
        reference = None
    if status != 201 or not isinstance(reference, str) or not reference:
        raise CaseRejectedError(
            f"the case system answered {status} without a case reference; check it was not created before retrying",
            "bad_answer",
        )
    return reference


def _description(body: Any) -> str:
    try:
        return str(body[0]["description"])[:300]
    except (TypeError, KeyError, IndexError):
        return str(body)[:300]


class CaseClient:
    def __init__(
        self,
        session: aiohttp.ClientSession,
        base_url: str,
        api_key: str,
        timeout: float = 5.0,
        response_format: str = "json",
    ) -> None:
        self.session = session
        self.base_url = base_url
        self.api_key = api_key
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self.response_format = response_format  # OPEN311_FORMAT: json or xml

    async def create(self, message: dict[str, Any]) -> str:
        """Create the case; its reference (e.g. NB-2026-000123).

        Raises:
            CaseUnavailableError: Open311 is not configured, cannot be reached, timed out
                or answered 5xx.
            CaseRejectedError: Open311 will not take this message (see the class).
        """
        if not self.base_url or not self.api_key:
            raise CaseUnavailableError("OPEN311_URL and OPEN311_API_KEY are not set")
        body = encoded(case_form(message, self.api_key))
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        try:
            async with self.session.post(
                self.base_url + open311_xml.path_in("requests.json", self.response_format),
                data=body,
                headers=headers,
                timeout=self.timeout,
            ) as response:
                if response.status >= 500 or response.status in BUSY:
                    raise CaseUnavailableError(f"Open311 answered {response.status}")
                try:
                    answer = open311_xml.load(await response.read(), self.response_format)
                except ValueError:
                    answer = None
                return reference_in(response.status, answer)
        except (aiohttp.ClientConnectionError, asyncio.TimeoutError) as exc:
            raise CaseUnavailableError(f"Open311 unreachable: {type(exc).__name__}") from None
        except aiohttp.ClientError as exc:
            raise CaseRejectedError(
                f"the case system's answer could not be read: {type(exc).__name__}", "bad_answer"
            ) from None


def retry_after(failures: int, every: float, longest: float = 600.0) -> float:
    """Seconds to wait before the next try after ``failures`` outages in a row (pure):
    ``every`` while Open311 is up, then 15 s doubling up to ``longest``."""
    if failures <= 0:
        return every
    return min(longest, 15.0 * 2 ** (failures - 1))


class Outbox:
    """Messages waiting for Open311, kept in Redis (through ``Store``) until it accepts them.

    Only an outage (``CaseUnavailableError``) stops the sending: everything else that goes
    wrong with one message sets that message aside with its reason, for a supervisor
    (``/manager/set-aside/``), and the ones behind it carry on.
    """

    def __init__(self, store: Store, client: CaseClient, metrics: Metrics | None = None) -> None:
        self.store = store
        self.client = client
        self.metrics = metrics
        self.failures = 0  # outages in a row, for the back-off

    async def pending(self) -> int:
        return await self.store.outbox_length()

    async def flush(self) -> dict[str, str]:
        """Send what is waiting, oldest first, until Open311 is down. Returns the references
        of what was sent, by entry key (``conversation_id:client_id``)."""
        # One sender at a time across relay processes, or a message could become two cases.
        token = secrets.token_hex(8)
        if not await self.store.outbox_lock(token):
            return {}
        try:
            return await self._send_waiting(token)
        finally:
            await self.store.outbox_unlock(token)

    async def _send_waiting(self, token: str) -> dict[str, str]:
        sent: dict[str, str] = {}
        while True:
            raw = await self.store.outbox_first()
            if raw is None:
                self.failures = 0
                return sent
            try:
                message = json.loads(raw)
                reference = await self.client.create(message)
            except CaseUnavailableError as exc:
                self.failures += 1
                log.warning("outbox: %d message(s) still waiting for Open311 (%s)", await self.pending(), exc)
                return sent
            except CaseRejectedError as exc:
                await self._set_aside(raw, str(exc), exc.why)
                continue
            except (RedisError, asyncio.CancelledError):
                raise
            except Exception as exc:  # noqa: BLE001 - whatever it is, it must not block the rest
                log.exception("outbox: a message could not be sent")
                await self._set_aside(raw, f"it could not be sent ({type(exc).__name__})", "unexpected")
                continue
            self.failures = 0
            await self.store.outbox_done(raw)
            sent[message.get("key", "")] = reference
            if not await self.store.outbox_keep_lock(token):  # still ours: keep it while we work
                return sent

    async def _set_aside(self, raw: str, reason: str, why: str) -> None:
        # Never let one bad message hold up the ones behind it; keep it for a person.
        log.error("outbox: a message left was set aside for a supervisor: %s", reason)
        await self.store.outbox_reject(raw, reason)
        if self.metrics is not None:
            self.metrics.set_aside_by_why.labels(why).inc()

    async def run(self, every: float = 60.0) -> None:
        while True:
            await asyncio.sleep(retry_after(self.failures, every))
            try:
                await self.flush()
            except RedisError:
                pass
