"""Which records are about a person: pure matching of an identifier in what was logged.

A data protection officer names a person by email, phone, case reference or conversation
id. Emails are compared in lower case and phone numbers as their digits in national form
(``contracts.contact``), so ``+44 7700 900123`` finds ``07700 900 123`` written in a chat.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from contracts.contact import emails_in, normalise_email, normalise_phone, phones_in
from contracts.references import REFERENCE_IN_TEXT

KINDS = ("email", "phone", "reference", "conversation")
CONVERSATION_ID = re.compile(r"^c_[A-Za-z0-9_-]{22}$")
REFERENCE = re.compile(r"^[A-Z]{2}-[0-9]{4}-[0-9]{6}$")

# Analytics events that exist to carry a resident's words (the editors' "residents'
# questions"): erased whole.
EDITOR_KINDS = frozenset({"unanswered", "suggestion_chosen"})
# Fields of other analytics events that hold free text or a code derived from a contact
# detail: removed, the rest of the event (kind, codes, counts, times) kept.
FREE_TEXT_FIELDS = frozenset({"text", "question", "page", "comment", "contact", "summary", "name", "email", "phone"})
# Conversation hash fields never shown, even to the person: the resume token's hash is a
# credential, not information about them.
HIDDEN_FIELDS = frozenset({"token"})


class SelectorError(ValueError):
    """The identifier given cannot be searched for; the message says why."""


@dataclass(frozen=True)
class Selector:
    """One identifier of a person: ``kind`` is one of ``KINDS``, ``value`` is normalised."""

    kind: str
    value: str

    def describe(self) -> str:
        return f"{self.kind} {self.value}"


def selector(kind: str, value: str) -> Selector:
    """A checked, normalised selector.

    Raises:
        SelectorError: unknown kind, or a value that is not an email, UK phone number,
            reference (``NB-2026-000123``) or conversation id.
    """
    value = (value or "").strip()
    if kind == "email":
        normal = normalise_email(value)
    elif kind == "phone":
        normal = normalise_phone(value)
    elif kind == "reference":
        found = REFERENCE_IN_TEXT.fullmatch(value)
        normal = (
            f"NB-{found.group(1)}-{found.group(2)}"
            if found
            else (value.upper() if REFERENCE.match(value.upper()) else "")
        )
    elif kind == "conversation":
        normal = value if CONVERSATION_ID.match(value) else ""
    else:
        raise SelectorError(f"search by one of: {', '.join(KINDS)}")
    if not normal:
        what = {
            "email": "an email address (like name@example.com)",
            "phone": "a UK phone number (like 07700 900123)",
            "reference": "a case reference (like NB-2026-000123)",
            "conversation": "a conversation id (c_ followed by 22 letters, digits, - or _)",
        }
        raise SelectorError(f"{value!r} is not {what[kind]}.")
    return Selector(kind, normal)


def strings(value: Any) -> Iterator[str]:
    """Every string inside a JSON value (keys excluded), depth first."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from strings(item)


def references_in(text: str) -> set[str]:
    """Case references written in ``text``, in their canonical form."""
    return {f"NB-{m.group(1)}-{m.group(2)}" for m in REFERENCE_IN_TEXT.finditer(text or "")}


def text_mentions(text: str, who: Selector) -> bool:
    """``text`` contains the identifier (an email, phone number, reference or conversation id)."""
    if who.kind == "email":
        return "@" in text and who.value in emails_in(text)
    if who.kind == "phone":
        return who.value in phones_in(text)
    if who.kind == "reference":
        return who.value in references_in(text)
    return who.value in text


def mentions(records: Iterable[Any], who: Selector) -> bool:
    """Any string in ``records`` (events, hash fields, outbox entries) mentions the person."""
    return any(text_mentions(text, who) for record in records for text in strings(record))


def visible_fields(fields: dict[str, str]) -> dict[str, str]:
    """A conversation's hash as shown in an export: credentials left out."""
    return {k: v for k, v in sorted(fields.items()) if k not in HIDDEN_FIELDS}


def redact_analytics(event: dict[str, Any], conversation_ids: set[str]) -> dict[str, Any] | None:
    """An analytics event as it stays after an erasure of ``conversation_ids``.

    Pure. Events of other conversations are returned unchanged; the editors' question
    entries of these conversations are dropped (None); their other events keep kind,
    codes and numbers but lose any free text. The conversation id stays, so counts stay
    right, but once its records are gone it is linked to nobody.
    """
    if event.get("conversation_id") not in conversation_ids:
        return event
    if event.get("kind") in EDITOR_KINDS:
        return None
    return {k: v for k, v in event.items() if k not in FREE_TEXT_FIELDS}


def case_references(fields: dict[str, str], analytics: Iterable[dict[str, Any]]) -> set[str]:
    """References of the cases made in a conversation: its ``cases`` field, and the
    ``case_created`` and ``message_left`` events recorded for it."""
    found = references_in(fields.get("cases", ""))
    for event in analytics:
        if event.get("kind") in ("case_created", "message_left") and event.get("reference"):
            found |= references_in(str(event["reference"]))
    return found
