"""Turn what Rasa's REST channel answers into what residents see and what the relay does.

Pure: no network. Rasa sends route metadata, text (split at blank lines when there are
no buttons), buttons, and the custom `handoff` and `case` payloads
(contracts/README.md). Residents get one bot turn with the texts joined and the
buttons kept; the custom payloads never reach them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class BotTurn:
    """One bot turn: what to show and what to act on."""

    messages: list[dict[str, Any]] = field(default_factory=list)  # {"text", "buttons"?}
    route: dict[str, Any] | None = None
    handoff: dict[str, Any] | None = None
    case: dict[str, Any] | None = None

    @property
    def empty(self) -> bool:
        """Rasa answers ``[]`` when its action server is down: that is not an answer."""
        return not self.messages and self.handoff is None


def _buttons(raw: Any) -> list[dict[str, str]]:
    out = []
    for button in raw or []:
        if isinstance(button, dict) and button.get("title") and button.get("payload"):
            out.append({"title": str(button["title"])[:200], "payload": str(button["payload"])[:200]})
    return out


def translate(replies: list[dict[str, Any]]) -> BotTurn:
    """Group Rasa's reply list into one turn.

    Consecutive texts without buttons are joined with blank lines (Rasa split them);
    a text with buttons closes the message it belongs to.
    """
    turn = BotTurn()
    pending: list[str] = []

    def flush(buttons: list[dict[str, str]] | None = None) -> None:
        if pending or buttons:
            message: dict[str, Any] = {"text": "\n\n".join(pending)}
            if buttons:
                message["buttons"] = buttons
            turn.messages.append(message)
            pending.clear()

    for reply in replies:
        if not isinstance(reply, dict):
            continue
        custom = reply.get("custom")
        if isinstance(custom, dict):
            if isinstance(custom.get("route"), dict):
                turn.route = custom["route"]
            if isinstance(custom.get("handoff"), dict):
                turn.handoff = custom["handoff"]
            if isinstance(custom.get("case"), dict):
                turn.case = custom["case"]
            continue
        text = reply.get("text")
        if isinstance(text, str) and text.strip():
            pending.append(text.strip())
        buttons = _buttons(reply.get("buttons"))
        if buttons:
            flush(buttons)
    flush()
    return turn
