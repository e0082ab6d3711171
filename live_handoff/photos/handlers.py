"""The photo endpoints (contracts/README.md, "Photos"), the sweeper that deletes photos
never sent with a report, and the counts in /metrics.

- ``POST /api/conversations/{cid}/photos``: the resident (resume token as a Bearer token)
  sends the image's bytes as the body; 201 with the photo's id and number.
- ``GET /api/conversations/{cid}/photos``: the photos waiting and sent, for the resident or
  an advisor who may read the conversation.
- ``GET|DELETE /api/conversations/{cid}/photos/{id}`` (``?size=thumb`` for a small copy).
- ``GET /photos/{secret}.jpg|png``: a photo sent with a case, for ``media_url``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from collections.abc import AsyncIterator

from aiohttp import web
from prometheus_client import Counter, Histogram

from live_handoff import access, audit, frames, limits
from live_handoff.cors import widget_cors
from live_handoff.frames import iso
from live_handoff.http_api import client_address
from live_handoff.keys import METRICS, SETTINGS, STORE
from live_handoff.photos import images
from live_handoff.photos.records import PhotoRecords, describe, new_id
from live_handoff.photos.storage import DiskFiles, PhotoFiles
from live_handoff.ratelimit import over_limit
from live_handoff.sessions import current_user

log = logging.getLogger(__name__)

CONVERSATION = re.compile(r"^c_[A-Za-z0-9_-]{22}$")
PHOTO = re.compile(r"^p_[A-Za-z0-9_-]{22}$")
PUBLIC = re.compile(r"^([A-Za-z0-9_-]{32})\.(jpg|png)$")

FILES = web.AppKey("photo_files", PhotoFiles)
COUNTS = web.AppKey("photo_counts", Counter)
SECONDS = web.AppKey("photo_seconds", Histogram)


def _error(status: int, code: str, message: str, request: web.Request | None = None) -> web.Response:
    return web.json_response(
        {"error": {"code": code, "message": message}}, status=status, headers=_cors(request) if request else {}
    )


def _records(request: web.Request) -> PhotoRecords:
    store = request.app[STORE]
    return PhotoRecords(store.redis, store.p)


def _cors(request: web.Request) -> dict[str, str]:
    """The widget on a council page (an allowed origin) may send and remove photos."""
    allowed = request.app[SETTINGS].allowed_origins
    return widget_cors(request.headers, allowed, "GET, POST, DELETE", allow_headers="Authorization, Content-Type")


def _count(request: web.Request, outcome: str) -> None:
    request.app[COUNTS].labels(outcome).inc()


async def _who(request: web.Request, cid: str) -> str | None:
    """ "resident" (the conversation's resume token), "staff" (an advisor who may read it;
    audited), or None, which every caller answers with the same 404 as an unknown chat."""
    if not CONVERSATION.match(cid):
        return None
    store = request.app[STORE]
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        return "resident" if await store.check_token(cid, header[7:].strip()) else None
    user = await current_user(request)
    roles = user["roles"].split(",") if user else []
    if user is None or "advisor" not in roles:
        return None
    granted = access.may_read(await store.conversation(cid) or {}, user["username"], roles)
    if not granted.readable:
        return None
    await audit.record(store, user["username"], granted.role, "photos", cid)
    return "staff"


def _not_found(request: web.Request) -> web.Response:
    return _error(404, "unknown_conversation", "No such conversation, or it is not yours.", request)


async def _body(request: web.Request, limit: int) -> bytes | None:
    """The request body, or None once it passes ``limit`` bytes (read no further)."""
    if request.content_length is not None and request.content_length > limit:
        return None
    chunks, size = [], 0
    async for chunk in request.content.iter_chunked(65_536):
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


async def upload(request: web.Request) -> web.Response:
    """Check, clean and keep one photo for the conversation's report."""
    cid = request.match_info["cid"]
    if await _who(request, cid) != "resident":
        _count(request, "not_allowed")
        return _not_found(request)
    settings = request.app[SETTINGS].photos
    # Before the body is read: each photo is decoded and re-encoded, which costs CPU.
    wait = await over_limit(
        request.app[STORE],
        request.app[METRICS],
        limits.PHOTOS,
        client_address(request),
        request.app[SETTINGS].limits.photos,
        limits.PHOTOS_WINDOW,
    )
    if wait:
        response = _error(429, "rate_limited", "You've added a lot of photos. Please try again later.", request)
        response.headers["Retry-After"] = limits.retry_after_header(wait)
        return response
    started = time.monotonic()
    data = await _body(request, settings.limits.max_bytes)
    if data is None:
        _count(request, "too_big")
        mb = settings.limits.max_bytes / 1_048_576
        return _error(413, "too_big", f"That photo is too big. Please choose one under {mb:g} MB.", request)
    try:
        # Decoding a 40-megapixel photo takes a moment: not on the loop other chats share.
        photo = await asyncio.get_running_loop().run_in_executor(None, images.clean, data, settings.limits)
        small = await asyncio.get_running_loop().run_in_executor(None, images.thumbnail, photo.data)
    except images.PhotoError as exc:
        _count(request, exc.code)
        return _error(422 if exc.code != "too_big" else 413, exc.code, str(exc), request)
    records, files = _records(request), request.app[FILES]
    pid = new_id()
    base = settings.public_url or f"{request.scheme}://{request.host}"
    fields = {
        "format": photo.format,
        "ext": photo.extension,
        "width": photo.width,
        "height": photo.height,
        "bytes": len(photo.data),
        "original_format": photo.original_format,
        "at": iso(),
    }
    # Files first, record last: a record never points at a file that is not there. If the
    # record is refused (too many photos) or fails, the files go again.
    await asyncio.get_running_loop().run_in_executor(None, files.save, f"{pid}.{photo.extension}", photo.data)
    await asyncio.get_running_loop().run_in_executor(None, files.save, f"{pid}.thumb.jpg", small)
    number = None
    try:
        number = await records.add(cid, pid, fields, base, settings.per_report, int(settings.pending_minutes * 60))
    finally:
        if number is None:
            files.delete(f"{pid}.{photo.extension}")
            files.delete(f"{pid}.thumb.jpg")
    if number is None:
        _count(request, "too_many")
        return _error(
            409,
            "too_many",
            f"You can add up to {settings.per_report} photos to a report. Remove one to add another.",
            request,
        )
    record = await records.get(pid) or {}
    await request.app[STORE].append(cid, frames.message("system", f"Photo {number} added to your report."))
    _count(request, "stored")
    request.app[SECONDS].observe(time.monotonic() - started)
    return web.json_response({**describe({**record, "id": pid}), "number": number}, status=201, headers=_cors(request))


async def listing(request: web.Request) -> web.Response:
    cid = request.match_info["cid"]
    if await _who(request, cid) is None:
        return _not_found(request)
    records = _records(request)
    return web.json_response(
        {
            "waiting": [describe(r) for r in await records.pending(cid)],
            "sent": [describe(r) for r in await records.sent(cid)],
        },
        headers={"Cache-Control": "no-store", **_cors(request)},
    )


async def one(request: web.Request) -> web.StreamResponse:
    """The photo (or ``?size=thumb``) for the resident or an advisor who may read the chat."""
    cid, pid = request.match_info["cid"], request.match_info["pid"]
    who = await _who(request, cid)
    record = await _records(request).get(pid) if who and PHOTO.match(pid) else None
    if record is None or record.get("cid") != cid:
        return _error(404, "unknown_photo", "No such photo.", request)
    return await _image(request, pid, record, request.query.get("size") == "thumb", "private, no-store")


async def _image(request: web.Request, pid: str, record: dict[str, str], thumb: bool, cache: str) -> web.StreamResponse:
    name = f"{pid}.thumb.jpg" if thumb else f"{pid}.{record['ext']}"
    data = await asyncio.get_running_loop().run_in_executor(None, request.app[FILES].read, name)
    if data is None:
        return _error(404, "unknown_photo", "No such photo.", request)
    return web.Response(
        body=data,
        content_type="image/jpeg" if thumb or record["ext"] == "jpg" else "image/png",
        headers={"Cache-Control": cache, "Content-Security-Policy": "default-src 'none'", **_cors(request)},
    )


async def remove(request: web.Request) -> web.Response:
    """The resident takes back a photo not yet sent with a report."""
    cid, pid = request.match_info["cid"], request.match_info["pid"]
    if await _who(request, cid) != "resident":
        return _not_found(request)
    records = _records(request)
    record = await records.get(pid) if PHOTO.match(pid) else None
    if record is None or record.get("cid") != cid:
        return _error(404, "unknown_photo", "No such photo.", request)
    if record.get("case"):
        return _error(409, "sent", f"That photo went with report {record['case']}; it can't be removed here.", request)
    await records.remove(pid)
    request.app[FILES].delete(f"{pid}.{record['ext']}")
    request.app[FILES].delete(f"{pid}.thumb.jpg")
    _count(request, "removed")
    return web.Response(status=204, headers=_cors(request))


async def public(request: web.Request) -> web.StreamResponse:
    """A photo sent with a case, at its unguessable address (``media_url``)."""
    matched = PUBLIC.match(request.match_info["name"])
    record = await _records(request).by_public(matched.group(1)) if matched else None
    if record is None or not record.get("case") or record.get("ext") != matched.group(2):  # type: ignore[union-attr]
        return _error(404, "unknown_photo", "No such photo.")
    return await _image(request, record["id"], record, False, "public, max-age=86400")


async def preflight(request: web.Request) -> web.Response:
    return web.Response(status=204, headers=_cors(request))


async def sweep_once(files: PhotoFiles, records: PhotoRecords, pending_seconds: float) -> int:
    """Delete files older than a pending photo may be whose record has gone (expired: never
    sent with a report, or removed). Returns how many files went."""
    gone = 0
    for name in files.older_than(pending_seconds):
        if not await records.known(name.split(".")[0]):
            files.delete(name)
            gone += 1
    return gone


async def _sweeper(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS].photos

    async def run() -> None:
        while True:
            await asyncio.sleep(60)
            store = app[STORE]
            try:
                gone = await sweep_once(app[FILES], PhotoRecords(store.redis, store.p), settings.pending_minutes * 60)
                if gone:
                    app[COUNTS].labels("expired").inc(gone)
            except Exception:  # Redis away: try again next minute
                log.warning("photo sweep failed", exc_info=True)

    task = asyncio.create_task(run())
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


def setup(app: web.Application) -> None:
    """Add the photo endpoints, their store and the sweeper to the relay."""
    settings = app[SETTINGS].photos
    app[FILES] = DiskFiles(settings.directory)
    registry = app[METRICS].registry
    app[COUNTS] = Counter(
        "frontdesk_photos",
        "Photo uploads and removals, by outcome (stored, too_big, not_an_image...)",
        ["outcome"],
        registry=registry,
    )
    app[SECONDS] = Histogram(
        "frontdesk_photo_upload_seconds", "Time to check, clean and store a photo", registry=registry
    )
    app.cleanup_ctx.append(_sweeper)
    path = "/api/conversations/{cid}/photos"
    app.add_routes(
        [
            web.post(path, upload),
            web.get(path, listing),
            web.options(path, preflight),
            web.get(path + "/{pid}", one),
            web.delete(path + "/{pid}", remove),
            web.options(path + "/{pid}", preflight),
            web.get("/photos/{name}", public),
        ]
    )
