"""Who may read /metrics, and where (contracts/README.md, "Relay HTTP").

The metrics say how many residents wait, how many advisors are free and how many
handoffs were about safeguarding: staff and monitoring only. They are served on a
listener of their own (``RELAY_METRICS_ADDRESS``), or with a bearer token
(``RELAY_METRICS_TOKEN``), or both; never openly on the residents' port.
"""

from __future__ import annotations

import hmac
from typing import Literal

Decision = Literal["serve", "not_found", "unauthorised"]


def bearer_matches(authorization: str | None, token: str) -> bool:
    """Whether an ``Authorization`` header carries ``Bearer <token>`` (compared in constant
    time, so response times do not reveal how much of a guess was right)."""
    if not authorization or not token:
        return False
    scheme, _, given = authorization.strip().partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode("utf-8", "surrogatepass"), token.encode("utf-8"))


def decide(token: str, separate_address: bool, on_metrics_listener: bool, authorization: str | None) -> Decision:
    """Whether to answer a request for /metrics.

    Args:
        token: ``RELAY_METRICS_TOKEN`` ("" when not set).
        separate_address: whether ``RELAY_METRICS_ADDRESS`` is set.
        on_metrics_listener: the request came to that address, not the residents' port.
        authorization: the request's ``Authorization`` header, if any.

    Returns:
        ``not_found`` on the residents' port when metrics live elsewhere or nothing
        protects them; ``unauthorised`` without the token where one is set; else ``serve``.
    """
    if not on_metrics_listener and (separate_address or not token):
        return "not_found"
    if token and not bearer_matches(authorization, token):
        return "unauthorised"
    return "serve"
