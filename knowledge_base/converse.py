"""Play conversation scenarios through the real bot: ``python -m knowledge_base converse``.

Each scenario is a new conversation on Rasa's REST channel, so the Rasa server, the action
server and the Open311 service all take part. Without ``--rasa-url`` the runner starts
them from the current model (as the tests do) and stops them afterwards.
"""

from __future__ import annotations

import json
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from knowledge_base import scenarios as sc

TIMEOUT = 60


class RunnerError(Exception):
    """The bot could not be reached or read."""


@dataclass
class Result:
    name: str
    passed: bool
    failures: list[sc.Failure] = field(default_factory=list)
    transcript: list[str] = field(default_factory=list)


class RestConversation:
    """One resident on Rasa's REST channel; the tracker is read through Rasa's HTTP API."""

    def __init__(self, rasa_url: str, token: str = "", sender: str | None = None):
        self.rasa_url = rasa_url.rstrip("/")
        self.token = token
        self.sender = sender or f"scenario-{uuid.uuid4().hex}"

    def _request(self, url: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            raise RunnerError(f"{url.split('?')[0]} answered HTTP {exc.code}") from None
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            raise RunnerError(f"cannot reach the bot at {self.rasa_url}: {exc}") from None

    def send(self, text: str, metadata: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        body: dict[str, Any] = {"sender": self.sender, "message": text}
        if metadata:
            body["metadata"] = metadata
        replies = self._request(f"{self.rasa_url}/webhooks/rest/webhook", body)
        return replies if isinstance(replies, list) else []

    def slots(self) -> dict[str, Any]:
        query = f"?{urllib.parse.urlencode({'token': self.token})}" if self.token else ""
        tracker = self._request(f"{self.rasa_url}/conversations/{urllib.parse.quote(self.sender)}/tracker{query}")
        return (tracker or {}).get("slots") or {}


def play(scenario: sc.Scenario, rasa_url: str, token: str = "") -> Result:
    """Play one scenario as a new conversation; stops at the first turn that cannot be sent."""
    conversation = RestConversation(rasa_url, token)
    want_slots = any("slots" in t.checks for t in scenario.turns)
    failures: list[sc.Failure] = []
    transcript: list[str] = []
    previous = sc.BotTurn()
    for number, turn in enumerate(scenario.turns, start=1):
        if turn.button is not None:
            button = sc.find_button(turn.button, previous.buttons)
            if button is None:
                titles = [b.get("title") for b in previous.buttons]
                failures.append(sc.Failure(number, f"button {turn.button!r} offered", f"buttons {titles}"))
                break
            message = str(button.get("payload", ""))
        else:
            message = turn.user or ""
        got = sc.bot_turn(conversation.send(message, turn.metadata))
        if want_slots and "slots" in turn.checks:
            got.slots = conversation.slots()
        offered = " ".join(f"[{b.get('title')}]" for b in got.buttons)
        transcript.append(f"  {number}. resident: {message}\n     bot ({got.route}): {got.text} {offered}".rstrip())
        failures += sc.check(turn, number, got)
        previous = got
    return Result(scenario.name, not failures, failures, transcript)


def play_all(scenarios: Iterable[sc.Scenario], rasa_url: str, token: str = "") -> list[Result]:
    return [play(s, rasa_url, token) for s in scenarios]


def report_lines(results: list[Result], transcripts: bool = False) -> list[str]:
    """One line per scenario with its first failure, then the totals (with ``transcripts``,
    each failed scenario's whole conversation under its line)."""
    lines = []
    for result in results:
        if result.passed:
            lines.append(f"PASS  {result.name}")
        else:
            first = result.failures[0]
            lines.append(f"FAIL  {result.name}: turn {first.turn}: expected {first.expected}; got {first.got}")
            if transcripts:
                lines += result.transcript
    passed = sum(r.passed for r in results)
    lines.append(f"{passed} passed, {len(results) - passed} failed")
    return lines


def report_json(results: list[Result]) -> dict[str, Any]:
    return {
        "passed": sum(r.passed for r in results),
        "failed": sum(not r.passed for r in results),
        "scenarios": [
            {"name": r.name, "passed": r.passed, "failures": [asdict(f) for f in r.failures]} for r in results
        ],
    }


def scenario_files(paths: Iterable[str]) -> list[Path]:
    """Files named, and every *.yml in folders named, in a stable order."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        found += sorted(path.glob("*.yml")) if path.is_dir() else [path]
    return found


def run(paths: Iterable[str], rasa_url: str | None = None, token: str = "") -> list[Result]:
    """Load every file first (a malformed one stops everything), then play them."""
    loaded = [s for path in scenario_files(paths) for s in sc.load(path)]
    names = [s.name for s in loaded]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise sc.ScenarioFileError(f'scenario "{twice[0]}", key "name": used in more than one place')
    if rasa_url:
        return play_all(loaded, rasa_url, token)
    from bot.processes import start_servers

    with tempfile.TemporaryDirectory(prefix="converse-") as folder:  # noqa
        servers = start_servers(Path(folder))
        try:
            return play_all(loaded, servers.rasa_url, servers.rasa_token)
        finally:
            servers.stop()
