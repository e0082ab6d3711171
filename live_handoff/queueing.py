"""Queue maths: who is served next, and how long a resident can expect to wait."""

from __future__ import annotations

import math

PRIORITY_RANK = {"urgent": 0, "high": 1, "normal": 2}

# Wider than any millisecond timestamp before the year 5000 (about 9.6e13), so priority
# bands never overlap; the largest score, about 3e14, is far below 2**53, so every score
# is an exact integer in a float (Redis sorted-set scores are doubles).
_BAND = 10**14

# A free advisor still has to see the request and claim it.
_CLAIM_SECONDS = 30
# Never promise less than a minute to someone who is genuinely waiting behind others.
_MIN_QUEUED_SECONDS = 60


def queue_score(priority: str, queued_at_ms: int) -> float:
    """The sort key for a queued conversation: lower is served first.

    Args:
        priority: ``"urgent"``, ``"high"`` or ``"normal"``.
        queued_at_ms: When it joined the queue, in milliseconds since the Unix epoch.

    Returns:
        A score ordering by priority, then by who has waited longest.

    Raises:
        ValueError: For an unknown priority or a timestamp outside the priority band.
    """
    if priority not in PRIORITY_RANK:
        raise ValueError(f"unknown priority {priority!r} (expected one of {', '.join(PRIORITY_RANK)})")
    if not 0 <= queued_at_ms < _BAND:
        raise ValueError(f"queued_at_ms {queued_at_ms!r} is not a millisecond timestamp")
    return float(PRIORITY_RANK[priority] * _BAND + queued_at_ms)


def estimate_wait_seconds(
    position: int, free_slots: int, advisors_available: int, handling_seconds: float
) -> int | None:
    """Roughly how long until an advisor picks up a queued conversation.

    Args:
        position: 1-based place in the queue.
        free_slots: Chats advisors could take on right now.
        advisors_available: Advisors signed in and taking chats.
        handling_seconds: Typical length of one chat.

    Returns:
        Seconds to wait, or None when no advisor is available to wait for.

    Raises:
        ValueError: If any argument is out of range.
    """
    if position < 1 or free_slots < 0 or advisors_available < 0 or handling_seconds < 0:
        raise ValueError(
            f"bad queue figures: position={position}, free_slots={free_slots}, "
            f"advisors_available={advisors_available}, handling_seconds={handling_seconds}"
        )
    if advisors_available == 0:
        return None
    if position <= free_slots:
        return _CLAIM_SECONDS
    # Each round, every advisor finishes one chat and takes the next person.
    rounds = math.ceil((position - free_slots) / advisors_available)
    return max(_MIN_QUEUED_SECONDS, int(rounds * handling_seconds))


def describe_wait(seconds: int | None) -> str:
    """A wait in words for residents, deliberately vague.

    Args:
        seconds: From :func:`estimate_wait_seconds`.

    Returns:
        ``"less than a minute"``, ``"about 5 minutes"``, ``"about 1 hour"``,
        ``"about 2 hours"`` or ``"over 2 hours"``; for None, a sentence saying
        there is no estimate.
    """
    if seconds is None:
        return "We can't estimate the wait right now"
    if seconds < 60:
        return "less than a minute"
    # Rounded up: a wait that runs longer than promised feels worse than one that is shorter.
    minutes = math.ceil(seconds / 60)
    if minutes < 60:
        return f"about {minutes} minute{'s' if minutes != 1 else ''}"
    if seconds > 2 * 3600:
        return "over 2 hours"
    # Between one and two hours, to the nearest hour (half past rounds up).
    return "about 1 hour" if seconds < 5400 else "about 2 hours"
