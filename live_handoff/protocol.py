"""Websocket frames: parse and check what clients send, against contracts/relay/*.schema.json.

One place turns raw text into a checked frame or a ``FrameError`` whose code and message
go back to the client as an `error` frame (never a dropped socket, never a stack trace).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

CONTRACTS = Path(__file__).resolve().parents[1] / "contracts" / "relay"
SCHEMA_FILES = ("common", "resident_client", "resident_server", "advisor_client", "advisor_server")


class FrameError(Exception):
    """A frame the relay cannot accept; ``code`` is one of the contract's error codes."""

    def __init__(self, code: str, message: str, client_id: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.client_id = client_id

    def frame(self) -> dict[str, Any]:
        """The `error` frame telling the client what went wrong."""
        out: dict[str, Any] = {"type": "error", "code": self.code, "message": self.message}
        if self.client_id:
            out["client_id"] = self.client_id
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
        return error.message.replace("Additional properties are not allowed", "Unexpected field(s)")
    if error.validator == "required":
        return error.message.replace("is a required property", "is missing")
    return f"{where or 'frame'}: {error.message}"


def parse(raw: str | bytes, schema: str, max_text_chars: int | None = None) -> dict[str, Any]:
    """Parse one frame a client sent.

    Args:
        raw: The websocket message.
        schema: ``resident_client`` or ``advisor_client``.
        max_text_chars: The relay's limit on a message's ``text``.

    Returns:
        The frame, checked against its type's schema.

    Raises:
        FrameError: with code ``bad_json``, ``unknown_type``, ``invalid`` or ``too_large``.
    """
    try:
        frame = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise FrameError("bad_json", "That was not valid JSON. Each frame must be one JSON object.") from None
    if not isinstance(frame, dict):
        raise FrameError("bad_json", 'Each frame must be a JSON object with a "type".')
    kind = frame.get("type")
    client_id = (
        frame.get("client_id") if isinstance(frame.get("client_id"), str) and len(frame["client_id"]) <= 64 else None
    )
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
