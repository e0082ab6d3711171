"""Request bodies of the relay's JSON APIs (login, staff APIs), decoded as strictly as frames."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from live_handoff.protocol import FrameError, decode


class BadBodyError(ValueError):
    """A body that is not JSON the relay can use; a ValueError, so handlers answer 400."""


async def read_json(request: web.Request) -> Any:
    """The request's JSON body.

    Unlike ``request.json()``, deep nesting, NaN, huge numbers, duplicate keys, lone
    surrogates and bytes that are not UTF-8 are refused here instead of failing later
    (a RecursionError or an encoding error deep in a handler is a 500).

    Raises:
        BadBodyError: saying what was wrong.
    """
    raw = await request.read()
    try:
        return decode(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise BadBodyError("The body is not UTF-8 text.") from None
    except FrameError as exc:
        raise BadBodyError(exc.message) from None
