"""A conversation as plain text, for the resident's download. Pure."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from live_handoff.store import LoggedEvent

LONDON = ZoneInfo("Europe/London")
SPEAKERS = {"resident": "You", "bot": "Assistant", "system": "Northbridge Borough Council"}


def _local(at: str) -> datetime:
    return datetime.fromisoformat(at).astimezone(LONDON)


def render(conversation_id: str, events: list[LoggedEvent]) -> str:
    """What the resident saw (never advisors' notes), with London times."""
    shown = [e.event for e in events if e.audience == "all" and e.event.get("type") in ("message", "status")]
    day = _local(shown[0]["at"]).strftime("%A %d %B %Y") if shown else ""
    lines = ["Northbridge Borough Council: chat transcript", f"Conversation {conversation_id}", day, ""]
    for event in shown:
        clock = _local(event["at"]).strftime("%H:%M")
        if event["type"] == "status":
            lines.append(f"{clock}  -- {event['text']}")
            continue
        if event["from"] == "advisor":
            speaker = f"{event.get('author') or 'Advisor'} (advisor)"
        else:
            speaker = SPEAKERS[event["from"]]
        lines.append(f"{clock}  {speaker}: {event['text']}")
        for button in event.get("buttons", []):
            lines.append(f"        [{button['title']}]")
    return "\n".join(lines).rstrip() + "\n"
