"""Conversation scenarios: reading the files and checking a bot turn. Pure: no network.

The file format is a contract (``contracts/scenarios/scenarios.schema.json``); the runner
that plays scenarios through the real servers is :mod:`knowledge_base.converse`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import yaml

SCHEMA_FILE = Path(__file__).resolve().parents[1] / "contracts" / "scenarios" / "scenarios.schema.json"
CHECKS = ("route", "not_route", "says", "not_says", "matches", "buttons", "slots", "handoff")


class ScenarioFileError(Exception):
    """A scenario file that cannot be played: the message names the scenario and the key."""


@dataclass(frozen=True)
class Turn:
    """One resident turn and what the bot's answer must satisfy."""

    user: str | None
    button: str | None
    checks: dict[str, Any]
    metadata: dict[str, Any] | None = None  # sent with the message, as the relay sends it


@dataclass(frozen=True)
class Scenario:
    name: str
    turns: tuple[Turn, ...]
    source: str = ""


@dataclass
class BotTurn:
    """What the bot answered to one resident turn."""

    route: str | None = None
    text: str = ""
    buttons: list[dict[str, str]] = field(default_factory=list)
    handoff: bool = False
    slots: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Failure:
    turn: int  # 1-based
    expected: str
    got: str


def _schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(SCHEMA_FILE.read_text())
    return schema


def _where(data: Any, error: jsonschema.ValidationError) -> str:
    """'scenario "name", turn 2, key "route"' for a schema error."""
    path = list(error.absolute_path)
    parts = []
    if path and isinstance(path[0], int) and isinstance(data, list) and path[0] < len(data):
        item = data[path[0]]
        name = item.get("name") if isinstance(item, dict) else None
        parts.append(f'scenario "{name}"' if name else f"scenario {path[0] + 1}")
        rest = path[1:]
        if len(rest) >= 2 and rest[0] == "turns" and isinstance(rest[1], int):
            parts.append(f"turn {rest[1] + 1}")
            rest = rest[2:]
        if rest:
            parts.append(f'key "{rest[0]}"')
        elif error.validator == "additionalProperties":
            extra = re.findall(r"'([^']+)' was unexpected", error.message)
            if extra:
                parts.append(f'key "{extra[0]}"')
    return ", ".join(parts) or "top level"


def parse(data: Any, source: str = "") -> list[Scenario]:
    """Scenarios from already-read YAML data; ScenarioFileError if malformed."""
    errors = sorted(jsonschema.Draft202012Validator(_schema()).iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        error = errors[0]
        raise ScenarioFileError(f"{source}: {_where(data, error)}: {error.message}")
    scenarios = []
    seen: set[str] = set()
    for item in data:
        if item["name"] in seen:
            raise ScenarioFileError(f'{source}: scenario "{item["name"]}", key "name": used twice')
        seen.add(item["name"])
        turns = []
        for number, raw in enumerate(item["turns"], start=1):
            if "matches" in raw:
                try:
                    re.compile(raw["matches"])
                except re.error as exc:
                    raise ScenarioFileError(
                        f'{source}: scenario "{item["name"]}", turn {number}, key "matches": {exc}'
                    ) from None
            checks = {k: raw[k] for k in CHECKS if k in raw}
            turns.append(Turn(raw.get("user"), raw.get("button"), checks, raw.get("metadata")))
        scenarios.append(Scenario(item["name"], tuple(turns), source))
    return scenarios


def load(path: Path) -> list[Scenario]:
    """The scenarios in one YAML file."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ScenarioFileError(f"{path}: cannot read: {exc}") from None
    return parse(data, str(path))


def _as_list(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def route_matches(expected: str, route: str | None) -> bool:
    """``expected`` ending in ':' is a prefix of the route; otherwise the exact route."""
    if route is None:
        return False
    return route.startswith(expected) if expected.endswith(":") else route == expected


def find_button(title: str, buttons: list[dict[str, str]]) -> dict[str, str] | None:
    wanted = " ".join(title.split()).casefold()
    for button in buttons:
        if " ".join(str(button.get("title", "")).split()).casefold() == wanted:
            return button
    return None


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def check(turn: Turn, number: int, got: BotTurn) -> list[Failure]:
    """Every check of ``turn`` that the bot's answer ``got`` does not meet."""
    failures: list[Failure] = []
    checks = turn.checks
    text = got.text.casefold()
    if got.route is None:  # every bot turn starts with its route metadata (contracts/README.md)
        failures.append(Failure(number, "route metadata first in the bot turn", "no route metadata"))
    if "route" in checks:
        wanted = _as_list(checks["route"])
        if not any(route_matches(w, got.route) for w in wanted):
            failures.append(Failure(number, f"route {' or '.join(wanted)}", f"route {got.route}"))
    for unwanted in checks.get("not_route", []):
        if route_matches(unwanted, got.route):
            failures.append(Failure(number, f"route not {unwanted}", f"route {got.route}"))
    for phrase in _as_list(checks.get("says", [])):
        if phrase.casefold() not in text:
            failures.append(Failure(number, f"says {phrase!r}", _short(got.text)))
    for phrase in _as_list(checks.get("not_says", [])):
        if phrase.casefold() in text:
            failures.append(Failure(number, f"does not say {phrase!r}", _short(got.text)))
    if "matches" in checks and not re.search(checks["matches"], got.text):
        failures.append(Failure(number, f"text matching /{checks['matches']}/", _short(got.text)))
    offered = [str(b.get("title", "")) for b in got.buttons]
    for title in checks.get("buttons", []):
        if find_button(title, got.buttons) is None:
            failures.append(Failure(number, f"button {title!r}", f"buttons {offered}"))
    for slot, value in (checks.get("slots") or {}).items():
        if got.slots.get(slot) != value:
            failures.append(Failure(number, f"slot {slot} = {value!r}", f"{slot} = {got.slots.get(slot)!r}"))
    if "handoff" in checks and bool(checks["handoff"]) != got.handoff:
        failures.append(
            Failure(number, f"handoff {str(checks['handoff']).lower()}", f"handoff {str(got.handoff).lower()}")
        )
    return failures


def needs_slots(scenarios: list[Scenario]) -> bool:
    return any("slots" in t.checks for s in scenarios for t in s.turns)


def bot_turn(replies: list[dict[str, Any]]) -> BotTurn:
    """Group Rasa's REST reply list into one bot turn (first route metadata wins)."""
    turn = BotTurn()
    texts = []
    for position, reply in enumerate(replies):
        if not isinstance(reply, dict):
            continue
        custom = reply.get("custom")
        if isinstance(custom, dict):
            if isinstance(custom.get("route"), dict) and turn.route is None and position == 0:
                turn.route = str(custom["route"].get("name"))
            if isinstance(custom.get("handoff"), dict):
                turn.handoff = True
            continue
        if reply.get("text"):
            texts.append(str(reply["text"]))
        turn.buttons.extend(b for b in reply.get("buttons") or [] if isinstance(b, dict))
    turn.text = "\n\n".join(texts)
    return turn
