"""Answering in the format a URL asks for: ``.json`` or ``.xml`` (GeoReport v2's ``response_format``).

JSON leaves out fields whose value is unknown (``null``): GeoReport v2 types them as strings
or numbers, and its community Swagger description refuses a ``null`` where it says string.
XML leaves them out too (see ``contracts.open311_xml``).
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from contracts import open311_xml

FORMATS = ("json", "xml")
# The route pattern for ``{format}``: anything else is not a route (404).
FORMAT_PATTERN = "{format:(json|xml)}"


def format_of(request: web.Request) -> str:
    """The format the URL asks for; XML for a path ending ``.xml``, else JSON (errors too)."""
    asked = request.match_info.get("format")
    if asked in FORMATS:
        return asked
    return "xml" if request.path.endswith(".xml") else "json"


def without_nulls(data: Any) -> Any:
    """``data`` with every ``None`` value in a dict left out, at any depth."""
    if isinstance(data, dict):
        return {k: without_nulls(v) for k, v in data.items() if v is not None}
    if isinstance(data, list):
        return [without_nulls(v) for v in data]
    return data


def reply(request: web.Request, kind: str, data: Any, status: int = 200) -> web.Response:
    """The answer in the URL's format.

    Args:
        request: The request (its path gives the format).
        kind: What the answer is (a key of ``contracts.open311_xml.ROOTS``).
        data: The JSON form of the answer.
        status: HTTP status.
    """
    data = without_nulls(data)
    if format_of(request) == "xml":
        return web.Response(
            body=open311_xml.render(kind, data), status=status, content_type=open311_xml.CONTENT_TYPE, charset="utf-8"
        )
    return web.Response(text=json.dumps(data), status=status, content_type="application/json")
