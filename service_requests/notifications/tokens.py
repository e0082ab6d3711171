"""Signed unsubscribe links (pure): a token per case, so a link cannot be guessed for another."""

from __future__ import annotations

import base64
import hashlib
import hmac
import urllib.parse


def sign(secret: str, reference: str) -> str:
    """The token for ``reference``: 128 bits of HMAC-SHA256, URL-safe."""
    digest = hmac.new(secret.encode(), b"unsubscribe:" + reference.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:16]).decode().rstrip("=")


def verify(secret: str, reference: str, token: str) -> bool:
    """Whether ``token`` was made by :func:`sign` for ``reference`` (constant-time)."""
    return hmac.compare_digest(sign(secret, reference), token)


def unsubscribe_url(public_url: str, secret: str, reference: str) -> str:
    """The link residents follow; ``public_url`` is where the front door is, e.g. https://chat.example.gov.uk."""
    query = urllib.parse.urlencode({"ref": reference, "token": sign(secret, reference)})
    return f"{public_url.rstrip('/')}/open311/v2/notifications/unsubscribe?{query}"
