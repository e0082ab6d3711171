"""Start and stop the action server and Rasa server (for `make up`, tests and benchmarks)."""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"
MODEL = ROOT / "models" / "front-desk.tar.gz"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tail(log: Path | None) -> str:
    return f"; log:\n{log.read_text()[-3000:]}" if log else ""


def wait_until_up(url: str, process: subprocess.Popen, log: Path | None = None, timeout: float = 180.0) -> None:
    """Poll ``url`` until it answers; fail early if the process exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: process exited ({process.returncode}){_tail(log)}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    raise RuntimeError(f"{url} not up after {timeout:.0f} s{_tail(log)}")


@dataclass
class Open311Service:
    """The built-in Open311 service as a process (stoppable, to test outages)."""

    port: int
    env: dict[str, str]
    log: Path
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/open311/v2/"

    def start(self) -> None:
        self.process = subprocess.Popen(
            open311_command(self.port), cwd=ROOT, env=self.env, stdout=self.log.open("a"), stderr=subprocess.STDOUT
        )
        wait_until_up(self.url + "services.json", self.process, self.log)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)


@dataclass
class Servers:
    rasa_url: str
    action_url: str
    processes: list[subprocess.Popen]
    open311: Open311Service | None = None
    content_dir: Path | None = None
    rasa_token: str = ""

    def stop(self) -> None:
        if self.open311:
            self.open311.stop()
        for process in reversed(self.processes):
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def server_env(
    action_port: int, host: str = "127.0.0.1", open311_port: int = 8311, secrets: dict[str, str] | None = None
) -> dict[str, str]:
    """Environment for the servers: imports from the project, everything on loopback."""
    return {
        **os.environ,
        **(secrets or {}),
        "PYTHONPATH": str(ROOT),
        "SANIC_HOST": host,
        "ACTION_SERVER_URL": f"http://{host}:{action_port}/webhook",
        "OPEN311_URL": os.environ.get("OPEN311_URL", f"http://{host}:{open311_port}/open311/v2/"),
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    }


def new_secrets() -> dict[str, str]:
    """Fresh keys for the built-in Open311 service: one for the chat, one for staff."""
    chat_key, staff_key = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    return {"OPEN311_API_KEYS": chat_key, "OPEN311_API_KEY": chat_key, "OPEN311_STAFF_KEYS": staff_key}


def action_server_command(port: int) -> list[str]:
    return [str(BIN / "python"), "-m", "rasa_sdk", "--actions", "actions", "--port", str(port)]


def open311_command(port: int, host: str = "127.0.0.1") -> list[str]:
    return [str(BIN / "python"), "-m", "service_requests", "--host", host, "--port", str(port)]


def redis_env(redis_url: str, ttl_seconds: int = 90 * 86_400) -> dict[str, str]:
    """The variables bot/endpoints.redis.yml reads, from a redis:// URL."""
    parsed = urllib.parse.urlsplit(redis_url)
    return {
        "REDIS_HOST": parsed.hostname or "127.0.0.1",
        "REDIS_PORT": str(parsed.port or 6379),
        "REDIS_DB": (parsed.path or "/0").lstrip("/") or "0",
        "REDIS_PASSWORD": parsed.password or "",
        "TRACKER_TTL_SECONDS": str(ttl_seconds),
        # A Rasa server killed mid-turn leaves that conversation's lock in Redis until it
        # expires; Rasa's default (60 s) would hold the conversation's next turn on another
        # server past the relay's timeout (RELAY_BOT_TIMEOUT_SECONDS, 15 s), so the resident
        # would be told twice. 10 s is still longer than a turn takes (p99 up to 5.3 s at
        # 50 conversations at once on a busy 2-CPU machine, benchmarks/README.md), and the
        # relay sends one conversation's turns one at a time anyway.
        "TICKET_LOCK_LIFETIME": os.environ.get("TICKET_LOCK_LIFETIME", "10"),
    }


def rasa_server_command(
    model: Path, port: int, host: str = "127.0.0.1", stock: bool = False, api_token: str = "", redis: bool = False
) -> list[str]:
    """The Rasa server; through bot.serve (faster action calls) unless ``stock``.

    With ``api_token``, Rasa's HTTP API is on (token required): the relay records the
    advisors' part of a conversation in the tracker through it."""
    rasa = [str(BIN / "rasa")] if stock else [str(BIN / "python"), "-m", "bot.serve"]
    # "=" keeps a token that happens to start with "-" from being read as an option.
    api = ["--enable-api", f"--auth-token={api_token}"] if api_token else []
    endpoints = "bot/endpoints.redis.yml" if redis else "bot/endpoints.yml"
    return (
        rasa
        + [
            "run",
            "--model",
            str(model),
            "--endpoints",
            endpoints,
            "--credentials",
            "bot/credentials.yml",
            "--interface",
            host,
            "--port",
            str(port),
        ]
        + api
    )


def start_servers(
    log_dir: Path,
    model: Path = MODEL,
    action_url: str | None = None,
    stock: bool = False,
    redis_url: str | None = None,
    rasa_token: str | None = None,
) -> Servers:
    """Start the Open311 service and action server (unless ``action_url`` names a running
    action server) and a Rasa server, on free ports, with cases in ``log_dir``; Rasa keeps
    its trackers in Redis when ``redis_url`` is given, in memory otherwise.

    A second Rasa server for the same conversations: the first's ``action_url``,
    ``redis_url`` and ``rasa_token`` (the relay uses one token for all)."""
    if not model.exists():
        raise RuntimeError(f"no trained model at {model}: run `make model` (make test does)")
    action_port = int(action_url.rsplit(":", 1)[1]) if action_url else free_port()
    rasa_port, open311_port = free_port(), free_port()
    rasa_token = rasa_token or secrets.token_urlsafe(24)
    env = server_env(action_port, open311_port=open311_port, secrets=new_secrets())
    env["OPEN311_DB"] = str(log_dir / f"cases-{open311_port}.sqlite3")
    if redis_url:
        env.update(redis_env(redis_url))
    # The action server reads a private copy of the content, so tests may edit it live.
    content = log_dir / f"content-{open311_port}"
    shutil.rmtree(content, ignore_errors=True)  # left by an earlier run that got the same port
    shutil.copytree(ROOT / "knowledge_base" / "content", content / "content")
    shutil.copy(ROOT / "knowledge_base" / "messages.yml", content / "messages.yml")
    env["FRONT_DESK_CONTENT_DIR"] = str(content / "content")
    env["FRONT_DESK_MESSAGES_FILE"] = str(content / "messages.yml")
    processes: list[subprocess.Popen] = []
    service = None
    try:
        if not action_url:
            service = Open311Service(open311_port, env, log_dir / "open311.log")
            service.start()
            action_log = log_dir / "action-server.log"
            processes.append(
                subprocess.Popen(
                    action_server_command(action_port),
                    cwd=ROOT,
                    env=env,
                    stdout=action_log.open("w"),
                    stderr=subprocess.STDOUT,
                )
            )
            wait_until_up(f"http://127.0.0.1:{action_port}/health", processes[-1], action_log)
        rasa_log = log_dir / f"rasa-server-{model.stem.split('.')[0]}{'-stock' if stock else ''}"
        rasa_log = rasa_log.with_name(rasa_log.name + (f"-{rasa_port}.log" if action_url else ".log"))
        processes.append(
            subprocess.Popen(
                rasa_server_command(model, rasa_port, stock=stock, api_token=rasa_token, redis=bool(redis_url)),
                cwd=ROOT,
                env=env,
                stdout=rasa_log.open("w"),
                stderr=subprocess.STDOUT,
            )
        )
        wait_until_up(f"http://127.0.0.1:{rasa_port}/webhooks/rest/", processes[-1], rasa_log)
    except Exception:
        Servers("", "", processes, service).stop()
        raise
    return Servers(
        f"http://127.0.0.1:{rasa_port}",
        f"http://127.0.0.1:{action_port}",
        processes,
        service,
        Path(env["FRONT_DESK_CONTENT_DIR"]),
        rasa_token,
    )
