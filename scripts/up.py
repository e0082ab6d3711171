"""Start Front Desk's processes on 127.0.0.1, print where they are, stop them on Ctrl-C.

Used by `make up`. Ports come from the environment (defaults in brackets):
FRONT_DOOR_PORT (8080), RASA_PORT (5005), ACTION_PORT (5055), REDIS_PORT (6380, the
private Redis started when REDIS_URL is not set), HOST (127.0.0.1), METRICS_PORT (9464:
/metrics on 127.0.0.1 only, unless RELAY_METRICS_ADDRESS or RELAY_METRICS_TOKEN is set).
Set OPEN311_URL and OPEN311_API_KEY to use a council's own Open311 endpoint instead of
the built-in service (mounted in the front door at /open311/v2/). BOT_PROCESSES (1): how
many Rasa servers (ports from RASA_PORT up), sharing Redis. FRONT_DESK_VAR (var/): where
keys, Redis's data, cases and the supervisor's status are kept.

Every process is supervised (front_door/supervisor.py): one that stops is started again
after a back-off, with a line in the log, and the others keep running.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.processes import (  # noqa: E402
    MODEL,
    ROOT,
    action_server_command,
    new_secrets,
    rasa_server_command,
    redis_env,
    server_env,
)
from front_door import supervision  # noqa: E402
from front_door.processes import PYTHON, RedisServer  # noqa: E402
from front_door.supervisor import Service, Supervisor  # noqa: E402
from live_handoff.passwords import generate  # noqa: E402
from service_requests.notifications import catcher  # noqa: E402

# make up's own files: keys, Redis's data, cases, the supervisor's status (not in git).
VAR = Path(os.environ.get("FRONT_DESK_VAR") or ROOT / "var").resolve()
SECRETS = VAR / "secrets.env"
STATUS = VAR / "supervisor.json"


def shown(path: Path) -> str:
    """``path`` relative to the checkout when it is inside it."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def local_secrets() -> dict[str, str]:
    """Keys for the built-in Open311 service, created on first run and kept in var/ (not in git)."""
    if not SECRETS.exists():
        SECRETS.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        staging = SECRETS.with_suffix(".new")
        fd = os.open(staging, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)  # never readable by others
        with os.fdopen(fd, "w") as handle:
            handle.write("".join(f"{k}={v}\n" for k, v in new_secrets().items()))
        os.replace(staging, SECRETS)  # complete or absent, never half-written
    pairs = (line.split("=", 1) for line in SECRETS.read_text().splitlines() if "=" in line)
    found = {k.strip(): v.strip() for k, v in pairs}
    if "RASA_TOKEN" not in found:  # added after the first release: give older secrets files one
        found["RASA_TOKEN"] = secrets.token_urlsafe(24)
        with SECRETS.open("a") as handle:
            handle.write(f"RASA_TOKEN={found['RASA_TOKEN']}\n")
    return found


FIRST_ADVISOR = ("advisor", "Alex Advisor")


def new_password() -> str:
    return generate(*FIRST_ADVISOR)


def start(name: str, command: list[str], env: dict[str, str]) -> Callable[[], subprocess.Popen]:
    """A starter for ``name``: its own process group, so it and its children stop together."""

    def launch() -> subprocess.Popen:
        print(f"Starting {name}...", flush=True)
        return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)

    return launch


def answers(url: str) -> Callable[[], bool]:
    """Whether ``url`` gives any HTTP answer (a 503 from /health while Redis is away counts)."""

    def check() -> bool:
        try:
            with urllib.request.urlopen(url, timeout=1):
                return True
        except urllib.error.HTTPError:
            return True
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return False

    return check


def whole_number(name: str, default: int, low: int, high: int) -> int:
    """An environment variable that must be a whole number in [low, high]; a clear message
    naming it, not a traceback, when it is not."""
    raw = os.environ.get(name, str(default)).strip() or str(default)
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise SystemExit(f"{name}: {raw!r} must be a whole number from {low} to {high}")
    return int(raw)


def bot_processes() -> int:
    return whole_number("BOT_PROCESSES", 1, 1, 16)


def bring_up(supervisor: Supervisor, service: Service, timeout: float = 180.0) -> None:
    """Start ``service`` and wait until it answers; RuntimeError if it cannot, exits or never does."""
    reason = service.cannot_start()
    if reason:
        raise RuntimeError(f"{service.name}: {reason}")
    supervisor.launch(service, again=False)
    bring_up_started(service, timeout)


def first_advisor(env: dict[str, str]) -> tuple[str, str]:
    """Create the first advisor account if there is none; its password lives in var/secrets.env."""
    secrets_now = local_secrets()
    username, name = FIRST_ADVISOR
    password = secrets_now.get("FIRST_ADVISOR_PASSWORD")
    listed = subprocess.run(
        [str(PYTHON), "-m", "live_handoff", "user", "list"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    if listed.strip():
        return (username, password) if password and listed.startswith(username + "\t") else ("", "")
    password = password or new_password()
    subprocess.run(
        [
            str(PYTHON),
            "-m",
            "live_handoff",
            "user",
            "add",
            username,
            "--name",
            name,
            "--role",
            "advisor",
            "--role",
            "editor",
            "--role",
            "manager",
        ],
        cwd=ROOT,
        env=env,
        input=password + "\n",
        capture_output=True,
        text=True,
        check=True,
    )
    if "FIRST_ADVISOR_PASSWORD" not in secrets_now:
        with SECRETS.open("a") as handle:
            handle.write(f"FIRST_ADVISOR_PASSWORD={password}\n")
    return username, password


def main() -> int:
    if os.environ.get("OPEN311_URL") and not os.environ.get("OPEN311_API_KEY"):
        print("OPEN311_URL is set but OPEN311_API_KEY is not: the chat could not submit reports.", file=sys.stderr)
        return 2
    host = os.environ.get("HOST", "127.0.0.1")
    rasa_port = whole_number("RASA_PORT", 5005, 1, 65535)
    action_port = whole_number("ACTION_PORT", 5055, 1, 65535)
    door_port = whole_number("FRONT_DOOR_PORT", 8080, 1, 65535)
    redis_port = whole_number("REDIS_PORT", 6380, 1, 65535)
    rasa_ports = [rasa_port + n for n in range(bot_processes())]
    secrets_now = local_secrets()
    # The built-in Open311 service is mounted in the front door; a council's own replaces it.
    env = server_env(
        action_port,
        host,
        door_port,
        {**secrets_now, **{k: v for k, v in os.environ.items() if k.startswith("OPEN311_")}},
    )
    if "OPEN311_URL" in os.environ:
        env.pop("OPEN311_API_KEYS", None)  # nothing to mount
    env.setdefault("OPEN311_DB", str(VAR / "service_requests.sqlite3"))
    # Several Rasa servers share the Redis tracker and lock stores; the relay spreads
    # conversations over them (live_handoff.bot_choice).
    env["RASA_URL"] = ",".join(f"http://{host}:{port}" for port in rasa_ports)
    env["RASA_TOKEN"] = secrets_now["RASA_TOKEN"]
    env["FRONT_DOOR_PORT"] = str(door_port)
    env["RELAY_SUPERVISOR_STATUS"] = str(STATUS)
    if not os.environ.get("RELAY_METRICS_ADDRESS") and not os.environ.get("RELAY_METRICS_TOKEN"):
        # Metrics never on the residents' port: on this machine only, where a newcomer can look.
        env["RELAY_METRICS_ADDRESS"] = f"127.0.0.1:{whole_number('METRICS_PORT', 9464, 1, 65535)}"
    metrics_at = env.get("RELAY_METRICS_ADDRESS")
    metrics_url = f"http://{metrics_at}/metrics" if metrics_at else f"http://{host}:{door_port}/metrics (bearer token)"
    supervisor = Supervisor([], STATUS)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even if started in the background
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        if "REDIS_URL" in os.environ:
            env["REDIS_URL"] = os.environ["REDIS_URL"]
        else:
            folder = "redis" if redis_port == 6380 else f"redis-{redis_port}"  # one data folder per server
            redis = RedisServer(VAR / folder, port=redis_port)

            def start_redis() -> subprocess.Popen:
                print("Starting Redis...", flush=True)
                redis.start()
                assert redis.process is not None
                return redis.process

            supervisor.services.append(Service("Redis", start_redis))
            bring_up(supervisor, supervisor.services[-1])
            env["REDIS_URL"] = redis.url
        env.update(redis_env(env["REDIS_URL"], 86_400 * whole_number("RELAY_RETENTION_DAYS", 90, 1, 36500)))
        emails = f"sent by NOTIFY_PROVIDER={os.environ.get('NOTIFY_PROVIDER', 'none')}"
        if "NOTIFY_PROVIDER" not in os.environ and "OPEN311_URL" not in os.environ:
            # Residents' status-change emails land in var/mail/ (docs/notifications.md); a real relay: NOTIFY_PROVIDER.
            mail_port = whole_number("MAIL_CATCHER_PORT", 2525, 1, 65535)
            env.update(catcher.local_env(host, door_port, env["OPEN311_STAFF_KEYS"], mail_port))
            mail = start("mail catcher", catcher.command(str(PYTHON), host, mail_port, VAR / "mail"), env)
            supervisor.services.append(Service("mail catcher", mail, catcher.ready(host, mail_port)))
            bring_up(supervisor, supervisor.services[-1])
            emails = f"kept in {shown(VAR / 'mail')}/ by the mail catcher (smtp://{host}:{mail_port})"
        username, password = first_advisor(env)
        door = [str(PYTHON), "-m", "front_door", "--host", host, "--port", str(door_port)]
        supervisor.services.append(
            Service("front door", start("front door", door, env), answers(f"http://{host}:{door_port}/health"))
        )
        bring_up(supervisor, supervisor.services[-1])
        actions = start("action server", action_server_command(action_port), env)
        supervisor.services.append(Service("action server", actions, answers(f"http://{host}:{action_port}/health")))
        bring_up(supervisor, supervisor.services[-1])

        def model_missing() -> str:
            return "" if MODEL.exists() else f"no trained model at {MODEL.relative_to(ROOT)}: run `make model`"

        for number, port in enumerate(rasa_ports, start=1):
            name = "Rasa server" if len(rasa_ports) == 1 else f"Rasa server {number}"
            command = rasa_server_command(MODEL, port, host, api_token=env["RASA_TOKEN"], redis=True)
            ready = answers(f"http://{host}:{port}/webhooks/rest/")
            supervisor.services.append(Service(name, start(name, command, env), ready, model_missing))
        # Rasa servers load their models side by side; each must answer before we say "running".
        if model_missing():
            raise RuntimeError(model_missing())
        for service in supervisor.services[-len(rasa_ports) :]:
            supervisor.launch(service, again=False)
        for service in supervisor.services[-len(rasa_ports) :]:
            bring_up_started(service)
        login = (
            f"  First advisor:      {username} / {password}  (add more: .venv/bin/python -m live_handoff user add)\n"
            if password
            else ""
        )
        rasa_urls = env["RASA_URL"].split(",")
        print(
            "\nFront Desk is running. Press Ctrl-C to stop.\n"
            f"  Front door:         http://{host}:{door_port}/  (health: /health)\n"
            f"  Metrics:            {metrics_url}\n"
            f"  Resident websocket: ws://{host}:{door_port}/ws/resident\n"
            f"  Advisor websocket:  ws://{host}:{door_port}/ws/advisor  (log in: POST /api/advisor/login)\n"
            f"{login}"
            f"  Open311 service:    {env['OPEN311_URL']}services.json\n"
            f"  Rasa REST channel:  {', '.join(u + '/webhooks/rest/webhook' for u in rasa_urls)}\n"
            f"  Redis:              {env['REDIS_URL']}\n"
            f"  Residents' emails:  {emails}\n"
            f"  Keys and passwords: {shown(SECRETS)}\n"
            f"  Supervision:        a process that stops is restarted; status in {shown(STATUS)}\n\n"
            "Talk to the bot directly:\n"
            f"  curl -s {rasa_urls[0]}/webhooks/rest/webhook \\\n"
            "       -H 'Content-Type: application/json' \\\n"
            '       -d \'{"sender": "resident-1", "message": "when is my bin day?"}\'\n'
            "Preview a route without the servers:\n"
            '  .venv/bin/python -m knowledge_base try "when is my bin day?"\n',
            flush=True,
        )
        # From here on a process that stops is started again; the others keep running.
        supervisor.run()
        return 0
    except KeyboardInterrupt:
        print()
        return 0
    except (RuntimeError, subprocess.CalledProcessError) as exc:
        detail = getattr(exc, "stderr", "") or ""
        print(f"Could not start Front Desk: {exc} {detail}", file=sys.stderr)
        return 1
    finally:
        supervisor.stop()


def bring_up_started(service: Service, timeout: float = 180.0) -> None:
    """Wait until an already started ``service`` answers; RuntimeError if it exits or never does."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if service.process is None or service.process.poll() is not None:
            raise RuntimeError(f"{service.name} exited while starting")
        if service.ready():
            service.record = supervision.ready(service.record)
            return
        time.sleep(0.5)
    raise RuntimeError(f"{service.name} did not answer within {timeout:.0f} s")


if __name__ == "__main__":
    sys.exit(main())
