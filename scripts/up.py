"""Start Front Desk's processes on 127.0.0.1, print where they are, stop them on Ctrl-C.

Used by `make up`. Ports come from the environment (defaults in brackets):
RASA_PORT (5005), ACTION_PORT (5055), OPEN311_PORT (8311), HOST (127.0.0.1).
Set OPEN311_URL and OPEN311_API_KEY to use a council's own Open311 endpoint instead of
the built-in service.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.processes import (  # noqa: E402
    MODEL, ROOT, action_server_command, new_secrets, open311_command, rasa_server_command, server_env, wait_until_up,
)

SECRETS = ROOT / "var" / "secrets.env"


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
    return {k.strip(): v.strip() for k, v in pairs}


def start(name: str, command: list[str], env: dict[str, str]) -> subprocess.Popen:
    print(f"Starting {name}...", flush=True)
    # Own process group, so we stop each server and its children together, in order.
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)


def stop(processes: list[tuple[str, subprocess.Popen]]) -> None:
    for name, process in reversed(processes):
        if process.poll() is None:
            print(f"Stopping {name}...", flush=True)
            os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + 15
    for _, process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def main() -> int:
    if os.environ.get("OPEN311_URL") and not os.environ.get("OPEN311_API_KEY"):
        print("OPEN311_URL is set but OPEN311_API_KEY is not: the chat could not submit reports.", file=sys.stderr)
        return 2
    host = os.environ.get("HOST", "127.0.0.1")
    rasa_port = int(os.environ.get("RASA_PORT", "5005"))
    action_port = int(os.environ.get("ACTION_PORT", "5055"))
    open311_port = int(os.environ.get("OPEN311_PORT", "8311"))
    env = server_env(action_port, host, open311_port, {**local_secrets(), **{
        k: v for k, v in os.environ.items() if k.startswith("OPEN311_")}})
    processes: list[tuple[str, subprocess.Popen]] = []
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even if started in the background
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        if "OPEN311_URL" not in os.environ:  # a council's own Open311 endpoint replaces the built-in one
            cases = start("Open311 service", open311_command(open311_port, host), env)
            processes.append(("Open311 service", cases))
            wait_until_up(f"http://{host}:{open311_port}/open311/v2/services.json", cases)
        actions = start("action server", action_server_command(action_port), env)
        processes.append(("action server", actions))
        wait_until_up(f"http://{host}:{action_port}/health", actions)
        rasa = start("Rasa server", rasa_server_command(MODEL, rasa_port, host), env)
        processes.append(("Rasa server", rasa))
        wait_until_up(f"http://{host}:{rasa_port}/webhooks/rest/", rasa)
        print(
            "\nFront Desk is running. Press Ctrl-C to stop.\n"
            f"  Rasa REST channel:  http://{host}:{rasa_port}/webhooks/rest/webhook\n"
            f"  Action server:      http://{host}:{action_port}/health\n"
            f"  Open311 service:    {env['OPEN311_URL']}services.json\n"
            f"  Open311 keys:       {SECRETS.relative_to(ROOT)}\n\n"
            "Talk to the bot:\n"
            f"  curl -s http://{host}:{rasa_port}/webhooks/rest/webhook \\\n"
            "       -H 'Content-Type: application/json' \\\n"
            "       -d '{\"sender\": \"resident-1\", \"message\": \"when is my bin day?\"}'\n"
            "Preview a route without the servers:\n"
            "  .venv/bin/python -m knowledge_base try \"when is my bin day?\"\n",
            flush=True,
        )
        while all(p.poll() is None for _, p in processes):
            time.sleep(1)
        dead = [name for name, p in processes if p.poll() is not None]
        print(f"{', '.join(dead)} stopped unexpectedly; stopping the rest.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print()
        return 0
    except RuntimeError as exc:
        print(f"Could not start Front Desk: {exc}", file=sys.stderr)
        return 1
    finally:
        stop(processes)


if __name__ == "__main__":
    sys.exit(main())
