"""Real servers shared by the whole run: the Rasa server with its action server and
Open311 service, and a private Redis.

Every test that starts a server process carries the ``servers`` marker, so ``make check``
(``-m "not servers"``) runs in seconds with none: tests in integration/ and e2e/ and
tests that use a server fixture are marked here; a test that is not marked and still starts a server fails, naming it.
"""

import os
import subprocess

import pytest

from bot.processes import ROOT, start_servers
from front_door.processes import RedisServer

ARTIFACTS = ROOT / "tests" / "artifacts"
# Fixtures that start (or need) a server process: Redis, Rasa, the action server,
# Open311, a front door, Chromium.
SERVER_FIXTURES = frozenset({"servers", "redis_server", "front_door", "browser", "door_env", "with_rasa"})
# How a server process shows itself on a command line.
SERVER_COMMANDS = (
    "redis-server",
    "rasa",
    "bot.serve",
    "rasa_sdk",
    "service_requests",
    "front_door",
    "chromium",
    "playwright",
)


# Folders whose every test runs against real servers.
SERVER_FOLDERS = frozenset({"integration", "e2e"})


def pytest_collection_modifyitems(items):
    for item in items:
        folder = item.path.relative_to(ROOT / "tests").parts[0]
        if folder in SERVER_FOLDERS or SERVER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.servers)


def starts_a_server(args) -> str | None:
    """The server a command line starts, or None."""
    words = [args] if isinstance(args, (str, bytes, os.PathLike)) else list(args)
    for word in words:
        text = os.fsdecode(word) if isinstance(word, (bytes, os.PathLike)) else str(word)
        name = os.path.basename(text.split()[0]) if text.strip() else ""
        if (
            name in SERVER_COMMANDS
            or text in SERVER_COMMANDS
            or any(text.startswith(f"{c}.") or text.startswith(f"{c} ") for c in SERVER_COMMANDS)
        ):
            return text
    return None


@pytest.fixture(autouse=True)
def _servers_only_when_marked(request, monkeypatch):
    if request.node.get_closest_marker("servers"):
        yield
        return
    real = subprocess.Popen

    class GuardedPopen(real):  # type: ignore[misc, valid-type]
        def __init__(self, args, *more, **options):
            server = starts_a_server(args)
            if server:
                raise RuntimeError(
                    f"{request.node.nodeid} starts a server ({server}) but is not marked "
                    "`servers`: add `pytestmark = pytest.mark.servers` to its module"
                )
            super().__init__(args, *more, **options)

    monkeypatch.setattr(subprocess, "Popen", GuardedPopen)
    yield


@pytest.fixture(scope="session")
def servers(redis_server):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    running = start_servers(ARTIFACTS, redis_url=redis_server.url)
    yield running
    running.stop()


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop()
