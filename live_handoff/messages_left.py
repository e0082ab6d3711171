"""Messages residents leave for the contact centre when no advisor can take the chat:
what the case system accepts, what goes in the outbox, and the keyed code that lets
reports count repeat contact without holding anyone's details. Pure."""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import Any

from contracts import contact_rules as rules
from live_handoff.protocol import FrameError

# The fields of a message left, as residents read their labels in the widget's form.
FIELD_NAMES = {"text": "Your message", "name": "Your name", "email": "Your email address", "phone": "Your phone number"}
EXAMPLES = {"email": "name@example.com", "phone": "01632 960 123"}


class MessageRefusedError(FrameError):
    """A message left that the case system would refuse: an ``invalid`` error frame that
    names the field (``field``: text, name, email or phone), so the widget can keep the
    form open with the error beside it. Nothing is stored or acknowledged."""

    def __init__(self, field: str, message: str, client_id: str | None = None) -> None:
        super().__init__("invalid", message, client_id)
        self.field = field
        self.frame_type = "leave_message"


def problem_text(field: str, problem: rules.FieldProblem) -> str:
    """What a resident is told about one field the case system would refuse (pure)."""
    label = FIELD_NAMES[field]
    if problem.kind == "unreadable":
        return f"{label} has a character we cannot read (often from copying and pasting). Please type it again."
    if problem.kind == "control":
        return f"{label} has a hidden control character in it. Please type it again."
    if problem.kind == "web_code":
        return f'{label} cannot contain < > or "javascript:". Please use plain text.'
    if problem.kind == "too_long":
        return f"{label} is too long: it can be up to {problem.limit} characters and has {problem.length}."
    return f"{label} does not look right. Please enter it like {EXAMPLES.get(field, 'the example')}."


def checked(frame: dict[str, Any]) -> dict[str, str]:
    """A ``leave_message`` frame's fields as the case system will receive them, checked by
    the rules the Open311 service applies (``contracts/contact_rules.py``).

    Returns:
        ``text``, ``name``, ``email`` and ``phone``, cleaned ("" when not given).

    Raises:
        MessageRefusedError: the first field the case system would refuse, in form order.
    """
    checks = {
        "text": lambda v: rules.clean(v, rules.DESCRIPTION_LIMIT),
        "name": lambda v: rules.clean(v, rules.NAME_LIMIT),
        "phone": rules.clean_phone,
        "email": rules.clean_email,
    }
    out: dict[str, str] = {}
    for field, check in checks.items():
        value = frame.get(field)
        try:
            out[field] = check(value if isinstance(value, str) else None) or ""
        except rules.FieldProblem as problem:
            raise MessageRefusedError(field, problem_text(field, problem), frame.get("client_id")) from None
    if not out["text"]:
        raise MessageRefusedError("text", "Please write your message.", frame.get("client_id"))
    return out


def outbox_entry(cid: str, frame: dict[str, Any], left_at: int = 0) -> dict[str, Any]:
    """The outbox entry for a ``leave_message`` frame, keyed so a resend is one case.

    ``left_at`` (Unix ms) lets the relay set aside a message the case system has not taken
    before the retention period ends, instead of it expiring unseen (``retention.py``).
    The fields are stored as ``checked`` cleaned them, so what waits is what is sent.

    Raises:
        MessageRefusedError: the case system would refuse the message.
    """
    fields = checked(frame)
    return {
        "left_at": left_at,
        "key": f"{cid}:{frame['client_id']}",
        "conversation_id": cid,
        **fields,
        "call_back": bool(frame.get("call_back")),
    }


def logged_text(text: str) -> str:
    """How a message left appears in the conversation's log."""
    return f"(Message left for the contact centre) {text}"


def contact_key(message: dict[str, Any], secret: str) -> str:
    """A keyed one-way code for the resident's phone or email, so reports can count the
    same person contacting again without holding their details (keyed, so nobody can
    recover a phone number by trying them all)."""
    raw = (message.get("email") or "").strip().lower() or re.sub(r"\D", "", message.get("phone") or "")
    return hmac.new(secret.encode(), raw.encode(), hashlib.sha256).hexdigest()[:16] if raw else ""
