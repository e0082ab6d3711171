"""Websocket frames: parse and check what clients send, against contracts/relay/*.schema.json.

One place turns raw text into a checked frame or a ``FrameError`` whose code and message
go back to the client as an `error` frame (never a dropped socket, never a stack trace).
"""

from __future__ import annotations

import json
import math
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

CONTRACTS = Path(__file__).resolve().parents[1] / "contracts" / "relay"
SCHEMA_FILES = ("common", "resident_client", "resident_server", "advisor_client", "advisor_server")
# No frame in the contracts nests deeper than 3 (hello.page); the margin is for extensions.
MAX_DEPTH = 8
# Far beyond any count, score or limit in a frame, far below what slows int() down.
MAX_DIGITS = 30
# An integral float is the same JSON number as the integer (JSON Schema counts 5.0 as an
# integer); converted up to here, where floats still hold every integer exactly.
EXACT_INTEGERS = 2**53
MAX_DETAIL = 200


class FrameError(Exception):
    """A frame the relay cannot accept; ``code`` is one of the contract's error codes."""

    def __init__(self, code: str, message: str, client_id: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.client_id = client_id
        self.field: str | None = None  # the form field at fault, when the resident typed it
        self.frame_type: str | None = None  # the type of the frame refused, when it said one

    def frame(self) -> dict[str, Any]:
        """The `error` frame telling the client what went wrong."""
        out: dict[str, Any] = {"type": "error", "code": self.code, "message": self.message}
        if self.client_id:
            out["client_id"] = self.client_id
        if self.field:
            out["field"] = self.field
        return out


@cache
def _schemas() -> dict[str, dict]:
    return {name: json.loads((CONTRACTS / f"{name}.schema.json").read_text()) for name in SCHEMA_FILES}


@cache
def validator(schema: str, frame_type: str) -> jsonschema.Draft202012Validator:
    """A validator for one frame type of one schema file (e.g. ``resident_client``, ``message``)."""
    schemas = _schemas()
    store = {s["$id"]: s for s in schemas.values()}
    root = schemas[schema]
    resolver = jsonschema.RefResolver(base_uri=root["$id"], referrer=root, store=store)
    return jsonschema.Draft202012Validator(
        {"$ref": f"#/$defs/{frame_type}"}, resolver=resolver, format_checker=jsonschema.FormatChecker()
    )


def frame_types(schema: str) -> tuple[str, ...]:
    return tuple(_schemas()[schema]["properties"]["type"]["enum"])


def _describe(error: jsonschema.ValidationError) -> str:
    where = ".".join(str(p) for p in error.absolute_path)
    if error.validator == "additionalProperties":
        said = error.message.replace("Additional properties are not allowed", "Unexpected field(s)")
    elif error.validator == "required":
        said = error.message.replace("is a required property", "is missing")
    else:
        said = f"{where or 'frame'}: {error.message}"
    # The message quotes the value: a 60 kB value must not come back in a 60 kB error.
    return said if len(said) <= MAX_DETAIL else said[: MAX_DETAIL - 1] + "…"


class _Refused(Exception):
    """Raised from inside ``json.loads`` hooks; becomes a ``bad_json`` FrameError."""


def _integer(literal: str) -> int:
    if len(literal.lstrip("-")) > MAX_DIGITS:
        raise _Refused(f"a number has more than {MAX_DIGITS} digits")
    return int(literal)


def _number(literal: str) -> float | int:
    value = float(literal)
    if not math.isfinite(value):
        raise _Refused(f"the number {literal[:20]} is too large")
    if value.is_integer() and abs(value) <= EXACT_INTEGERS:
        return int(value)
    return value


def _constant(name: str) -> None:
    raise _Refused(f"{name} is not a JSON number")


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _Refused(f"the key {key[:40]!r} appears twice in one object")
            seen.add(key)
    return out


def _path(parts: tuple[str | int, ...]) -> str:
    return ".".join(str(p) for p in parts) or "frame"


# The fields residents type, as they are named to them (the same words as a message left's form).
TYPED_FIELDS = {
    "text": "Your message",
    "name": "Your name",
    "email": "Your email address",
    "phone": "Your phone number",
}


def _broken_field(path: tuple[str | int, ...], client_id: str | None) -> FrameError:
    """The error for a frame holding a lone surrogate: in a field the resident typed, in
    their words and naming the field (the widget keeps a form open beside it)."""
    if len(path) == 1 and path[0] in TYPED_FIELDS:
        error = FrameError(
            "invalid",
            f"{TYPED_FIELDS[str(path[0])]} has a character we cannot read (often from copying and pasting). "
            "Please type it again.",
            client_id,
        )
        error.field = str(path[0])
        return error
    return FrameError(
        "invalid",
        f"{_path(path)}: holds a broken character (a lone UTF-16 surrogate such as \\ud800), "
        "which is not text. Please type it again.",
        client_id,
    )


def _broken_text(value: Any) -> tuple[str | int, ...] | None:
    """Where a string (key or value) holds a lone surrogate, or None.

    Also refuses nesting deeper than MAX_DEPTH. A lone surrogate (``"\\ud800"``) is valid
    JSON but not text: it cannot be encoded to store in Redis or to send on to Rasa,
    Open311 or an advisor, so the frame is refused rather than changed behind the
    resident's back.
    """
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(value, ())]
    while stack:
        item, where = stack.pop()
        if len(where) >= MAX_DEPTH:
            raise _Refused(f"the frame is nested more than {MAX_DEPTH} levels deep")
        if isinstance(item, str):
            if not _is_text(item):
                return where
        elif isinstance(item, dict):
            for key, inner in item.items():
                if not _is_text(key):
                    return (*where, "(a key)")
                stack.append((inner, (*where, key[:40])))
        elif isinstance(item, list):
            stack.extend((inner, (*where, index)) for index, inner in enumerate(item))
    return None


def _is_text(value: str) -> bool:
    if value.isascii():
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def loads(raw: str | bytes) -> Any:
    """Decode a client's JSON strictly.

    Refuses what ``json.loads`` lets through but nothing downstream can use: nesting
    deeper than MAX_DEPTH (deep input would otherwise end in RecursionError), NaN and
    Infinity, numbers too large for a float or longer than MAX_DIGITS, and duplicate keys
    (which copy of a duplicated key wins differs between parsers). Integral numbers
    written as floats (``5.0``, ``5e0``) become integers, as JSON Schema counts them.

    Raises:
        FrameError: ``bad_json``, saying what was wrong.
    """
    try:
        return json.loads(
            raw, parse_int=_integer, parse_float=_number, parse_constant=_constant, object_pairs_hook=_object
        )
    except _Refused as exc:
        raise FrameError("bad_json", f"That frame was refused: {exc}.") from None
    except RecursionError:
        raise FrameError("bad_json", f"That frame is nested more than {MAX_DEPTH} levels deep.") from None
    except (ValueError, UnicodeDecodeError):
        raise FrameError("bad_json", "That was not valid JSON. Each frame must be one JSON object.") from None


def decode(raw: str | bytes) -> Any:
    """Decode JSON from a client as strictly as a frame, for the relay's HTTP APIs.

    Like ``loads``, and a string or key holding a lone surrogate is refused too.

    Raises:
        FrameError: ``bad_json`` or ``invalid``, saying what was wrong.
    """
    value = loads(raw)
    try:
        broken = _broken_text(value)
    except _Refused as exc:
        raise FrameError("bad_json", f"That was refused: {exc}.") from None
    if broken is not None:
        raise FrameError("invalid", f"{_path(broken)}: holds a lone UTF-16 surrogate (such as \\ud800), not text.")
    return value


def parse(raw: str | bytes, schema: str, max_text_chars: int | None = None) -> dict[str, Any]:
    """Parse one frame a client sent.

    Args:
        raw: The websocket message.
        schema: ``resident_client`` or ``advisor_client``.
        max_text_chars: The relay's limit on a message's ``text``.

    Returns:
        The frame, checked against its type's schema.

    Raises:
        FrameError: with code ``bad_json`` (not JSON, or JSON nothing can use: see
            ``loads``), ``unknown_type``, ``invalid`` (against the schema, or a string
            holding a lone surrogate) or ``too_large``.
    """
    frame = loads(raw)
    if not isinstance(frame, dict):
        raise FrameError("bad_json", 'Each frame must be a JSON object with a "type".')
    try:
        broken = _broken_text(frame)
    except _Refused as exc:
        raise FrameError("bad_json", f"That frame was refused: {exc}.") from None
    kind = frame.get("type")
    client_id = (
        frame.get("client_id")
        if isinstance(frame.get("client_id"), str) and len(frame["client_id"]) <= 64 and _is_text(frame["client_id"])
        else None
    )
    if broken is not None:
        error = _broken_field(broken, client_id)
        error.frame_type = kind if isinstance(kind, str) else None
        raise error
    if kind not in frame_types(schema):
        raise FrameError(
            "unknown_type",
            f"Unknown frame type {str(kind)[:40]!r}; expected one of: " + ", ".join(frame_types(schema)),
            client_id,
        )
    errors = sorted(validator(schema, kind).iter_errors(frame), key=lambda e: list(e.absolute_path))
    if errors:
        raise FrameError("invalid", f"{kind}: " + "; ".join(_describe(e) for e in errors[:3]), client_id)
    text = frame.get("text")
    if max_text_chars is not None and isinstance(text, str) and len(text) > max_text_chars:
        raise FrameError(
            "too_large",
            f"Messages can be up to {max_text_chars} characters; this one has "
            f"{len(text)}. Please split it into shorter messages.",
            client_id,
        )
    if isinstance(text, str) and not text.strip():
        raise FrameError("invalid", f"{kind}: text is empty", client_id)
    return frame


def check_outgoing(frame: dict[str, Any], schema: str) -> list[str]:
    """Problems with a frame the relay sends (used by tests to hold the relay to the contract)."""
    kind = frame.get("type")
    if kind not in frame_types(schema):
        return [f"unknown type {kind!r}"]
    return [_describe(e) for e in validator(schema, kind).iter_errors(frame)]
