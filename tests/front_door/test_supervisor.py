"""The supervisor `make up` uses, with real processes: one killed is started again, the others never stopped."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time

from front_door import supervision as sv
from front_door.supervisor import Service, Supervisor

QUICK = sv.Policy(first_delay=0.2, max_delay=0.8, stable_after=5.0, give_up_after=3)


def sleeper() -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"], start_new_session=True)


def crasher() -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"], start_new_session=True)


def wait_for(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def running(supervisor: Supervisor) -> threading.Thread:
    for service in supervisor.services:
        supervisor.launch(service, again=False)
    thread = threading.Thread(target=supervisor.run, kwargs={"interval": 0.05}, daemon=True)
    thread.start()
    return thread


def test_a_killed_process_is_restarted_and_the_others_keep_running(tmp_path, capsys):
    status_file = tmp_path / "supervisor.json"
    redis_like, bot_like = Service("Redis", sleeper), Service("Rasa server", sleeper)
    supervisor = Supervisor([redis_like, bot_like], status_file, QUICK)
    thread = running(supervisor)
    try:
        wait_for(lambda: bot_like.record.state == "running")
        first_bot, first_redis = bot_like.process.pid, redis_like.process.pid
        os.killpg(first_bot, signal.SIGKILL)
        wait_for(lambda: bot_like.process.pid != first_bot and bot_like.record.state == "running")
        assert redis_like.process.pid == first_redis and redis_like.process.poll() is None
        wait_for(lambda: json.loads(status_file.read_text())["processes"][1]["restarts"] == 1)
        shown = json.loads(status_file.read_text())["processes"][1]
        assert shown["state"] == "running" and shown["last_exit_code"] == -9
    finally:
        supervisor.stop()
        thread.join(timeout=5)
    assert "Rasa server was killed by signal 9; restarting it in 0 s (restart 1)" in capsys.readouterr().err
    assert all(s.process.poll() is not None for s in supervisor.services)
    assert {p["state"] for p in json.loads(status_file.read_text())["processes"]} == {"stopped"}


def test_a_process_that_keeps_failing_is_given_up_while_the_others_keep_running(tmp_path, capsys):
    steady, broken = Service("front door", sleeper), Service("action server", crasher)
    supervisor = Supervisor([steady, broken], tmp_path / "supervisor.json", QUICK)
    thread = running(supervisor)
    try:
        wait_for(lambda: broken.record.state == "failed")
        assert broken.record.restarts == 3 and steady.process.poll() is None and steady.record.restarts == 0
        status = json.loads((tmp_path / "supervisor.json").read_text())
        wait_for(lambda: json.loads((tmp_path / "supervisor.json").read_text())["processes"][1]["state"] == "failed")
    finally:
        supervisor.stop()
        thread.join(timeout=5)
    assert "action server exited with status 3; not restarting it" in capsys.readouterr().err
    assert status["processes"][0]["name"] == "front door"


def test_a_process_whose_start_cannot_work_is_not_restarted(tmp_path):
    missing = Service("Rasa server", sleeper, cannot_start=lambda: "no trained model at models/x.tar.gz")
    supervisor = Supervisor([missing], None, QUICK)
    thread = running(supervisor)
    try:
        wait_for(lambda: missing.record.state == "running")
        os.killpg(missing.process.pid, signal.SIGKILL)
        wait_for(lambda: missing.record.state == "failed")
        assert missing.record.reason.startswith("no trained model") and missing.record.restarts == 0
    finally:
        supervisor.stop()
        thread.join(timeout=5)
