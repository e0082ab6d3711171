"""The data protection officer's page, /manager/privacy/: find what the web chat holds
about one person, download it (JSON or a readable page) and erase it, with a reason and
a confirmation step. For the ``dpo`` role only; others sign in at /staff/.

Server-rendered forms, no scripts. Identifiers travel only in POST bodies (never in a URL,
where they would reach access logs and browser history), and every POST carries the
session's CSRF token. Each search, download and erasure is recorded (live_handoff's
``PrivacyDesk``: the register of privacy requests and the staff audit trail).
"""

from __future__ import annotations

import hmac
import json
from urllib.parse import urlencode

from aiohttp import web

import service_requests
from front_door.staff_shell import escape as _e
from front_door.staff_shell import staff_page
from live_handoff import PrivacyDesk, PrivacyDeskError, current_user

PATH = "/manager/privacy/"
KIND_LABELS = {
    "email": "Email address",
    "phone": "Phone number",
    "reference": "Case reference",
    "conversation": "Conversation id",
}


def _shell(title: str, body: str, roles: list[str], status: int = 200) -> web.Response:
    return staff_page(title, body, roles, PATH, status, f'<li><a href="{PATH}">New search</a></li>')


def _hidden(csrf: str, kind: str = "", value: str = "", why: str = "") -> str:
    fields = {"csrf": csrf, "kind": kind, "value": value, "why": why}
    return "".join(f'<input type="hidden" name="{k}" value="{_e(v)}">' for k, v in fields.items() if v)


def _table(caption: str, headers: list[str], rows: list[list[object]]) -> str:
    if not rows:
        return f"<p>{_e(caption)}: none.</p>"
    head = "".join(f'<th scope="col">{_e(h)}</th>' for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><caption>{_e(caption)}</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def search_form(csrf: str, kind: str = "email", value: str = "", why: str = "") -> str:
    """The search form (pure)."""
    options = "".join(
        f'<option value="{k}"{" selected" if k == kind else ""}>{_e(label)}</option>'
        for k, label in KIND_LABELS.items()
    )
    return (
        f'<form class="stacked" method="post" action="{PATH}"><input type="hidden" name="action" value="search">'
        f"{_hidden(csrf)}"
        "<h2>Find a person</h2>"
        f'<p><label for="kind">Search by</label> <select id="kind" name="kind">{options}</select></p>'
        f'<p><label for="value">Email, phone, reference or conversation id</label> '
        f'<input id="value" name="value" required maxlength="200" autocomplete="off" value="{_e(value)}"></p>'
        "<p><label for=\"why\">Why (the request's reason or log number; never the person's name)</label> "
        f'<input id="why" name="why" required maxlength="300" autocomplete="off" value="{_e(why)}"></p>'
        '<p><button type="submit">Search</button></p></form>'
    )


def register_table(entries: list[dict]) -> str:
    """The latest requests answered (pure): who, when, why and how much; never the person."""
    rows = [
        [
            e.get("at", ""),
            e.get("kind", ""),
            e.get("by", ""),
            e.get("why", ""),
            e.get("searched_by", ""),
            _counts(e.get("counts") or {}),
        ]
        for e in entries[:25]
    ]
    return "<h2>Requests answered</h2>" + _table(
        "The register of privacy requests, newest first", ["When", "What", "By", "Why", "Searched by", "How much"], rows
    )


def _counts(counts: dict) -> str:
    return ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in counts.items() if v)


def summary_body(csrf: str, kind: str, value: str, why: str, found, counts: dict[str, int]) -> str:
    """What is held, with the download and erase buttons (pure)."""
    conversations = [
        [cid, c.fields.get("mode", "(expired)"), len(c.events), "yes" if c.fields.get("rating") else ""]
        for cid, c in sorted(found.conversations.items())
    ]
    cases = [
        [ref, c.get("service_name", ""), c.get("extended_status", ""), c.get("requested_datetime", "")]
        for ref, c in sorted(found.cases.items())
    ]
    crm = ""
    if found.case_system == "own" and found.references:
        crm = (
            '<p role="note">Cases are in the council\'s own case system: use its own process for '
            + _e(", ".join(sorted(found.references)))
            + ".</p>"
        )
    elif found.case_system == "none":
        crm = '<p role="note">No Open311 service is configured: cases were not searched.</p>'
    hidden = _hidden(csrf, kind, value, why)
    return (
        f"<p>Searched by {_e(KIND_LABELS.get(kind, kind).lower())}: <strong>{_e(value)}</strong> "
        f"({found.scanned} conversations read in {found.seconds:.2f} s).</p>"
        + _table("What is held", ["What", "How many"], [[k.replace("_", " "), v] for k, v in counts.items()])
        + _table("Conversations", ["Id", "Mode", "Events", "Rated"], conversations)
        + _table("Cases", ["Reference", "Service", "Status", "Opened"], cases)
        + crm
        + '<h2>Download</h2><div class="actions">'
        + f'<form method="post" action="{PATH}"><input type="hidden" name="action" value="export">'
        + f'<input type="hidden" name="format" value="json">{hidden}<button type="submit">Download JSON</button></form>'
        + f'<form method="post" action="{PATH}"><input type="hidden" name="action" value="export">'
        + f'<input type="hidden" name="format" value="html">{hidden}<button type="submit">Download readable page</button></form>'
        + "</div><h2>Erase</h2><p>Removes all of this from the chat's records and anonymises the cases. It cannot be undone.</p>"
        + f'<form method="post" action="{PATH}"><input type="hidden" name="action" value="confirm">{hidden}'
        + '<button type="submit">Erase…</button></form>'
    )


def confirm_body(csrf: str, kind: str, value: str, why: str, counts: dict[str, int]) -> str:
    """The confirmation step before an erasure (pure)."""
    return (
        f"<p>You are about to erase everything held about {_e(KIND_LABELS.get(kind, kind).lower())} "
        f"<strong>{_e(value)}</strong>, for this reason: {_e(why)}.</p>"
        + _table("What will be erased", ["What", "How many"], [[k.replace("_", " "), v] for k, v in counts.items()])
        + f'<form class="stacked" method="post" action="{PATH}"><input type="hidden" name="action" value="erase">'
        + _hidden(csrf, kind, value, why)
        + '<p class="check"><input type="checkbox" id="confirm" name="confirm" value="yes" required> '
        + '<label for="confirm">I have checked who is asking and want to erase this. It cannot be undone.</label></p>'
        + '<p><button type="submit">Erase now</button> <a href="'
        + PATH
        + '">Cancel</a></p></form>'
    )


async def _user(request: web.Request) -> dict[str, str]:
    user = await current_user(request)
    if user is None:
        raise web.HTTPFound("/staff/?" + urlencode({"next": PATH}))
    if "dpo" not in user["roles"].split(","):
        raise web.HTTPForbidden(
            text="This page is for the council's data protection officer. Your pages are at /staff/.",
            content_type="text/plain",
        )
    return user


async def privacy_page(request: web.Request) -> web.Response:
    """GET: the search form and the register of requests answered."""
    user = await _user(request)
    roles = user["roles"].split(",")
    entries = await PrivacyDesk(request.app).register()
    return _shell("Subject access and erasure", search_form(user["csrf"]) + register_table(entries), roles)


async def privacy_action(request: web.Request) -> web.StreamResponse:
    """POST: search, export (a download), confirm, or erase; always with the CSRF token."""
    user = await _user(request)
    roles = user["roles"].split(",")
    form = await request.post()
    if not hmac.compare_digest(str(form.get("csrf", "")), user["csrf"]):
        return _shell(
            "Subject access and erasure", '<p role="alert">This form has expired. Search again.</p>', roles, 403
        )
    action, kind = str(form.get("action", "")), str(form.get("kind", ""))
    value, why = str(form.get("value", "")).strip(), str(form.get("why", "")).strip()
    desk = PrivacyDesk(request.app)
    try:
        found = await desk.find(kind, value, user["username"], why, record=action == "search")
        # Council mode: the person's cases watched for status updates, and the updates sent.
        found.watched = await service_requests.watched_about(
            request.app, sorted(found.references), *_contact(found.who.kind, found.who.value)
        )
        counts = desk.summary(found)
        if action == "export":
            doc, page = await desk.export(found, user["username"], why)
            html_wanted = form.get("format") == "html"
            return web.Response(
                body=(page if html_wanted else json.dumps(doc, ensure_ascii=False, indent=2)).encode(),
                content_type="text/html" if html_wanted else "application/json",
                charset="utf-8",
                headers={
                    "Cache-Control": "no-store",
                    "Content-Disposition": f'attachment; filename="subject-access.{"html" if html_wanted else "json"}"',
                },
            )
        if action == "confirm":
            return _shell("Erase: are you sure?", confirm_body(user["csrf"], kind, value, why, counts), roles)
        if action == "erase":
            if form.get("confirm") != "yes":
                return _shell("Erase: are you sure?", confirm_body(user["csrf"], kind, value, why, counts), roles, 400)
            # Council mode: the person's cases are no longer watched for status changes.
            forgotten = await service_requests.forget_watched(
                request.app, sorted(found.references | set(found.cases)), *_contact(found.who.kind, found.who.value)
            )
            if found.empty and not forgotten:
                body = "<p>Nothing is held about them now, so there was nothing to erase.</p>"
                return _shell("Nothing to erase", body, roles)
            done = await desk.erase(found, user["username"], why)
            done["cases_no_longer_watched"] = len(forgotten)
            body = _table("What was done", ["What", "How many"], [[k.replace("_", " "), v] for k, v in done.items()])
            return _shell("Erased", '<p role="status">The erasure is done and recorded.</p>' + body, roles)
        if found.empty:
            body = '<p role="status">Nothing is held about them.</p>' + search_form(user["csrf"], kind, value, why)
            return _shell("Nothing found", body, roles)
        return _shell("What is held", summary_body(user["csrf"], kind, value, why, found, counts), roles)
    except PrivacyDeskError as exc:
        body = f'<p role="alert">{_e(exc.message)}</p>' + search_form(user["csrf"], kind or "email", value, why)
        return _shell("Subject access and erasure", body, roles, exc.status)


def _contact(kind: str, value: str) -> tuple[str, str]:
    """(email, phone) for an erasure by one of them (pure)."""
    return (value if kind == "email" else "", value if kind == "phone" else "")


def setup(app: web.Application) -> None:
    app.router.add_get(PATH, privacy_page)
    app.router.add_post(PATH, privacy_action)
    app.router.add_get("/manager/privacy", _to_page)


async def _to_page(request: web.Request) -> web.StreamResponse:
    raise web.HTTPFound(PATH)
