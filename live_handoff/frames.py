"""The relay's websocket frames as Python types, mirroring contracts/relay/*.schema.json.

One TypedDict per frame (or per shared piece); ``SCHEMAS`` says which ``$defs`` entry of
which schema file each one mirrors, and tests/live_handoff/unit/test_frames.py holds
them to it (same fields, same required fields), so the types cannot drift from the
contract. ``protocol.parse`` checks what clients send; the builders here make what the
relay sends. Keys that are Python keywords (``from``) need the functional syntax.

Pure: no I/O.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Literal, TypedDict

Mode = Literal["bot", "queued", "advisor", "closed"]
Change = Literal["queued", "joined", "transferred", "handed_back", "wait_cancelled", "closed", "unavailable"]
ErrorCode = Literal[
    "bad_json",
    "unknown_type",
    "invalid",
    "too_large",
    "rate_limited",
    "hello_first",
    "unknown_conversation",
    "not_allowed",
    "already_claimed",
    "at_capacity",
    "closed",
    "unavailable",
    "internal",
    "idle",
]


def iso(ms: int | str | None = None) -> str:
    """A frame's time (``at``): ISO-8601 in UTC, to the second; now when ``ms`` is empty."""
    if ms in (None, ""):
        ms = int(datetime.now(timezone.utc).timestamp() * 1000)
    return datetime.fromtimestamp(int(ms) / 1000, timezone.utc).isoformat(timespec="seconds")


def later(a: str, b: str) -> bool:
    """Stream id ``a`` comes after stream id ``b`` (``b`` empty means the start)."""
    return tuple(map(int, a.split("-"))) > tuple(map(int, (b or "0-0").split("-")))


# Shared pieces (common.schema.json) ------------------------------------------------


class _ButtonBase(TypedDict):
    title: str


class Button(_ButtonBase, total=False):
    payload: str
    action: Literal["request_advisor", "cancel_wait", "leave_message", "retry", "end_chat"]


_MessageBase = TypedDict(
    "_MessageBase",
    {"type": Literal["message"], "at": str, "from": Literal["resident", "bot", "advisor", "system"], "text": str},
)


class MessageEvent(_MessageBase, total=False):
    """A logged message; ``id`` (and, for advisors, ``conversation_id``) added on delivery."""

    id: str
    conversation_id: str
    author: str
    client_id: str
    buttons: list[Button]


class _StatusBase(TypedDict):
    type: Literal["status"]
    at: str
    mode: Mode
    text: str


class StatusEvent(_StatusBase, total=False):
    """A logged change of mode; made only by ``status.status_event``."""

    id: str
    conversation_id: str
    change: Change
    reason: str
    advisor: str


class _ErrorBase(TypedDict):
    type: Literal["error"]
    code: ErrorCode
    message: str


class Error(_ErrorBase, total=False):
    client_id: str
    conversation_id: str
    retry_after: float
    field: Literal["text", "name", "email", "phone"]  # invalid leave_message: the field to correct


class _AckBase(TypedDict):
    type: Literal["ack"]
    client_id: str


class Ack(_AckBase, total=False):
    id: str
    conversation_id: str


class Pong(TypedDict):
    type: Literal["pong"]


# Sent to residents (resident_server.schema.json) -----------------------------------


class ResidentLimits(TypedDict):
    max_text_chars: int
    messages_per_minute: int


class ContactCentre(TypedDict):
    open: bool
    text: str


class _PrivacyBase(TypedDict):
    retention_days: int


class Privacy(_PrivacyBase, total=False):
    notice_url: str


class _ResidentWelcomeBase(TypedDict):
    type: Literal["welcome"]
    conversation_id: str
    mode: Mode
    resumed: bool
    limits: ResidentLimits
    contact_centre: ContactCentre


class ResidentWelcome(_ResidentWelcomeBase, total=False):
    resume_token: str
    last_id: str
    privacy: Privacy


class QueuePosition(TypedDict):
    type: Literal["queue"]
    position: int
    estimated_wait_seconds: int | None
    text: str


ResidentTyping = TypedDict(
    "ResidentTyping", {"type": Literal["typing"], "from": Literal["bot", "advisor"], "active": bool}
)

# Sent to advisors (advisor_server.schema.json) -------------------------------------


class AdvisorProfile(TypedDict):
    username: str
    name: str
    presence: Literal["available", "busy", "away"]
    capacity: int


class _SummaryBase(TypedDict):
    conversation_id: str
    mode: Mode
    reason: str | None
    priority: str | None
    summary: dict[str, Any] | None
    created_at: str


class ConversationSummary(_SummaryBase, total=False):
    queued_at: str
    advisor: str
    page: str
    cases: list[str]
    position: int


class AdvisorLimits(TypedDict):
    max_text_chars: int


class _AdvisorWelcomeBase(TypedDict):
    type: Literal["welcome"]
    advisor: AdvisorProfile
    queue: list[ConversationSummary]
    chats: list[ConversationSummary]


class AdvisorWelcome(_AdvisorWelcomeBase, total=False):
    limits: AdvisorLimits
    guides: dict[str, str]


class QueueList(TypedDict):
    type: Literal["queue"]
    items: list[ConversationSummary]


class ChatList(TypedDict):
    type: Literal["chats"]
    items: list[ConversationSummary]


class _ConversationBase(TypedDict):
    type: Literal["conversation"]
    conversation: ConversationSummary


class ConversationFrame(_ConversationBase, total=False):
    last_id: str
    access: Literal["full", "read_only"]
    may_note: bool


class _NoteBase(TypedDict):
    type: Literal["note"]
    at: str
    author: str
    text: str


class Note(_NoteBase, total=False):
    id: str
    conversation_id: str
    client_id: str


AdvisorTyping = TypedDict(
    "AdvisorTyping",
    {"type": Literal["typing"], "conversation_id": str, "from": Literal["resident", "advisor"], "active": bool},
)

# Which contract definition each type mirrors: (schema file, $defs entry).
SCHEMAS: dict[type, tuple[str, str]] = {
    Button: ("common", "button"),
    MessageEvent: ("common", "message_event"),
    StatusEvent: ("common", "status_event"),
    Error: ("common", "error"),
    Ack: ("common", "ack"),
    Pong: ("resident_server", "pong"),
    ResidentWelcome: ("resident_server", "welcome"),
    QueuePosition: ("resident_server", "queue"),
    ResidentTyping: ("resident_server", "typing"),
    AdvisorProfile: ("advisor_server", "advisor"),
    ConversationSummary: ("advisor_server", "conversation_summary"),
    AdvisorWelcome: ("advisor_server", "welcome"),
    QueueList: ("advisor_server", "queue"),
    ChatList: ("advisor_server", "chats"),
    ConversationFrame: ("advisor_server", "conversation"),
    Note: ("advisor_server", "note"),
    AdvisorTyping: ("advisor_server", "typing"),
}

# The contract's fields that are logged but added on delivery, not when the event is made.
DELIVERY_FIELDS = frozenset({"id", "conversation_id"})

# Builders for the frames the relay sends most ---------------------------------------


def ack(client_id: str, stream_id: str | None = None, conversation_id: str | None = None) -> Ack:
    frame: Ack = {"type": "ack", "client_id": client_id}
    if stream_id:
        frame["id"] = stream_id
    if conversation_id:
        frame["conversation_id"] = conversation_id
    return frame


def error(code: ErrorCode, message: str, client_id: str | None = None) -> Error:
    frame: Error = {"type": "error", "code": code, "message": message}
    if client_id:
        frame["client_id"] = client_id
    return frame


def pong() -> Pong:
    return {"type": "pong"}


def message(
    sender: Literal["resident", "bot", "advisor", "system"],
    text: str,
    *,
    author: str | None = None,
    buttons: list[Button] | None = None,
    at: str | None = None,
    **extra: Any,
) -> MessageEvent:
    """A message event to log (``extra``: the bot's own fields, e.g. its buttons or custom data)."""
    event: dict[str, Any] = {"type": "message", "at": at or iso(), "from": sender, "text": text, **extra}
    if author is not None:
        event["author"] = author
    if buttons:
        event["buttons"] = buttons
    return event  # type: ignore[return-value]


def note(author: str, text: str) -> Note:
    return {"type": "note", "at": iso(), "author": author, "text": text}
