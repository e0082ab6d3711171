"""The supervisors' page of messages set aside, /manager/set-aside/: messages residents left
for the contact centre that the case system refused (or that waited too long for it), with
why and when, and for supervisors Retry (back into the outbox, first in line) and Delete.

Managers see that messages wait and why, with the message masked; supervisors also see
who left each and how to reach them, so they can reply or put it right. Server-rendered
forms, no scripts; every POST carries the session's CSRF token, and each retry or delete is
recorded in the staff audit trail (``live_handoff``'s ``SetAsideDesk``).
"""

from __future__ import annotations

import datetime as dt
import hmac
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from aiohttp import web

from front_door.staff_shell import escape as _e
from front_door.staff_shell import staff_page
from live_handoff import SetAsideDesk, SetAsideDeskError, current_user

PATH = "/manager/set-aside/"
TITLE = "Messages set aside"
LONDON = ZoneInfo("Europe/London")
DONE = {"delete": "The message is deleted."}


def done_text(done: str, sent: int) -> str:
    """What the page says after an action (pure); "" for none."""
    if done in ("retry", "retry_all"):
        took = "The case system took it." if done == "retry" else f"The case system took {sent}."
        if not sent:
            took = "The case system did not take it yet." if done == "retry" else "The case system took none yet."
        return (
            f"{took} Any it did not take wait in the outbox and are tried again automatically, "
            "or are listed below again if it refused them."
        )
    return DONE.get(done, "")


def uk_time(ms: int) -> str:
    """A Unix time in ms as people in the UK read it (pure); "not known" for 0."""
    if not ms:
        return "not known"
    return dt.datetime.fromtimestamp(ms / 1000, LONDON).strftime("%d/%m/%Y %H:%M")


def _shell(body: str, roles: list[str], status: int = 200, title: str = TITLE) -> web.Response:
    return staff_page(title, body, roles, PATH, status)


def _form(csrf: str, action: str, entry_id: str, label: str, described_by: str) -> str:
    return (
        f'<form method="post" action="{PATH}">'
        f'<input type="hidden" name="csrf" value="{_e(csrf)}">'
        f'<input type="hidden" name="action" value="{_e(action)}">'
        f'<input type="hidden" name="id" value="{_e(entry_id)}">'
        f'<button type="submit" aria-describedby="{_e(described_by)}">{_e(label)}</button></form>'
    )


def entry_section(entry, number: int, csrf: str, supervisor: bool) -> str:
    """One message set aside (pure): why, when, the conversation, the masked message and,
    for supervisors, the contact details and the Retry and Delete buttons."""
    heading = f"set-aside-{number}"
    rows = [
        ("Why it was set aside", entry.reason),
        ("Left", uk_time(entry.left_at)),
        ("Set aside", uk_time(entry.set_aside_at)),
        ("Conversation", entry.conversation_id or "not known"),
        ("Message (personal details hidden)", entry.text),
    ]
    if supervisor:
        rows += [
            ("Name", entry.name or "not given"),
            ("Phone", entry.phone or "not given"),
            ("Email", entry.email or "not given"),
            ("Asked for a call back", "yes" if entry.call_back else "no"),
        ]
    details = "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in rows)
    actions = ""
    if supervisor:
        actions = (
            '<div class="actions">'
            + _form(csrf, "retry", entry.id, "Retry", heading)
            + _form(csrf, "confirm", entry.id, "Delete…", heading)
            + "</div>"
        )
    return (
        f'<section class="set-aside" aria-labelledby="{heading}">'
        f'<h2 id="{heading}">Message {number}, left {_e(uk_time(entry.left_at))}</h2>'
        f"<dl>{details}</dl>{actions}</section>"
    )


def list_body(entries: list, csrf: str, supervisor: bool, done: str = "", sent: int = 0) -> str:
    """The whole list (pure), with what was just done said first."""
    words = done_text(done, sent)
    said = f'<p role="status">{_e(words)}</p>' if words else ""
    if not entries:
        return (
            said
            + "<p>No messages are set aside. Every message residents left has reached the case system or is waiting for it.</p>"
        )
    intro = (
        f"<p>{len(entries)} message{'s' if len(entries) != 1 else ''} left by residents did not reach the case system. "
        "The residents were told their message was received, so nobody will reply unless someone acts.</p>"
        "<p>If the case system was refusing everything (it was down or misconfigured), put it right and "
        "choose Retry. If one message is the problem, reply to the resident from the details shown, enter it "
        "in the case system by hand, then Delete it. Messages are deleted anyway when the retention period ends.</p>"
    )
    if not supervisor:
        intro += "<p>Only supervisors see residents' contact details and can retry or delete.</p>"
    elif len(entries) > 1:
        intro += (
            f'<form method="post" action="{PATH}"><input type="hidden" name="csrf" value="{_e(csrf)}">'
            '<input type="hidden" name="action" value="retry_all">'
            f'<button type="submit">Retry all {len(entries)}</button></form>'
        )
    return said + intro + "".join(entry_section(e, i, csrf, supervisor) for i, e in enumerate(entries, 1))


def confirm_body(entry, csrf: str) -> str:
    """The confirmation step before a delete (pure)."""
    return (
        "<p>You are about to delete this message. It cannot be undone: make sure the resident has been "
        "answered or the message entered in the case system.</p>"
        + entry_section(entry, 1, csrf, supervisor=False)
        + f'<form method="post" action="{PATH}"><input type="hidden" name="csrf" value="{_e(csrf)}">'
        + f'<input type="hidden" name="action" value="delete"><input type="hidden" name="id" value="{_e(entry.id)}">'
        + f'<p><button type="submit">Delete now</button> <a href="{PATH}">Cancel</a></p></form>'
    )


async def _user(request: web.Request) -> tuple[dict[str, str], list[str]]:
    user = await current_user(request)
    if user is None:
        raise web.HTTPFound("/staff/?" + urlencode({"next": PATH}))
    roles = user["roles"].split(",")
    if "manager" not in roles and "supervisor" not in roles:
        raise web.HTTPForbidden(
            text="This page is for contact-centre supervisors and managers. Your pages are at /staff/.",
            content_type="text/plain",
        )
    return user, roles


async def set_aside_page(request: web.Request) -> web.Response:
    """GET: the messages set aside."""
    user, roles = await _user(request)
    entries = await SetAsideDesk(request.app).entries(roles)
    done, sent = request.query.get("done", ""), request.query.get("sent", "0")
    sent_count = int(sent) if sent.isdigit() and len(sent) < 6 else 0
    return _shell(list_body(entries, user["csrf"], "supervisor" in roles, done, sent_count), roles)


async def set_aside_action(request: web.Request) -> web.StreamResponse:
    """POST: confirm a delete, delete, or retry; supervisors only, with the CSRF token."""
    user, roles = await _user(request)
    if "supervisor" not in roles:
        return _shell('<p role="alert">Only supervisors can retry or delete messages set aside.</p>', roles, 403)
    form = await request.post()
    if not hmac.compare_digest(str(form.get("csrf", "")), user["csrf"]):
        return _shell(
            '<p role="alert">This page has expired. <a href="' + PATH + '">Load it again</a>.</p>', roles, 403
        )
    action, wanted = str(form.get("action", "")), str(form.get("id", ""))[:64]
    desk = SetAsideDesk(request.app)
    try:
        if action == "confirm":
            entry = next((e for e in await desk.entries(roles) if e.id == wanted), None)
            if entry is None:
                raise SetAsideDeskError(404, "That message is no longer set aside: someone has already dealt with it.")
            return _shell(confirm_body(entry, user["csrf"]), roles, title="Delete this message?")
        if action == "retry_all":
            await desk.retry_all(user["username"])
        else:
            await desk.act(action, wanted, user["username"])
    except SetAsideDeskError as exc:
        body = f'<p role="alert">{_e(exc.message)}</p>' + list_body(await desk.entries(roles), user["csrf"], True)
        return _shell(body, roles, exc.status)
    query = {"done": action}
    if action in ("retry", "retry_all"):
        query["sent"] = str(await desk.send_now())
    raise web.HTTPSeeOther(PATH + "?" + urlencode(query))


async def _to_page(request: web.Request) -> web.StreamResponse:
    raise web.HTTPFound(PATH)


def setup(app: web.Application) -> None:
    app.router.add_get(PATH, set_aside_page)
    app.router.add_post(PATH, set_aside_action)
    app.router.add_get(PATH.rstrip("/"), _to_page)
