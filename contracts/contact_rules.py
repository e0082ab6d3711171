"""What the case system accepts in a resident's words and contact details. Pure.

One set of rules for both sides of the wire: the Open311 service refuses a request that
breaks them (``service_requests/validation.py``) and the relay checks a message left for
the contact centre by the same rules before it acknowledges it (``live_handoff/messages_left.py``),
so a message a resident was thanked for is never one the case system then refuses.

Each check returns the cleaned value (``None`` when empty) or raises ``FieldProblem``,
which says what is wrong without words: each side writes its own message (Open311 names
its form fields, the relay speaks to residents).
"""

from __future__ import annotations

import re
import unicodedata

# Text a browser could run or render as markup: the case system's staff screens show it.
WEB_CODE = re.compile(r"<\s*[a-zA-Z!/]|javascript:", re.IGNORECASE)
EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
PHONE = re.compile(r"^\+?[0-9 ()-]{7,20}$")
SURROGATE = re.compile("[\ud800-\udfff]")

SHORT_TEXT = 200  # up to this many characters a value is one line: runs of spaces become one
DESCRIPTION_LIMIT = 2000  # a message a resident leaves in the chat (the relay checks it)
# What the Open311 service takes in a description (and a free-text answer, status notes, an
# update): other clients send more than the chat does. FixMyStreet's UK description is
# "title: …\n\ndetail: …\n\nurl: …\n\nSubmitted via FixMyStreet\n" (perllib/Open311.pm
# ``_generate_service_request_description``). At least DESCRIPTION_LIMIT, so a message the
# chat accepted is always one the case system takes.
OPEN311_DESCRIPTION_LIMIT = 10_000
NAME_LIMIT = 100  # each of first_name and last_name
EMAIL_LIMIT = 254
PHONE_LIMIT = 20

# What each problem means: "unreadable" (a lone surrogate: half of a character, which no
# system can store or send), "control" (an invisible control character), "web_code",
# "too_long", "format" (not an email address / phone number).
KINDS = ("unreadable", "control", "web_code", "too_long", "format")


class FieldProblem(ValueError):
    """A value the case system refuses.

    Attributes:
        kind: One of ``KINDS``.
        limit: The most characters allowed (``too_long``).
        length: How many it had (``too_long``).
    """

    def __init__(self, kind: str, limit: int = 0, length: int = 0) -> None:
        super().__init__(kind)
        self.kind = kind
        self.limit = limit
        self.length = length

    def __str__(self) -> str:
        return self.kind if self.kind != "too_long" else f"too_long ({self.length} > {self.limit})"


def _control(value: str, multiline: bool) -> bool:
    allowed = "\t\n\r" if multiline else ""
    return any(unicodedata.category(c) == "Cc" and c not in allowed for c in value)


def clean(value: str | None, limit: int) -> str | None:
    """A value as the case system stores it, or ``FieldProblem``.

    Values allowed up to ``SHORT_TEXT`` characters are one line (runs of white space become
    one space); longer ones (descriptions) keep their lines and lose only leading and
    trailing white space.

    Args:
        value: As given (``None`` when not given).
        limit: The most characters allowed, after cleaning.

    Returns:
        The cleaned value, or None when it is empty.

    Raises:
        FieldProblem: unreadable, control, web_code or too_long.
    """
    if value is None:
        return None
    if SURROGATE.search(value):
        raise FieldProblem("unreadable")
    multiline = limit > SHORT_TEXT
    value = value.strip() if multiline else " ".join(value.split())
    if not value:
        return None
    if _control(value, multiline):
        raise FieldProblem("control")
    if WEB_CODE.search(value):
        raise FieldProblem("web_code")
    if len(value) > limit:
        raise FieldProblem("too_long", limit, len(value))
    return value


def clean_email(value: str | None) -> str | None:
    """An email address the case system accepts (None when empty), or ``FieldProblem``."""
    email = clean(value, EMAIL_LIMIT)
    if email and not EMAIL.match(email):
        raise FieldProblem("format")
    return email


def clean_phone(value: str | None) -> str | None:
    """A phone number the case system accepts (None when empty), or ``FieldProblem``."""
    phone = clean(value, PHONE_LIMIT)
    if phone and not PHONE.match(phone):
        raise FieldProblem("format")
    return phone


def split_name(name: str | None) -> tuple[str | None, str | None]:
    """A name as the case system's first and last names: the first word, then the rest."""
    parts = (name or "").strip().split(" ", 1)
    first = parts[0] or None
    last = parts[1].strip() or None if len(parts) > 1 else None
    return first, last
