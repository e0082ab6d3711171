"""Waiting for state another task writes, with a deadline instead of a fixed sleep.

A frame on a socket, an HTTP answer or a line from a subprocess often arrives before the
bookkeeping that goes with it is written (the relay answers first, then records). A test
that reads that state straight after is racing the writer; one that sleeps a fixed time is
racing the machine's load. These poll until the state is there, and fail naming what never
happened, so a slow CI run waits a little longer instead of failing.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

T = TypeVar("T")


async def until(check: Callable[[], Awaitable[T] | T], what: str, timeout: float = 10.0, every: float = 0.05) -> T:
    """Poll ``check`` until it returns something truthy, and return that.

    Args:
        check: a function, plain or async, returning the state looked for (truthy when there).
        what: what should happen, for the failure message ("the turn is marked answered").
        timeout: seconds to wait before failing; generous, as a loaded 2-core CI machine is slow.
        every: seconds between checks.

    Returns:
        The first truthy value ``check`` returned.

    Raises:
        AssertionError: naming ``what`` and the last value seen, if the deadline passes.
    """
    deadline = time.monotonic() + timeout
    while True:
        value: Any = check()
        if inspect.isawaitable(value):
            value = await value
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"{what}: not within {timeout} s (last seen: {value!r})")
        await asyncio.sleep(every)


def until_sync(check: Callable[[], T], what: str, timeout: float = 10.0, every: float = 0.05) -> T:
    """``until`` for tests that are not async (subprocesses, HTTP with ``requests``)."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"{what}: not within {timeout} s (last seen: {value!r})")
        time.sleep(every)
