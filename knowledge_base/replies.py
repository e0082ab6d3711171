"""What the bot says for a route: the same function for the chat and for editors' previews."""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from bot.components.patterns import looks_like_a_reference
from knowledge_base.articles import Article, KnowledgeBase
from knowledge_base.opening_hours import DEFAULT_WEEKLY, parse_weekly, weekly_in_words
from knowledge_base.routes import OUT_OF_SCOPE, intent_for_route

REPEATED_OUT_OF_SCOPE = "out_of_scope:repeated"
SEARCH_URL = "https://www.northbridge.example/search"
DEFAULT_ADVISOR_HOURS = weekly_in_words(parse_weekly(DEFAULT_WEEKLY))
MAX_BUTTON_TITLE = 60
TRACK_WITH_REFERENCE = "track_request:with_reference"
TRACK_MALFORMED = "track_request:malformed"


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass(frozen=True)
class Reply:
    """One bot reply: Markdown-subset text, quick-reply buttons, optional handoff."""

    text: str
    buttons: tuple[Button, ...] = ()
    handoff: dict[str, Any] | None = field(default=None)


def _button(title: str, route: str) -> Button:
    return Button(title=title, payload="/" + intent_for_route(route))


def render_article(article: Article, kb: KnowledgeBase) -> Reply:
    """The answer to an article, with its links and follow-up buttons."""
    labels = kb.messages["labels"]
    parts = [article.answer]
    links_not_in_answer = [link for link in article.links if link.url not in article.answer]
    if links_not_in_answer:
        lines = "\n".join(f"- [{link.title}]({link.url})" for link in links_not_in_answer)
        parts.append(f"{labels['more_information']}:\n{lines}")
    buttons = [
        _button(f"{labels['report_prefix']} {kb.messages.get('service_names', {}).get(code, code)}", f"request:{code}")
        for code in article.related_requests
    ]
    if article.offer_advisor:
        buttons.append(_button(labels["talk_to_advisor"], "handoff"))
    return Reply(text="\n\n".join(parts), buttons=tuple(buttons))


def _govuk_pointer(text: str, kb: KnowledgeBase) -> str | None:
    lowered = " " + re.sub(r"[^a-z0-9]+", " ", text.lower()) + " "
    for pointer in kb.messages.get("govuk_pointers", []):
        if any(f" {kw.lower()} " in lowered for kw in pointer["keywords"]):
            return f"[{pointer['title']}]({pointer['url']})"
    return None


def render_route(
    route: str,
    kb: KnowledgeBase,
    *,
    text: str = "",
    reference: str | None = None,
    misunderstandings: int = 0,
    signposts: Sequence[str] = (),
    suggestions: Sequence[str] = (),
    topic: str | None = None,
    advisor_hours: str = DEFAULT_ADVISOR_HOURS,
) -> Reply:
    """The reply for a route.

    Args:
        route: the route name, e.g. ``faq:council-tax-pay`` or ``urgent:emergency``.
        kb: the loaded knowledge base.
        text: the resident's message (used to point out-of-scope questions to GOV.UK).
        reference: a request reference found in the message, if any.
        misunderstandings: how many out-of-scope replies in a row came before this one.
        signposts: urgent categories whose numbers go under the answer
            (:func:`knowledge_base.routes.signposts`).
        suggestions: with route ``suggest``, the ``faq:`` routes to offer as buttons.
        topic: with route ``missing_topic``, the topic's name (None: not named).
        advisor_hours: when advisors are there, in words (``RELAY_HOURS_TEXT`` or
            ``RELAY_OPENING_HOURS``, see knowledge_base.opening_hours).

    Returns:
        The reply to send.
    """
    reply = _render(
        route,
        kb,
        text=text,
        reference=reference,
        misunderstandings=misunderstandings,
        topic=topic,
        advisor_hours=advisor_hours,
    )
    if suggestions:
        offered = tuple(
            _button(_short(kb.article(r[4:]).title), r)
            for r in suggestions
            if r.startswith("faq:") and r[4:] in kb.articles
        )
        reply = replace(reply, buttons=offered + reply.buttons)
    extra = [kb.messages["urgent"][name]["signpost"] for name in signposts if name in kb.messages.get("urgent", {})]
    if extra:
        reply = replace(reply, text="\n\n".join([reply.text, *extra]))
    return reply


def _short(title: str) -> str:
    return title if len(title) <= MAX_BUTTON_TITLE else title[: MAX_BUTTON_TITLE - 1].rstrip() + "…"


def _search_link(topic: str | None) -> str:
    if topic:
        return f"[search for {topic}]({SEARCH_URL}?{urllib.parse.urlencode({'q': topic})})"
    return f"[search northbridge.example]({SEARCH_URL})"  # never the resident's words in a link


def _render(
    route: str,
    kb: KnowledgeBase,
    *,
    text: str,
    reference: str | None,
    misunderstandings: int,
    topic: str | None,
    advisor_hours: str,
) -> Reply:
    if route.startswith("faq:"):
        return render_article(kb.article(route[4:]), kb)

    key = route
    if route == "missing_topic" and not topic:
        key = "missing_topic:unnamed"
    if route == OUT_OF_SCOPE and misunderstandings >= 1:
        key = REPEATED_OUT_OF_SCOPE
    if route == "track_request" and reference:
        key = TRACK_WITH_REFERENCE
    elif route == "track_request" and looks_like_a_reference(text):
        key = TRACK_MALFORMED
    message = kb.messages["routes"][key]

    values = {
        "reference": reference or "",
        "advisor_hours": advisor_hours,
        "topic": topic or "",
        "search_link": _search_link(topic),
    }
    if route.startswith("request:"):
        code = route.split(":", 1)[1]
        values.update(service_code=code, service_name=kb.messages.get("service_names", {}).get(code, code))
    body = message["text"].strip()
    for name, value in values.items():
        body = body.replace("{" + name + "}", value)

    if route == OUT_OF_SCOPE:
        pointer = _govuk_pointer(text, kb)
        if pointer:
            body += f"\n\nThis may be answered on GOV.UK: {pointer}"

    buttons = tuple(_button(b["title"], b["route"]) for b in message.get("buttons", []))
    handoff = dict(message["handoff"]) if "handoff" in message else None
    return Reply(text=body, buttons=buttons, handoff=handoff)


def render_report_confirm(service_code: str, kb: KnowledgeBase, alternatives: Sequence[str] = ()) -> Reply:
    """ "Do you want to report a missed bin?" with Yes and No, and any article that may be
    what the resident meant instead."""
    name = kb.messages.get("service_names", {}).get(service_code, service_code.replace("_", " "))
    body = kb.messages["routes"]["report_confirm"]["text"].strip().replace("{service_name}", name)
    buttons = [
        Button(title=f"Yes, report {name}"[:MAX_BUTTON_TITLE], payload=f"/request_{service_code}"),
        Button(title="No", payload="no"),
    ]
    buttons += [
        _button(_short(kb.article(r[4:]).title), r)
        for r in alternatives
        if r.startswith("faq:") and r[4:] in kb.articles
    ]
    return Reply(text=body, buttons=tuple(buttons))
