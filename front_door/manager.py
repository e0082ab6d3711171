"""The managers' page: the council insight report for a month, live from the relay's
measurement events. Only for people with the manager role."""

from __future__ import annotations

import asyncio
import datetime as dt
import re

from aiohttp import web

from insight import events as ev
from insight import figures as fg
from insight import labels, report
from insight.figures import previous_month
from insight.open311 import lookup_statuses
from insight.report import MONTHS
from live_handoff import SETTINGS, current_user

MONTH = re.compile(r"^20[0-9]{2}-(0[1-9]|1[0-2])$")


def _render(redis_url: str, prefix: str, month: str, open311: str) -> str:
    start, end = fg.month_period(month)
    first, after = fg.period_bounds(start, end)
    events = ev.read_redis(redis_url, prefix, first - fg.REPEAT_WINDOW, after + dt.timedelta(days=1))
    statuses, notes = None, []
    if open311:
        started = {e.conversation_id for e in events if e.kind == "conversation_started" and first <= e.at < after}
        references = {str(e.get("reference")) for e in events
                      if e.kind == "case_created" and e.conversation_id in started and e.get("reference")}
        statuses, notes = lookup_statuses(open311, references)
    from contracts.calendar import bank_holidays
    figures = fg.compute(events, start, end, statuses=statuses, notes=notes, holidays=bank_holidays())
    produced = dt.datetime.now(fg.LONDON).strftime("%d/%m/%Y at %H:%M")
    return report.render_html(figures, f"Council insight: {MONTHS[start.month - 1]} {start.year}",
                              inline_css=False, labels=labels.load(), produced=produced)


async def report_page(request: web.Request) -> web.Response:
    user = await current_user(request)
    if user is None:
        raise web.HTTPFound("/console/?next=/manager/")
    if "manager" not in user["roles"].split(","):
        return web.Response(status=403, text="This page is for contact-centre managers.", content_type="text/plain")
    month = request.query.get("month") or previous_month(dt.datetime.now(fg.LONDON).date())
    if not MONTH.match(month):
        return web.Response(status=400, text="month must look like 2026-10", content_type="text/plain")
    settings = request.app[SETTINGS]
    html = await asyncio.to_thread(_render, settings.redis_url, settings.key_prefix, month, settings.open311_url)
    return web.Response(text=html, content_type="text/html", headers={"Cache-Control": "no-store"})
