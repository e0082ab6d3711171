"""The relay's HTTP endpoints (contracts/README.md, "Relay HTTP"): logins, transcripts,
health and metrics. Errors are JSON: {"error": {"code", "message"}}."""

from __future__ import annotations

import re
import time

from aiohttp import web
from redis.exceptions import RedisError

from live_handoff import access, audit, auth, metrics_access, proxies, supervised, transcript
from live_handoff import answers as answer_search
from live_handoff.case_api import CaseApiError
from live_handoff.cors import widget_cors
from live_handoff.json_body import read_json
from live_handoff.keys import CASES, KNOWLEDGE, METRICS, METRICS_LISTENER, RELAY, SETTINGS, STORE
from live_handoff.limits import retry_after_header
from live_handoff.origins import origin_allowed
from live_handoff.sessions import COOKIE, csrf_ok, current_user, require
from live_handoff.store import now_ms

CONVERSATION = re.compile(r"^c_[A-Za-z0-9_-]{22}$")


def error(status: int, code: str, message: str) -> web.Response:
    return web.json_response({"error": {"code": code, "message": message}}, status=status)


@web.middleware
async def json_errors(request: web.Request, handler):
    """No stack traces for anyone; Redis trouble is a clear 503."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status >= 400 and exc.content_type != "application/json" and request.path.startswith("/api/"):
            return error(exc.status, "http_" + str(exc.status), exc.reason)
        raise
    except RedisError:
        return error(503, "unavailable", "The service cannot reach its storage. Try again shortly.")


def client_address(request: web.Request) -> str:
    """The client's address: the peer's, or from a trusted proxy what it forwarded."""
    forwarded = ",".join(request.headers.getall("X-Forwarded-For", []))
    return proxies.client_address(request.remote or "", forwarded, request.app[SETTINGS].trusted_proxies)


def came_over_https(request: web.Request) -> bool:
    """Whether the client used HTTPS: to the relay itself, or to a trusted proxy in front."""
    trusted = request.app[SETTINGS].trusted_proxies
    return proxies.client_scheme(request.remote or "", request.headers, trusted, direct=request.scheme) == "https"


async def login(request: web.Request) -> web.Response:
    if not origin_allowed(request, request.app[SETTINGS].allowed_origins, request.app[SETTINGS].trusted_proxies):
        return error(403, "not_allowed", "Log in from the relay's own address.")
    try:
        body = await read_json(request)
        username, password = str(body["username"]).strip().lower(), str(body["password"])
    except (ValueError, KeyError, TypeError):
        return error(400, "invalid", 'Send JSON: {"username": "...", "password": "..."}.')
    settings = request.app[SETTINGS]
    try:
        sid, csrf, user = await auth.login(
            request.app[STORE],
            username,
            password,
            int(settings.session_hours * 3600),
            client_address(request),
            settings.limits,
        )
    except auth.TooManyAttemptsError as exc:
        request.app[METRICS].limited.labels(exc.limit).inc()
        response = error(429, "too_many_attempts", str(exc))
        response.headers["Retry-After"] = retry_after_header(exc.retry_after)
        return response
    except auth.AuthError as exc:
        return error(401, "bad_credentials", str(exc))
    response = web.json_response(
        {
            "username": username,
            "name": user.get("name", ""),
            "roles": user.get("roles", "").split(","),
            "csrf_token": csrf,
        }
    )
    response.set_cookie(
        COOKIE,
        sid,
        httponly=True,
        samesite="Strict",
        # Never sent back over plain HTTP once the client has used HTTPS.
        secure=settings.secure_cookies or came_over_https(request),
        path="/",
        max_age=int(settings.session_hours * 3600),
    )
    return response


async def logout(request: web.Request) -> web.Response:
    user = await current_user(request)
    if user is None:
        return error(401, "not_logged_in", "You are not logged in.")
    if not csrf_ok(request, user):
        return error(403, "csrf", "Missing or wrong X-CSRF-Token header.")
    await request.app[STORE].end_session(request.cookies[COOKIE])
    await request.app[STORE].notify_session_ended(user["username"])  # its open consoles close
    response = web.Response(status=204)
    response.del_cookie(COOKIE, path="/")
    return response


async def me(request: web.Request) -> web.Response:
    user = await current_user(request)
    if user is None:
        return error(401, "not_logged_in", "Please log in.")
    return web.json_response(
        {
            "username": user["username"],
            "name": user["name"],
            "roles": user["roles"].split(","),
            "csrf_token": user["csrf"],
        }
    )


async def transcript_download(request: web.Request) -> web.Response:
    """The resident (resume token as a Bearer token), or staff who may read the
    conversation (``access.may_read``; audited). Anything else is the same 404 as an
    unknown conversation, so the answer never tells whether a conversation exists."""
    cid = request.match_info["cid"]
    store = request.app[STORE]
    not_found = error(404, "unknown_conversation", "No such conversation, or it is not yours.")
    if not CONVERSATION.match(cid):
        return not_found
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        if not await store.check_token(cid, header[7:].strip()):
            return not_found
    else:
        user = await current_user(request)
        roles = user["roles"].split(",") if user else []
        if user is None or "advisor" not in roles:
            return not_found
        granted = access.may_read(await store.conversation(cid) or {}, user["username"], roles)
        if not granted.readable:
            return not_found
        await audit.record(store, user["username"], granted.role, "transcript", cid)
    text = transcript.render(cid, await store.events_after(cid, "0-0", 10_000))
    return web.Response(
        text=text,
        content_type="text/plain",
        charset="utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="northbridge-chat-{cid[2:10]}.txt"',
            "Cache-Control": "no-store",
            **_cors(request),
        },
    )


def _cors(request: web.Request) -> dict[str, str]:
    """The widget on a council page (an allowed origin) may download its transcript."""
    return widget_cors(request.headers, request.app[SETTINGS].allowed_origins, "GET", "Content-Disposition")


async def transcript_preflight(request: web.Request) -> web.Response:
    return web.Response(status=204, headers=_cors(request))


async def widget_settings(request: web.Request) -> web.Response:
    """What the widget shows before any conversation exists: how long chats are kept and
    the council's privacy notice (the welcome frame says the same once connected)."""
    settings = request.app[SETTINGS]
    privacy: dict[str, object] = {"retention_days": settings.retention_days}
    if settings.privacy_notice_url:
        privacy["notice_url"] = settings.privacy_notice_url
    origin = request.headers.get("Origin", "").rstrip("/")
    headers = {"Cache-Control": "public, max-age=300"}
    if origin and origin in settings.allowed_origins:
        headers.update({"Access-Control-Allow-Origin": origin, "Vary": "Origin"})
    return web.json_response({"privacy": privacy}, headers=headers)


async def health(request: web.Request) -> web.Response:
    store, relay = request.app[STORE], request.app[RELAY]
    try:
        redis_ok = await store.ping()
    except (RedisError, OSError):
        redis_ok = False
    bot_ok = await relay.bot.healthy()
    set_aside, waiting, oldest = 0, 0, 0.0
    if redis_ok:
        try:
            set_aside = await store.set_aside_count()
            waiting, oldest = await store.outbox_waiting(now_ms())
        except (RedisError, OSError):
            redis_ok = False
    # Messages set aside, or left and not taken by the case system for a while, are a
    # warning, not an outage: the relay still serves residents.
    late = oldest > request.app[SETTINGS].outbox_warn_minutes * 60
    status = "unavailable" if not redis_ok else "warning" if set_aside or late else "ok"
    body = {
        "status": status,
        "redis": redis_ok,
        "bot": bot_ok,
        "messages_set_aside": set_aside,
        "messages_waiting": waiting,
        "oldest_waiting_seconds": round(oldest),
    }
    # A process being restarted by `make up`'s supervisor is a warning too.
    restarting, supervision = supervised.read(request.app[SETTINGS].supervisor_status, time.time())
    if supervision is not None:
        body["supervisor"] = supervision
        body["status"] = "warning" if restarting and status == "ok" else status
    return web.json_response(body, status=200 if redis_ok else 503)


async def messages_set_aside(app: web.Application) -> int:
    """How many messages residents left could not be delivered to the case system and
    are set aside for a supervisor (``{prefix}:outbox:rejected``)."""
    return await app[STORE].set_aside_count()


async def metrics(request: web.Request) -> web.Response:
    settings = request.app[SETTINGS]
    decision = metrics_access.decide(
        settings.metrics_token,
        settings.metrics_address is not None,
        request.app.get(METRICS_LISTENER, False),
        request.headers.get("Authorization"),
    )
    if decision == "not_found":
        return error(404, "not_found", "No such page. Metrics: see RELAY_METRICS_ADDRESS and RELAY_METRICS_TOKEN.")
    if decision == "unauthorised":
        response = error(401, "unauthorised", "Metrics need the header Authorization: Bearer <RELAY_METRICS_TOKEN>.")
        response.headers["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    body = await request.app[METRICS].render(request.app[STORE])
    return web.Response(body=body, headers={"Content-Type": "text/plain; version=0.0.4; charset=utf-8"})


async def _advisor(request: web.Request, state_changing: bool = False) -> dict[str, str]:
    return await require(request, "advisor", state_changing)


async def answers(request: web.Request) -> web.Response:
    await _advisor(request)
    query = request.query.get("q", "")[:200]
    found = answer_search.search(request.app[KNOWLEDGE].get(), query)
    return web.json_response({"answers": [{"id": a.id, "title": a.title, "answer": a.answer} for a in found]})


async def case(request: web.Request) -> web.Response:
    await _advisor(request)
    try:
        return web.json_response(await request.app[CASES].get(request.match_info["ref"]))
    except CaseApiError as exc:
        return error(exc.status, exc.code, exc.message)


async def case_status(request: web.Request) -> web.Response:
    user = await _advisor(request, state_changing=True)
    try:
        body = await read_json(request)
        status, note = str(body["extended_status"]).upper(), str(body.get("note", ""))
    except (ValueError, KeyError, TypeError):
        return error(400, "invalid", 'Send JSON: {"extended_status": "...", "note": "..."}.')
    try:
        updated = await request.app[CASES].update(
            request.match_info["ref"], status, note, user["name"] or user["username"]
        )
    except CaseApiError as exc:
        return error(exc.status, exc.code, exc.message)
    await request.app[STORE].record(
        "case_status_changed", reference=updated["service_request_id"], extended_status=status, advisor=user["username"]
    )
    return web.json_response(updated)


def routes() -> list[web.RouteDef]:
    return [
        web.post("/api/advisor/login", login),
        web.post("/api/advisor/logout", logout),
        web.get("/api/advisor/me", me),
        web.get("/api/advisor/answers", answers),
        web.get("/api/advisor/cases/{ref}", case),
        web.post("/api/advisor/cases/{ref}/status", case_status),
        web.get("/api/conversations/{cid}/transcript", transcript_download),
        web.options("/api/conversations/{cid}/transcript", transcript_preflight),
        web.get("/api/widget/settings", widget_settings),
        web.get("/health", health),
        web.get("/metrics", metrics),
    ]
