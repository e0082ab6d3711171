"""What a subject access export says, as JSON and as a readable page. Pure.

The page is for the person who asked: plain HTML with headings and tables, British
English, no scripts or outside resources, and print styles, so it can be sent by email,
opened offline or printed. Everything written by anyone is escaped.
"""

from __future__ import annotations

import datetime as dt
import json
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from live_handoff.privacy.finding import visible_fields
from live_handoff.privacy.gather import Found
from live_handoff.retention import set_aside_message

LONDON = ZoneInfo("Europe/London")
SPEAKERS = {"resident": "You", "bot": "Assistant", "system": "Council", "advisor": "Advisor"}


def document(found: Found, by: str, why: str, at: str) -> dict[str, Any]:
    """The export: everything found, grouped by where it is held.

    Args:
        found: What ``gather.find`` read.
        by: The data protection officer's username.
        why: Why the export was made (the request's reason).
        at: When (ISO 8601).
    """
    analytics_by: dict[str, list[dict[str, Any]]] = {}
    for stream_id, event in found.analytics:
        analytics_by.setdefault(event.get("conversation_id", ""), []).append({"id": stream_id, **event})
    conversations = []
    for cid, conversation in sorted(found.conversations.items()):
        fields = visible_fields(conversation.fields)
        events = analytics_by.get(cid, [])
        conversations.append(
            {
                "conversation_id": cid,
                "fields": fields,
                "events": [{"id": e.id, "audience": e.audience, **e.event} for e in conversation.events],
                "rating": {"score": fields["rating"], "comment": fields.get("comment", "")}
                if fields.get("rating")
                else None,
                "rasa_tracker": found.trackers.get(cid),
                "residents_questions": [e for e in events if e.get("kind") in ("unanswered", "suggestion_chosen")],
                "analytics": [e for e in events if e.get("kind") not in ("unanswered", "suggestion_chosen")],
                "audit": [e for e in found.audit if e.get("conversation_id") == cid],
            }
        )
    return {
        "request": {
            "kind": "subject_access",
            "at": at,
            "by": by,
            "why": why,
            "searched_by": found.who.kind,
            "value": found.who.value,
        },
        "summary": summary(found),
        "conversations": conversations,
        "messages_left": [json.loads(raw) for raw in found.outbox],
        "messages_refused": [set_aside_message(raw) for raw in found.rejected],
        "cases": [found.cases[k] for k in sorted(found.cases)],
        "case_system": found.case_system,
        "case_references": sorted(found.references),
        "cases_watched_for_updates": found.watched,
    }


def summary(found: Found) -> dict[str, int]:
    """How much was found, by kind (what the command prints and the register keeps)."""
    return {
        "conversations": sum(1 for c in found.conversations.values() if c.fields or c.events),
        "logged_events": sum(len(c.events) for c in found.conversations.values()),
        "advisor_notes": sum(
            1 for c in found.conversations.values() for e in c.events if e.event.get("type") == "note"
        ),
        "messages_left_waiting": len(found.outbox),
        "messages_refused": len(found.rejected),
        "cases": len(found.cases),
        "status_updates_to_you": sum(
            len(c.get("notifications") or []) for c in [*found.cases.values(), *found.watched]
        ),
        "cases_watched_for_updates": len(found.watched),
        "ratings": sum(1 for c in found.conversations.values() if c.fields.get("rating")),
        "rasa_trackers": len(found.trackers),
        "residents_questions": sum(
            1 for _, e in found.analytics if e.get("kind") in ("unanswered", "suggestion_chosen")
        ),
        "analytics_events": len(found.analytics),
        "audit_entries": len(found.audit),
    }


UPDATE_CHANNELS = {"email": "Email", "sms": "Text message"}


def notifications_table(updates: list[dict[str, Any]]) -> str:
    """The status-change updates queued or sent to the person about one case (no addresses or stop links)."""
    rows = [
        [
            when(u.get("queued_datetime")),
            UPDATE_CHANNELS.get(str(u.get("channel")), "") if u.get("channel") else "",
            f"{u.get('from_status') or ''} to {u.get('to_status')}" if u.get("to_status") else "",
            u.get("state"),
            when(u.get("finished_datetime")),
        ]
        for u in updates
    ]
    return _table(["When", "How", "Status change", "State", "Finished"], rows, "Updates we sent you about this case")


def _table(headers: list[str], rows: list[list[Any]], caption: str) -> str:
    if not rows:
        return f"<p>{escape(caption)}: none.</p>"
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{escape(_text(v))}</td>" for v in row) + "</tr>" for row in rows)
    return f"<table><caption>{escape(caption)}</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def when(value: Any) -> str:
    """An ISO 8601 time as people read it, in UK time ("6 Dec 2026, 00:21"); anything else as it is."""
    try:
        moment = dt.datetime.fromisoformat(str(value)).astimezone(LONDON)
    except ValueError:
        return "" if value is None else str(value)
    return f"{moment.day} {moment:%b %Y, %H:%M}"


def _speaker(event: dict[str, Any]) -> str:
    if event.get("type") == "note":
        return f"Advisor's note ({event.get('author') or 'advisor'})"
    if event.get("type") == "status":
        return "Status"
    speaker = SPEAKERS.get(str(event.get("from")), str(event.get("from") or ""))
    return f"{event.get('author')} (advisor)" if event.get("from") == "advisor" and event.get("author") else speaker


STYLE = """
body{font-family:system-ui,sans-serif;line-height:1.5;max-width:60rem;margin:1rem auto;padding:0 1rem;color:#111}
table{border-collapse:collapse;width:100%;margin:0 0 1.5rem}caption{text-align:left;font-weight:bold;padding:.25rem 0}
th,td{border:1px solid #555;padding:.3rem .5rem;text-align:left;vertical-align:top;overflow-wrap:anywhere}
th{background:#eee}td:first-child{white-space:nowrap}pre{white-space:pre-wrap;overflow-wrap:anywhere;font-size:.85rem}
@media print{body{max-width:none;margin:0}h2{break-before:page}tr{break-inside:avoid}details{display:block}}
"""


def html_page(doc: dict[str, Any]) -> str:
    """The export as one accessible, print-friendly HTML page (no scripts)."""
    request = doc["request"]
    parts = [
        "<!doctype html>",
        '<html lang="en-GB"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>Your information held by Northbridge Borough Council's web chat</title>",
        f"<style>{STYLE}</style></head><body><main>",
        "<h1>Your information held by Northbridge Borough Council's web chat</h1>",
        f"<p>Prepared on {escape(when(request['at']))} by {escape(request['by'])} in answer to a subject access request "
        f"(UK GDPR article 15). Searched by {escape(request['searched_by'])}: {escape(request['value'])}.</p>",
        "<h2>Summary</h2>",
        _table(["What", "How many"], [[k.replace("_", " "), v] for k, v in doc["summary"].items()], "What we hold"),
        "<h2>Conversations</h2>",
    ]
    if not doc["conversations"]:
        parts.append("<p>No conversations.</p>")
    for conversation in doc["conversations"]:
        cid = conversation["conversation_id"]
        parts.append(f"<h3>Conversation {escape(cid)}</h3>")
        rows = [
            [
                when(e.get("at", "")),
                _speaker(e),
                e.get("text", e.get("mode", "")),
                "staff only" if e.get("audience") == "advisors" else "you and staff",
            ]
            for e in conversation["events"]
        ]
        parts.append(_table(["When", "Who", "What", "Seen by"], rows, "Messages, notes and status changes"))
        parts.append(
            _table(["Field", "Value"], [[k, v] for k, v in conversation["fields"].items()], "About the conversation")
        )
        if conversation["rating"]:
            rating = conversation["rating"]
            parts.append(
                f"<p>Your rating: {escape(str(rating['score']))}. Comment: {escape(rating['comment'] or 'none')}.</p>"
            )
        parts.append(
            _table(
                ["Kind", "Details"],
                [[e.get("kind"), e] for e in conversation["residents_questions"]],
                "Questions kept for editors",
            )
        )
        parts.append(
            _table(["Kind", "Details"], [[e.get("kind"), e] for e in conversation["analytics"]], "Measurement records")
        )
        parts.append(
            _table(
                ["When", "Staff", "Role", "What they did", "Why"],
                [
                    [when(e.get("at")), e.get("who"), e.get("role"), e.get("action"), e.get("detail")]
                    for e in conversation["audit"]
                ],
                "Staff who opened or handled this conversation",
            )
        )
        tracker = conversation["rasa_tracker"]
        if tracker:
            events = tracker.get("events", []) if isinstance(tracker, dict) else []
            said = [
                [e.get("event"), e.get("text") or e.get("name") or "", e.get("value", "")]
                for e in events
                if e.get("event") in ("user", "bot", "slot")
            ]
            parts.append(_table(["Event", "Text or name", "Value"], said, "The assistant's record of the conversation"))
    parts.append("<h2>Messages left for the contact centre</h2>")
    left = doc["messages_left"] + doc["messages_refused"]
    parts.append(
        _table(
            ["Name", "Email", "Phone", "Message", "State"],
            [
                [m.get("name"), m.get("email"), m.get("phone"), m.get("text"), "waiting to be sent"]
                for m in doc["messages_left"]
            ]
            + [
                [m.get("name"), m.get("email"), m.get("phone"), m.get("text"), "set aside for staff"]
                for m in doc["messages_refused"]
            ],
            "Messages not yet in the case system",
        )
        if left
        else "<p>None waiting: messages already sent are listed under cases.</p>"
    )
    parts.append("<h2>Cases</h2>")
    if doc["case_system"] == "own":
        parts.append(
            "<p>Cases are held in the council's case management system, which has its own process for requests like "
            "this. References: " + escape(", ".join(doc["case_references"]) or "none") + ".</p>"
        )
    for case in doc["cases"]:
        parts.append(f"<h3>Case {escape(case['service_request_id'])}</h3>")
        keys = [k for k in case if k not in ("history", "notifications")]
        parts.append(_table(["Field", "Value"], [[k, case[k]] for k in keys], "What the case holds"))
        parts.append(
            _table(
                ["When", "By", "Status", "Notes"],
                [
                    [when(h.get("at")), h.get("by"), h.get("extended_status"), h.get("notes")]
                    for h in case.get("history", [])
                ],
                "Status history",
            )
        )
        parts.append(notifications_table(case.get("notifications") or []))
    if not doc["cases"] and doc["case_system"] != "own":
        parts.append("<p>No cases.</p>")
    if doc.get("cases_watched_for_updates"):
        parts.append("<h2>Updates about cases in the council's case system</h2>")
        parts.append(
            "<p>The web chat keeps your contact details for these cases so it can tell you when their status "
            "changes.</p>"
        )
        for case in doc["cases_watched_for_updates"]:
            parts.append(f"<h3>Case {escape(case['service_request_id'])}</h3>")
            keys = [k for k in case if k != "notifications"]
            parts.append(_table(["Field", "Value"], [[k, case[k]] for k in keys], "What the chat holds"))
            parts.append(notifications_table(case.get("notifications") or []))
    parts.append("</main></body></html>")
    return "\n".join(parts) + "\n"
