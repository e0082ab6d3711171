"""Real servers shared by the whole run: the Rasa server with its action server and
Open311 service, and a private Redis."""

import pytest

from bot.processes import ROOT, start_servers
from front_door.processes import RedisServer

ARTIFACTS = ROOT / "tests" / "artifacts"


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
