"""The community GeoReport v2 description, run against a real Open311 service process: 0 failures."""

import os
import subprocess
import sys

import pytest

from bot.processes import ROOT, free_port, wait_until_up
from tests.service_requests.conftest import API_KEY, STAFF_KEY
from tests.service_requests.swagger_run import run, summary

pytestmark = pytest.mark.servers
SEED = 311
PER_OPERATION = 150  # (6 described + 3 extension operations) x 2 formats x 150 = 2,700 requests, a few seconds


@pytest.fixture
def open311_process(tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "OPEN311_API_KEYS": API_KEY,
        "OPEN311_STAFF_KEYS": STAFF_KEY,
        "OPEN311_DB": str(tmp_path / "cases.sqlite3"),
    }
    log = tmp_path / "open311.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "service_requests", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}/open311/v2/"
    try:
        wait_until_up(base + "services.json", process, log, timeout=30)
        yield base, log
    finally:
        process.terminate()
        process.wait(timeout=10)


async def test_generated_requests_from_the_community_description_find_no_failure_in_either_format(open311_process):
    base, log = open311_process
    figures = await run(base, [API_KEY, STAFF_KEY], seed=SEED, per_operation=PER_OPERATION)
    print("\n" + summary(figures))
    failures = [p for f in figures.values() for p in f.failures]
    assert not failures, "\n".join(failures[:20]) + "\n" + summary(figures)
    assert "Traceback" not in log.read_text(errors="replace")
    for found in figures.values():
        assert sum(found.cases.values()) == 9 * PER_OPERATION
        assert any(200 <= s < 300 for s in found.statuses), found.statuses  # it reached real answers too
