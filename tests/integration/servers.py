"""Start the real action server and Rasa server for tests, on free ports."""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".venv" / "bin"
MODEL = ROOT / "models" / "front-desk.tar.gz"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, log: Path, timeout: float = 180.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: process exited ({process.returncode}); log:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    raise RuntimeError(f"{url} not up after {timeout} s; log:\n{log.read_text()[-3000:]}")


@dataclass
class Servers:
    rasa_url: str
    action_url: str
    processes: list[subprocess.Popen]

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def start_servers(log_dir: Path, model: Path = MODEL) -> Servers:
    if not model.exists():
        raise RuntimeError(f"no trained model at {model}: run `make model` (make test does)")
    action_port, rasa_port = free_port(), free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "SANIC_HOST": "127.0.0.1",
        "ACTION_SERVER_URL": f"http://127.0.0.1:{action_port}/webhook",
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    }
    processes: list[subprocess.Popen] = []
    try:
        action_log = log_dir / "action-server.log"
        processes.append(subprocess.Popen(
            [str(BIN / "python"), "-m", "rasa_sdk", "--actions", "actions", "--port", str(action_port)],
            cwd=ROOT, env=env, stdout=action_log.open("w"), stderr=subprocess.STDOUT,
        ))
        wait_until_up(f"http://127.0.0.1:{action_port}/health", processes[0], action_log)
        rasa_log = log_dir / "rasa-server.log"
        processes.append(subprocess.Popen(
            [str(BIN / "rasa"), "run", "--model", str(model), "--endpoints", "bot/endpoints.yml",
             "--credentials", "bot/credentials.yml", "--interface", "127.0.0.1", "--port", str(rasa_port)],
            cwd=ROOT, env=env, stdout=rasa_log.open("w"), stderr=subprocess.STDOUT,
        ))
        wait_until_up(f"http://127.0.0.1:{rasa_port}/webhooks/rest/", processes[1], rasa_log)
    except Exception:
        Servers("", "", processes).stop()
        raise
    return Servers(f"http://127.0.0.1:{rasa_port}", f"http://127.0.0.1:{action_port}", processes)
