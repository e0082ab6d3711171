"""Messages set aside from the outbox, for supervisors (``/manager/set-aside/``): list them,
send one back to the outbox to be tried again, or delete it.

A message is set aside when the case system would not take it (``cases.Outbox``) or it
waited too long (``retention``). Entries live in the sorted set ``{prefix}:outbox:rejected``
as ``{"reason", "set_aside_at", "message"}``; each is named here by a short hash of the
entry, so a page can point at one without putting a resident's words in a URL.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from contracts.masking import mask
from live_handoff import audit
from live_handoff.keys import RELAY, STORE
from live_handoff.store import Store

# Take the entry out of the set aside (KEYS[1]) and put its message at the front of the
# outbox (KEYS[2]), so it is the next one tried; nothing when another supervisor acted first.
# ARGV: the entry as stored, the message, retention (s).
RETRY = """
if redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('LPUSH', KEYS[2], ARGV[2])
redis.call('EXPIRE', KEYS[2], ARGV[3])
return 1
"""


@dataclass(frozen=True)
class SetAside:
    """One message set aside, as supervisors see it."""

    id: str
    raw: str
    reason: str
    set_aside_at: int  # Unix ms
    left_at: int  # Unix ms (0: not known)
    conversation_id: str
    text: str  # masked: no phone numbers, emails, dates of birth...
    name: str
    email: str
    phone: str
    call_back: bool

    def without_contact(self) -> SetAside:
        """The same entry without the resident's name and contact details (masked in the
        reason too: a case system's refusal may quote the value it refused)."""
        return SetAside(**{**self.__dict__, "reason": mask(self.reason), "name": "", "email": "", "phone": ""})


def entry_id(raw: str) -> str:
    """A short name for one stored entry (pure)."""
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def read(raw: str) -> SetAside:
    """One stored entry as supervisors see it (pure); the text is masked."""
    try:
        entry: Any = json.loads(raw)
    except ValueError:
        entry = {}
    entry = entry if isinstance(entry, dict) else {}
    message = entry.get("message")
    if not isinstance(message, dict):
        message = {"text": str(message or "")}

    def text(field: str) -> str:
        # Printable as it is: a lone surrogate (often the reason it was set aside) shows as "?".
        value = message.get(field)
        return str(value).encode("utf-8", "replace").decode("utf-8") if value else ""

    return SetAside(
        id=entry_id(raw),
        raw=raw,
        reason=str(entry.get("reason") or "not recorded (set aside by an earlier version)"),
        set_aside_at=int(entry.get("set_aside_at") or 0),
        left_at=int(message.get("left_at") or 0) if isinstance(message.get("left_at"), (int, float)) else 0,
        conversation_id=text("conversation_id"),
        text=mask(text("text")),
        name=text("name"),
        email=text("email"),
        phone=text("phone"),
        call_back=bool(message.get("call_back")),
    )


def audit_detail(reason: str) -> str:
    """Why a message had been set aside, as the audit trail keeps it (pure): the part before
    any quoted detail, since a case system's refusal may quote the resident's words."""
    return reason.split(":", 1)[0][:120]


async def entries(store: Store) -> list[SetAside]:
    """Every message set aside, oldest first (older than the retention period forgotten)."""
    return [read(raw) for raw in await store.set_aside_raw()]


async def find(store: Store, wanted: str) -> SetAside | None:
    """The entry named ``wanted`` (``entry_id``), or None when it has gone."""
    for entry in await entries(store):
        if entry.id == wanted:
            return entry
    return None


async def retry(store: Store, entry: SetAside) -> bool:
    """Send the message back to the outbox, first in line. False when it had already gone."""
    stored: Any = json.loads(entry.raw)
    message = stored.get("message") if isinstance(stored, dict) else None
    if not isinstance(message, dict):
        return False  # nothing that could be sent: only deleting it makes sense
    script = store.redis.register_script(RETRY)
    done = await script(
        keys=[store.key("outbox", "rejected"), store.key("outbox")],
        args=[entry.raw, json.dumps(message), store.ttl],
    )
    return bool(done)


async def delete(store: Store, entry: SetAside) -> bool:
    """Delete the entry. False when it had already gone."""
    return bool(await store.redis.zrem(store.key("outbox", "rejected"), entry.raw))


# Who may see what on the supervisors' page: managers see that messages are waiting and
# why; supervisors (who reply to the residents or put the message right) also see who
# left each and how to reach them, and may retry or delete.
SUPERVISOR = "supervisor"


class SetAsideDeskError(Exception):
    """A supervisor's action could not be done; ``message`` says why in plain words."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class SetAsideDesk:
    """The supervisors' page's access to messages set aside (``front_door/set_aside_page.py``).

    Args:
        app: The relay's application (its store).
    """

    def __init__(self, app: Any) -> None:
        self.store: Store = app[STORE]
        self.outbox = app[RELAY].outbox

    async def send_now(self) -> int:
        """Try the outbox now (after a retry), so the supervisor sees what happened rather
        than waiting for the next round; how many messages the case system took."""
        return len(await self.outbox.flush())

    async def entries(self, roles: list[str]) -> list[SetAside]:
        """The messages set aside, oldest first; without contact details unless ``roles``
        hold ``supervisor``."""
        found = await entries(self.store)
        return found if SUPERVISOR in roles else [e.without_contact() for e in found]

    async def act(self, action: str, wanted: str, username: str) -> SetAside:
        """Retry or delete one entry as a supervisor, recorded in the staff audit trail.

        Raises:
            SetAsideDeskError: 400 for an unknown action, 404 when the entry has gone (another
                supervisor acted first, or it was sent), 409 when it cannot be retried.
        """
        if action not in ("retry", "delete"):
            raise SetAsideDeskError(400, "Choose Retry or Delete.")
        entry = await find(self.store, wanted)
        if entry is None:
            raise SetAsideDeskError(404, "That message is no longer set aside: someone has already dealt with it.")
        done = await (retry(self.store, entry) if action == "retry" else delete(self.store, entry))
        if not done:
            if action == "retry" and await find(self.store, wanted):
                raise SetAsideDeskError(409, "This one cannot be sent again as it is (it is not a message); delete it.")
            raise SetAsideDeskError(404, "That message is no longer set aside: someone has already dealt with it.")
        await audit.record(
            self.store, username, SUPERVISOR, f"{action}_message", entry.conversation_id, audit_detail(entry.reason)
        )
        return entry

    async def retry_all(self, username: str) -> int:
        """Send every message set aside back to the outbox (after the case system was put
        right), each recorded in the audit trail; how many went back."""
        done = 0
        for entry in await entries(self.store):
            if await retry(self.store, entry):
                await audit.record(
                    self.store, username, SUPERVISOR, "retry_message", entry.conversation_id, audit_detail(entry.reason)
                )
                done += 1
        return done
