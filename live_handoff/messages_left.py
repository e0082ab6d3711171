"""Messages residents leave for the contact centre when no advisor can take the chat:
what the case system accepts, what goes in the outbox, and the keyed code that lets
reports count repeat contact without holding anyone's details. Pure."""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import Any

HTML = re.compile(r"<\s*[a-zA-Z!/]|javascript:", re.IGNORECASE)  # what the case system refuses


def refused(frame: dict[str, Any]) -> bool:
    """The case system would refuse this message (it looks like web code)."""
    return bool(HTML.search(frame["text"]) or HTML.search(frame.get("name", "")))


def outbox_entry(cid: str, frame: dict[str, Any], left_at: int = 0) -> dict[str, Any]:
    """The outbox entry for a ``leave_message`` frame, keyed so a resend is one case.

    ``left_at`` (Unix ms) lets the relay set aside a message the case system has not taken
    before the retention period ends, instead of it expiring unseen (``retention.py``).
    """
    return {
        "left_at": left_at,
        "key": f"{cid}:{frame['client_id']}",
        "conversation_id": cid,
        "text": frame["text"],
        "name": frame.get("name", ""),
        "email": frame.get("email", ""),
        "phone": frame.get("phone", ""),
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
