"""Read everything held about one person: the relay's Redis (conversations, messages left,
analytics, the audit trail), Rasa's trackers in the same Redis, and the cases in the
Open311 service through its staff-only privacy extension.

Conversations are found by reading every one (Redis ``SCAN`` over ``{prefix}:conv:*``):
a council keeps a few thousand within its retention period, and reading 2,000 takes about
a quarter of a second (docs/subject-access.md has the figures and how they were
measured). No index of residents' details is kept just to make this faster.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from live_handoff.privacy.finding import Selector, case_references, mentions, references_in
from live_handoff.retention import set_aside_message
from live_handoff.store import LoggedEvent, Store

# Rasa's RedisTrackerStore and RedisLockStore with ``key_prefix: frontdesk``
# (bot/endpoints.redis.yml): keys are "<prefix>:tracker:<sender id>" and
# "<prefix>:lock:<sender id>"; the relay uses the conversation id as the sender id.
RASA_KEY_PREFIX = "frontdesk"
BATCH = 200  # conversations read per round trip
MODES = ("bot", "queued", "advisor", "closed")


def tracker_key(cid: str) -> str:
    return f"{RASA_KEY_PREFIX}:tracker:{cid}"


def lock_key(cid: str) -> str:
    return f"{RASA_KEY_PREFIX}:lock:{cid}"


class CaseSystemError(Exception):
    """The Open311 service did not answer, or refused the staff key."""


class NoPrivacyExtensionError(CaseSystemError):
    """The case system is a council's own CRM without this project's privacy extension."""


class CaseSystem:
    """The Open311 service's privacy extension (service_requests/privacy_api.py), with the staff key."""

    def __init__(self, session: aiohttp.ClientSession, base_url: str, staff_key: str) -> None:
        self.session = session
        self.base_url = base_url
        self.staff_key = staff_key
        self.timeout = aiohttp.ClientTimeout(total=30)

    @property
    def configured(self) -> bool:
        return bool(self.base_url and self.staff_key)

    async def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            async with self.session.request(method, self.base_url + path, timeout=self.timeout, **kwargs) as response:
                body = await response.json(content_type=None)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
            raise CaseSystemError(
                f"the Open311 service at {self.base_url} did not answer ({type(exc).__name__})"
            ) from None
        if response.status == 404:
            raise NoPrivacyExtensionError("the case system has no privacy extension (a council's own CRM?)")
        if response.status >= 400:
            description = body[0].get("description") if isinstance(body, list) and body else response.status
            raise CaseSystemError(f"the Open311 service refused: {description}")
        return body

    async def search(self, **params: str) -> list[dict[str, Any]]:
        """Full records of the requests matching ``email``, ``phone``, ``service_request_id`` or ``conversation_id``."""
        return list(await self._call("GET", "privacy/requests.json", params={"api_key": self.staff_key, **params}))

    async def erase(self, ids: list[str]) -> list[str]:
        """Anonymise these requests; returns the ids anonymised."""
        if not ids:
            return []
        form = {"api_key": self.staff_key, "service_request_id": ",".join(ids)}
        body = await self._call("POST", "privacy/erase.json", data=form)
        return [row["service_request_id"] for row in body]


@dataclass
class Conversation:
    cid: str
    fields: dict[str, str]
    events: list[LoggedEvent]


@dataclass
class Found:
    """Everything held about one person, as read (``render.document`` makes it an export)."""

    who: Selector
    conversations: dict[str, Conversation] = field(default_factory=dict)
    outbox: list[str] = field(default_factory=list)  # raw entries, as stored (to remove them exactly)
    rejected: list[str] = field(default_factory=list)
    cases: dict[str, dict[str, Any]] = field(default_factory=dict)
    case_system: str = "built-in"  # "built-in", "own" (a CRM: its own process) or "none"
    references: set[str] = field(default_factory=set)  # every case reference linked to the person
    analytics: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    audit: list[dict[str, Any]] = field(default_factory=list)
    trackers: dict[str, Any] = field(default_factory=dict)
    # Council mode: the person's cases on the front door's watch list, with the updates sent
    # (set by the front door's privacy page: ``service_requests.watched_about``).
    watched: list[dict[str, Any]] = field(default_factory=list)
    scanned: int = 0
    seconds: float = 0.0

    @property
    def empty(self) -> bool:
        return not (
            any(c.fields or c.events for c in self.conversations.values())
            or self.outbox
            or self.rejected
            or self.cases
            or self.trackers
            or self.watched
            or (self.case_system == "own" and self.references)  # cases only the CRM can show
        )


async def _load(store: Store, cids: list[str]) -> list[Conversation]:
    async with store.redis.pipeline(transaction=False) as pipe:
        for cid in cids:
            pipe.hgetall(store.key("conv", cid))
            pipe.xrange(store.key("log", cid))
        rows = await pipe.execute()
    return [
        Conversation(
            cid, rows[2 * i], [LoggedEvent(i_, json.loads(f["e"]), f.get("a", "all")) for i_, f in rows[2 * i + 1]]
        )
        for i, cid in enumerate(cids)
    ]


# Each conversation's hash values and logged events as one string: parsing Redis's nested
# replies for every event in Python is what makes a scan slow, so the scan first reads one
# string per conversation, picks out the few that could match, and parses only those.
TEXT_OF = """
local out = {}
for i = 1, #KEYS, 2 do
  local parts = {}
  local fields = redis.call('HGETALL', KEYS[i])
  for j = 2, #fields, 2 do parts[#parts + 1] = fields[j] end
  for _, row in ipairs(redis.call('XRANGE', KEYS[i + 1], '-', '+')) do
    for j = 2, #row[2], 2 do parts[#parts + 1] = row[2][j] end
  end
  out[#out + 1] = table.concat(parts, '\\n')
end
return out
"""


NON_DIGITS = re.compile(r"\D+")
UNICODE_ESCAPE = re.compile(r"\\u[0-9a-fA-F]{4}")  # JSON's escape of a character: not digits of a number


def could_mention(raw: str, who: Selector) -> bool:
    """A quick test on a conversation's raw text that never misses a match (it may find
    more than ``finding.mentions``, which then decides on the parsed records)."""
    if who.kind == "email":
        return who.value in raw.lower()
    if "\\u" in raw:
        raw = UNICODE_ESCAPE.sub(" ", raw)
    digits = NON_DIGITS.sub("", raw)
    if who.kind == "phone":
        return who.value[1:] in digits  # without the 0, which +44 replaces
    if who.kind == "reference":
        return who.value[3:].replace("-", "") in digits
    return who.value in raw


async def scan_conversations(store: Store, who: Selector) -> tuple[list[Conversation], int]:
    """Every conversation whose hash or log mentions the person, and how many were read."""
    text_of = store.redis.register_script(TEXT_OF)
    candidates: list[str] = []
    scanned = 0
    prefix = store.key("conv", "")
    batch: list[str] = []

    async def read(cids: list[str]) -> None:
        keys = [k for cid in cids for k in (store.key("conv", cid), store.key("log", cid))]
        for cid, raw in zip(cids, await text_of(keys=keys)):
            if could_mention(raw, who):
                candidates.append(cid)

    async for key in store.redis.scan_iter(match=prefix + "*", count=1000):
        batch.append(key[len(prefix) :])
        if len(batch) >= BATCH:
            await read(batch)
            scanned += len(batch)
            batch = []
    if batch:
        await read(batch)
        scanned += len(batch)
    found = []
    for start in range(0, len(candidates), BATCH):
        loaded = await _load(store, candidates[start : start + BATCH])
        found += [c for c in loaded if mentions([c.fields, *(e.event for e in c.events)], who)]
    return found, scanned


async def _cases(found: Found, cases: CaseSystem | None, **params: str) -> None:
    if found.case_system != "built-in" or cases is None:
        return
    try:
        for case in await cases.search(**params):
            found.cases[case["service_request_id"]] = case
    except NoPrivacyExtensionError:
        found.case_system = "own"


# The entries of a stream (field ``e`` = JSON) that mention any of ARGV[3..], from ARGV[1]
# (inclusive), at most ARGV[2] read; returns {last id read, id, e, id, e, ...}. Filtering in
# Redis spares reading a whole analytics stream into Python for a handful of conversations.
ENTRIES_ABOUT = """
local rows = redis.call('XRANGE', KEYS[1], ARGV[1], '+', 'COUNT', tonumber(ARGV[2]))
local out = {''}
if #rows > 0 then out[1] = rows[#rows][1] end
for _, row in ipairs(rows) do
  local fields, body = row[2], nil
  for j = 1, #fields, 2 do if fields[j] == 'e' then body = fields[j + 1] end end
  if body then
    for i = 3, #ARGV do
      if string.find(body, ARGV[i], 1, true) then
        out[#out + 1] = row[1]
        out[#out + 1] = body
        break
      end
    end
  end
end
return out
"""
PAGE = 5000


async def stream_entries_about(store: Store, key: str, cids: list[str]) -> list[tuple[str, dict[str, Any]]]:
    """Entries of stream ``key`` whose ``conversation_id`` is one of ``cids``, oldest first."""
    if not cids:
        return []
    script = store.redis.register_script(ENTRIES_ABOUT)
    wanted, found, start = set(cids), [], "-"
    while True:
        reply = await script(keys=[key], args=[start, PAGE, *cids])
        last, pairs = reply[0], reply[1:]
        for i in range(0, len(pairs), 2):
            event = json.loads(pairs[i + 1])
            if event.get("conversation_id") in wanted:
                found.append((pairs[i], event))
        if not last:
            return found
        start = "(" + last


async def find(store: Store, cases: CaseSystem | None, who: Selector) -> Found:
    """Everything held about the person named by ``who``.

    Args:
        store: The relay's store.
        cases: The Open311 privacy extension, or None when no Open311 service is configured.
        who: The person's identifier.

    Raises:
        redis.exceptions.RedisError: Redis is unreachable.
        CaseSystemError: the Open311 service is configured but did not answer.
    """
    started = time.monotonic()
    found = Found(who, case_system="built-in" if cases is not None and cases.configured else "none")
    if who.kind == "conversation":
        conversations = await _load(store, [who.value])
    else:
        conversations, found.scanned = await scan_conversations(store, who)
    found.conversations = {c.cid: c for c in conversations}
    if who.kind == "conversation":
        found.conversations.setdefault(who.value, Conversation(who.value, {}, []))
    # Messages left wait in the outbox (or were refused) with the resident's name and contact details.
    outbox = await store.redis.lrange(store.key("outbox"), 0, -1)
    rejected = await store.set_aside_raw()
    analytics: list[tuple[str, dict[str, Any]]] = []
    analytics_read: set[str] = set()
    searched: set[str] = set()
    if who.kind in ("email", "phone"):
        await _cases(found, cases, **{who.kind: who.value})
    elif who.kind == "reference":
        found.references.add(who.value)
    for _ in range(3):  # conversations lead to cases and cases to conversations: follow both ways
        linked = {json.loads(raw).get("conversation_id", "") for raw in outbox if mentions([json.loads(raw)], who)} | {
            set_aside_message(raw).get("conversation_id", "") for raw in rejected if mentions([json.loads(raw)], who)
        }
        linked |= {str(c.get("attributes", {}).get("conversation_id", "")) for c in found.cases.values()}
        new = sorted(cid for cid in linked if cid and cid not in found.conversations)
        for conversation in await _load(store, new) if new else []:
            found.conversations[conversation.cid] = conversation
        unread = sorted(set(found.conversations) - analytics_read)
        analytics += await stream_entries_about(store, store.key("analytics"), unread)
        analytics_read.update(unread)
        for conversation in found.conversations.values():
            found.references |= case_references(
                conversation.fields, (e for _, e in analytics if e.get("conversation_id") == conversation.cid)
            )
        for cid in sorted(set(found.conversations) - searched):
            searched.add(cid)
            await _cases(found, cases, conversation_id=cid)
        wanted = sorted(found.references - set(found.cases))
        if wanted:
            await _cases(found, cases, service_request_id=",".join(wanted))
        found.references |= set(found.cases)
        if not new and not wanted:
            break
    cids = set(found.conversations)
    found.outbox = [
        raw for raw in outbox if json.loads(raw).get("conversation_id") in cids or mentions([json.loads(raw)], who)
    ]
    found.rejected = [
        raw
        for raw in rejected
        if set_aside_message(raw).get("conversation_id") in cids or mentions([json.loads(raw)], who)
    ]
    analytics += await stream_entries_about(store, store.key("analytics"), sorted(cids - analytics_read))
    found.analytics = sorted(
        ((i, e) for i, e in analytics if e.get("conversation_id") in cids),
        key=lambda entry: tuple(int(part) for part in entry[0].split("-")),
    )
    found.audit = [e for _, e in await stream_entries_about(store, store.key("audit"), sorted(cids))]
    if cids:
        ordered = sorted(cids)
        for cid, raw in zip(ordered, await store.redis.mget([tracker_key(c) for c in ordered])):
            if raw:
                try:
                    found.trackers[cid] = json.loads(raw)
                except ValueError:
                    found.trackers[cid] = raw
    found.references |= {r for c in found.conversations.values() for r in references_in(c.fields.get("cases", ""))}
    found.seconds = time.monotonic() - started
    return found
