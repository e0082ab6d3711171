import json
import urllib.request
import uuid
from pathlib import Path

import pytest

from bot.processes import ROOT


class Conversation:
    """One resident talking to the real bot through Rasa's REST channel."""

    def __init__(self, rasa_url: str):
        self.url = f"{rasa_url}/webhooks/rest/webhook"
        self.sender = f"test-{uuid.uuid4().hex}"

    def say(self, text: str) -> list[dict]:
        body = json.dumps({"sender": self.sender, "message": text}).encode()
        request = urllib.request.Request(self.url, data=body, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())


@pytest.fixture
def conversation(servers):
    return Conversation(servers.rasa_url)


@pytest.fixture(scope="session")
def route_parser():
    from knowledge_base.nlu_model import RouteParser

    parser = RouteParser()
    yield parser
    parser.close()


def route_of(messages: list[dict]) -> dict:
    routes = [m["custom"]["route"] for m in messages if "route" in (m.get("custom") or {})]
    assert len(routes) == 1, messages
    return routes[0]


def text_of(messages: list[dict]) -> str:
    return "\n\n".join(m["text"] for m in messages if m.get("text"))


def buttons_of(messages: list[dict]) -> list[dict]:
    return [b for m in messages for b in m.get("buttons") or []]


def handoff_of(messages: list[dict]) -> dict | None:
    found = [m["custom"]["handoff"] for m in messages if "handoff" in (m.get("custom") or {})]
    return found[0] if found else None


@pytest.fixture(scope="session")
def schemas():
    folder = ROOT / "contracts" / "schemas"
    return {p.name.split(".")[0]: json.loads(p.read_text()) for p in Path(folder).glob("*.schema.json")}
