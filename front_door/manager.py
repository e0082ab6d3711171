"""The managers' page: the council insight report for a month, live from the relay's
measurement events, with a month picker and a clear page when a month has no
conversations. For managers and supervisors; others sign in at /staff/."""

from __future__ import annotations

import asyncio
import datetime as dt
import html
import re
from urllib.parse import urlencode

from aiohttp import web

from contracts.calendar import bank_holidays
from front_door.staff import pages_for
from insight import events as ev
from insight import figures as fg
from insight import labels, report
from insight.figures import previous_month
from insight.open311 import lookup_statuses
from insight.report import MONTHS
from live_handoff import SETTINGS, current_user, messages_set_aside

MONTH = re.compile(r"^20[0-9]{2}-(0[1-9]|1[0-2])$")
EARLIEST = "2024-01"


def month_name(month: str) -> str:
    year, number = month.split("-")
    return f"{MONTHS[int(number) - 1]} {year}"


def empty_text(month: str, this_month: str) -> str:
    """What the page says for a month with no conversations: 'yet' while it is running."""
    name = month_name(month)
    if month > this_month:
        return f"{name} has not started yet, so there are no conversations to report."
    if month == this_month:
        return f"No conversations in {name} yet."
    return f"There were no conversations in {name}."


def set_aside_notice(count: int, retention_days: int) -> str:
    """The notice at the top of the page while messages left by residents could not be
    delivered to the case system ("" when there are none). It holds no personal data."""
    if count <= 0:
        return ""
    messages = "1 message" if count == 1 else f"{count} messages"
    verb = "was" if count == 1 else "were"
    return (
        '<section class="set-aside-notice" role="region" aria-labelledby="set-aside-title">'
        f'<h2 id="set-aside-title">{messages} from residents could not be delivered to the case system</h2>'
        f"<p>{messages} left for the contact centre {verb} refused by the case system, or waited too "
        "long for it, and are set aside. The residents were told their message was received, so "
        "nobody will contact them unless someone acts.</p>"
        '<p>What a supervisor should do: open <a href="/manager/set-aside/">the messages set aside</a>, which '
        "says why each was not taken: reply to the resident or enter the message in the case system, "
        "then delete it, or retry them once the case system is working again. "
        f"Messages set aside are deleted {retention_days} days after they were left.</p></section>"
    )


def _picker(month: str, this_month: str, roles: list[str]) -> str:
    links = "".join(
        f'<li><a href="{p.path}">{html.escape(p.title)}</a></li>' for p in pages_for(roles) if p.path != "/manager/"
    )
    return (
        '<div class="staff-bar"><nav aria-label="Staff pages"><ul>'
        f'<li><a href="/staff/">All your pages</a></li>{links}</ul></nav>'
        '<form class="month-picker" method="get" action="/manager/">'
        '<label for="month">Month</label>'
        f'<input type="month" id="month" name="month" value="{month}" min="{EARLIEST}" max="{this_month}" '
        'required aria-describedby="month-hint">'
        '<span id="month-hint" class="month-hint">For example, 2026-10 for October 2026</span>'
        '<button type="submit">Show report</button></form></div>'
    )


def _shell(title: str, body: str, picker: str) -> str:
    return (
        '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>{html.escape(title)}</title><link rel="stylesheet" href="/reports/report.css">'
        '<link rel="stylesheet" href="/staff/manager.css"></head><body>'
        f'{picker}<div class="page"><header class="masthead">'
        '<p class="organisation">Northbridge Borough Council</p>'
        f"<h1>{html.escape(title)}</h1></header><main>{body}</main></div></body></html>"
    )


def _render(
    redis_url: str, prefix: str, month: str, open311: str, picker: str, this_month: str, open311_key: str = ""
) -> str:
    start, end = fg.month_period(month)
    first, after = fg.period_bounds(start, end)
    events = ev.read_redis(redis_url, prefix, first - fg.REPEAT_WINDOW, after + dt.timedelta(days=1))
    if not any(e.kind == "conversation_started" and first <= e.at < after for e in events):
        return _shell(
            f"Council insight: {month_name(month)}",
            f'<div class="empty-state"><h2>{html.escape(empty_text(month, this_month))}</h2>'
            "<p>Conversations appear here once residents use the web chat. Choose another month "
            "above to see its report.</p></div>",
            picker,
        )
    statuses: dict[str, str] | None = None
    notes: list[str] = []
    if open311:
        started = {e.conversation_id for e in events if e.kind == "conversation_started" and first <= e.at < after}
        references = {
            str(e.get("reference"))
            for e in events
            if e.kind == "case_created" and e.conversation_id in started and e.get("reference")
        }
        statuses, notes = lookup_statuses(open311, references, api_key=open311_key)
    figures = fg.compute(events, start, end, statuses=statuses, notes=notes, holidays=bank_holidays())
    produced = dt.datetime.now(fg.LONDON).strftime("%d/%m/%Y at %H:%M")
    page = report.render_html(
        figures, f"Council insight: {month_name(month)}", inline_css=False, labels=labels.load(), produced=produced
    )
    page = page.replace("</head>", '<link rel="stylesheet" href="/staff/manager.css"></head>', 1)
    return page.replace("<body>", "<body>" + picker, 1)


async def report_page(request: web.Request) -> web.Response:
    user = await current_user(request)
    if user is None:
        asked = "/manager/" + (f"?{urlencode({'month': request.query['month']})}" if "month" in request.query else "")
        raise web.HTTPFound("/staff/?" + urlencode({"next": asked}))
    roles = user["roles"].split(",")
    if "manager" not in roles:
        return web.Response(
            status=403,
            text="This page is for contact-centre managers. Your pages are at /staff/.",
            content_type="text/plain",
        )
    today = dt.datetime.now(fg.LONDON).date()
    this_month = today.strftime("%Y-%m")
    month = request.query.get("month") or previous_month(today)
    if not MONTH.match(month):
        picker = _picker(this_month, this_month, roles)
        body = (
            '<div class="empty-state" role="alert"><h2>That is not a month</h2>'
            "<p>Choose a month with the picker, or type it as year and month, for example 2026-10.</p></div>"
        )
        return web.Response(
            status=400,
            text=_shell("Council insight", body, picker),
            content_type="text/html",
            headers={"Cache-Control": "no-store"},
        )
    settings = request.app[SETTINGS]
    notice = set_aside_notice(await messages_set_aside(request.app), settings.retention_days)
    html_page = await asyncio.to_thread(
        _render,
        settings.redis_url,
        settings.key_prefix,
        month,
        settings.open311_url,
        _picker(month, this_month, roles) + notice,
        this_month,
        settings.open311_staff_key,  # private cases' outcomes count too
    )
    return web.Response(text=html_page, content_type="text/html", headers={"Cache-Control": "no-store"})
