"""Reading a POSTed form: a body that cannot be read is the client's mistake (400), never a 500."""

from __future__ import annotations

import logging

from aiohttp import web

from service_requests.errors import Open311Error

logger = logging.getLogger(__name__)


async def read_form(request: web.Request, content_types: tuple[str, ...]) -> dict[str, str]:
    """The submitted form's text fields, or a 400 in the standard's shape.

    aiohttp's form parsers raise assorted errors on a broken body (a multipart body
    without its boundary, an unknown charset, bytes the charset cannot decode): each is
    the client's mistake, so it is a 400 saying so, never a 500.

    Args:
        request: The POST.
        content_types: The form types this endpoint takes.

    Raises:
        Open311Error: 400 for another content type or a body that cannot be read.
    """
    if not request.body_exists:
        return {}  # fields in the query string only, as the community Swagger description puts them
    if request.content_type not in content_types:
        raise Open311Error(
            400, "send the request form-encoded (application/x-www-form-urlencoded)", reason="not_a_form"
        )
    try:
        form = await request.post()
    except web.HTTPException:
        raise  # 413 too large: the middleware answers it
    except Exception as exc:  # noqa: BLE001 - see the docstring
        logger.info("Unreadable %s body: %s", request.content_type, type(exc).__name__)
        raise Open311Error(
            400, f"the {request.content_type} body could not be read", reason="unreadable_body"
        ) from None
    return check_text_fields({k: v for k, v in form.items() if isinstance(v, str)})


def check_text_fields(fields: dict[str, str]) -> dict[str, str]:
    """The fields, if every name and value is text that can be stored.

    Raises:
        Open311Error: 400 naming the first field holding a lone surrogate (possible with a
            ``charset=utf-7`` body), which SQLite and every client would fail to encode.
    """
    for name, value in fields.items():
        for text in (name, value):
            try:
                text.encode("utf-8")
            except UnicodeEncodeError:
                shown = name.encode("utf-8", "backslashreplace").decode("ascii", "replace")[:40]
                raise Open311Error(400, f"{shown} holds a character that is not valid text") from None
    return fields
