"""Submission keys: a client's resend of the same report finds the case it already made.

A client (the chat) sends ``client_request_key`` with a POST to ``requests.json``; the
same key from the same API key gives back the stored case instead of making another.
Pure: no I/O.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping

from service_requests.errors import Open311Error

FIELD = "client_request_key"
# Long enough for a UUID or a hex digest with a prefix; plain characters only, since it
# is logged and compared byte for byte.
KEY = re.compile(r"^[A-Za-z0-9._:-]{8,100}$")


def request_key(form: Mapping[str, str]) -> str | None:
    """The submission's key, or None when the client sent none.

    Raises:
        Open311Error: 400 when a key is sent but is not 8 to 100 letters, digits or ``._:-``.
    """
    value = form.get(FIELD)
    if value is None or value == "":
        return None
    if not KEY.match(value):
        raise Open311Error(400, f"{FIELD} must be 8 to 100 letters, digits, dots, colons or dashes")
    return value


def client_of(api_key: str) -> str:
    """Who submitted, as stored beside the key: a digest, so the database never holds API keys."""
    return hashlib.sha256(api_key.encode()).hexdigest()[:32]
