"""`make up` (scripts/up.py) for real: a killed Rasa server comes back, nothing else stops, /health says so."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import urllib.request

import pytest

from bot.processes import MODEL, ROOT
from front_door.processes import PYTHON, free_port

pytestmark = [
    pytest.mark.servers,
    pytest.mark.skipif(not MODEL.exists(), reason="needs the trained model: make model"),
]


def health(port: int) -> dict:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5) as response:
        return json.loads(response.read())


def wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            found = condition()
        except (OSError, ValueError, KeyError):
            found = None
        if found:
            return found
        time.sleep(0.3)
    raise AssertionError(f"{what} not within {timeout:.0f} s")


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_make_up_restarts_a_killed_rasa_server_and_keeps_the_others_running(tmp_path):
    door = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("OPEN311_", "RELAY_", "RASA_")) and key != "REDIS_URL"
    }
    env.update(
        FRONT_DESK_VAR=str(tmp_path),
        FRONT_DOOR_PORT=str(door),
        RASA_PORT=str(free_port()),
        ACTION_PORT=str(free_port()),
        REDIS_PORT=str(free_port()),
        METRICS_PORT=str(free_port()),
        MAIL_CATCHER_PORT=str(free_port()),
        PYTHONPATH=str(ROOT),
    )
    log = tmp_path / "up.log"
    up = subprocess.Popen(
        [str(PYTHON), "scripts/up.py"], cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT
    )
    status_file = tmp_path / "supervisor.json"

    def pids() -> dict[str, int]:
        return {p["name"]: p["pid"] for p in json.loads(status_file.read_text())["processes"]}

    try:
        wait_for(lambda: "Front Desk is running" in log.read_text(), 240, "make up running")
        before = wait_for(lambda: (found := pids()) and all(found.values()) and found, 10, "every pid")
        assert set(before) == {"Redis", "front door", "action server", "Rasa server", "mail catcher"}
        assert health(door)["supervisor"]["state"] == "ok"

        os.kill(before["Rasa server"], signal.SIGKILL)
        warned = wait_for(lambda: (h := health(door))["status"] == "warning" and h, 10, "a warning")
        assert warned["supervisor"]["state"] == "restarting"
        back = wait_for(lambda: (h := health(door))["status"] == "ok" and h, 120, "Rasa back")
        rasa = next(p for p in back["supervisor"]["processes"] if p["name"] == "Rasa server")
        assert rasa["restarts"] == 1 and rasa["last_exit_code"] == -9 and back["bot"] is True
        after = pids()
        assert after["Rasa server"] != before["Rasa server"]
        assert {k: v for k, v in after.items() if k != "Rasa server"} == {
            k: v for k, v in before.items() if k != "Rasa server"
        }
        assert "Rasa server was killed by signal 9; restarting it in 1 s (restart 1)" in log.read_text()

        # Redis too: it comes back with its data, and the others carry on and reconnect.
        os.kill(after["Redis"], signal.SIGKILL)
        wait_for(
            lambda: (
                any(p["name"] == "Redis" and p["restarts"] == 1 for p in health(door)["supervisor"]["processes"])
                and health(door)["status"] == "ok"
            ),
            60,
            "Redis back",
        )
        again = pids()
        assert again["Redis"] != after["Redis"]
        assert {k: v for k, v in again.items() if k != "Redis"} == {k: v for k, v in after.items() if k != "Redis"}
        rasa_port = env["RASA_PORT"]
        request = urllib.request.Request(
            f"http://127.0.0.1:{rasa_port}/webhooks/rest/webhook",
            data=json.dumps({"sender": "after-redis", "message": "when is my bin day?"}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            assert json.loads(response.read())  # Rasa answers from its Redis tracker store again
        after = again
    finally:
        up.send_signal(signal.SIGINT)  # Ctrl-C
        code = up.wait(timeout=60)
    assert code == 0
    assert not [name for name, pid in after.items() if alive(pid)]
