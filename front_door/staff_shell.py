"""The shell every server-rendered staff page shares: head, staff navigation, masthead."""

from __future__ import annotations

import html

from aiohttp import web

from front_door.staff import pages_for


def escape(value: object) -> str:
    """Text for HTML, with None as nothing."""
    return html.escape(str(value if value is not None else ""))


def staff_page(
    title: str, body: str, roles: list[str], here: str, status: int = 200, more_links: str = ""
) -> web.Response:
    """A whole staff page around ``body`` (already HTML), never cached and sending no referrer.

    Args:
        title: The page's heading and title.
        body: The main content, escaped by the caller.
        roles: The signed-in user's roles: the navigation lists the pages they may open.
        here: This page's path, left out of the navigation.
        status: The HTTP status.
        more_links: Extra ``<li>`` items for the navigation, after the pages.
    """
    links = "".join(
        f'<li><a href="{escape(p.path)}">{escape(p.title)}</a></li>' for p in pages_for(roles) if p.path != here
    )
    page = (
        '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}: Northbridge Borough Council</title>"
        '<link rel="stylesheet" href="/reports/report.css"><link rel="stylesheet" href="/staff/manager.css"></head>'
        # The skip link: a keyboard user lands on the page's own content, not the navigation.
        '<body><a class="skip-link" href="#main">Skip to main content</a>'
        '<div class="staff-bar"><nav aria-label="Staff pages"><ul>'
        f'<li><a href="/staff/">All your pages</a></li>{links}{more_links}</ul></nav></div>'
        '<div class="page"><header class="masthead"><p class="organisation">Northbridge Borough Council</p>'
        f'<h1>{escape(title)}</h1></header><main id="main" tabindex="-1">{body}</main></div></body></html>'
    )
    return web.Response(
        text=page,
        status=status,
        content_type="text/html",
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
    )
