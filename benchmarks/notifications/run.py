"""End-to-end time from a status change to the resident's email in the mail catcher.

    .venv/bin/python benchmarks/notifications/run.py [--changes 20] [--poll 1.0]

Starts the mail catcher and the standalone Open311 service as real processes (the sender
runs inside the service, as in the front door), files one case with an email per change,
then for each: POSTs the staff status change and times until its .eml file exists. Prints
p50/p95/max and saves the figures to benchmarks/notifications/results/latest.json.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from service_requests.notifications import catcher  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def post(url: str, form: dict[str, str]) -> object:
    data = urllib.parse.urlencode(form).encode()
    with urllib.request.urlopen(urllib.request.Request(url, data=data), timeout=10) as response:
        return json.load(response)


def wait(check, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise SystemExit("timed out")
        time.sleep(0.005)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--changes", type=int, default=20)
    parser.add_argument("--poll", type=float, default=0.25, help="NOTIFY_POLL_SECONDS (default: the shipped 0.25 s)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="notify-bench-"))
    mail_dir, mail_port, api_port = work / "mail", free_port(), free_port()
    chat_key, staff_key = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "OPEN311_DB": str(work / "cases.sqlite3"),
        "OPEN311_API_KEYS": chat_key,
        "OPEN311_STAFF_KEYS": staff_key,
        **catcher.local_env("127.0.0.1", api_port, staff_key, mail_port),
        "NOTIFY_POLL_SECONDS": str(args.poll),
    }
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    processes = [
        subprocess.Popen(catcher.command(sys.executable, "127.0.0.1", mail_port, mail_dir), env=env, **quiet),
        subprocess.Popen(
            [sys.executable, "-m", "service_requests", "--port", str(api_port)], env=env, cwd=ROOT, **quiet
        ),
    ]
    base = f"http://127.0.0.1:{api_port}/open311/v2"
    try:
        wait(catcher.ready("127.0.0.1", mail_port))
        wait(catcher.ready("127.0.0.1", api_port))
        figures = []
        for n in range(args.changes):
            form = {
                "api_key": chat_key,
                "service_code": "pothole",
                "description": f"Hole number {n}",
                "address_string": "Station Road",
                "zipcode": "NB4 2QT",
                "attribute[surface]": "road",
                "attribute[size]": "large",
                "email": f"resident{n}@example.com",
            }
            reference = post(f"{base}/requests.json", form)[0]["service_request_id"]  # type: ignore[index]
            before = len(list(mail_dir.glob("*.eml"))) if mail_dir.exists() else 0
            started = time.monotonic()
            post(
                f"{base}/requests/{reference}/status.json",
                {"api_key": staff_key, "extended_status": "FIXED", "updated_by": "Benchmark"},
            )
            wait(lambda count=before: mail_dir.exists() and len(list(mail_dir.glob("*.eml"))) > count)
            figures.append(time.monotonic() - started)
        figures.sort()
        result = {
            "changes": len(figures),
            "poll_seconds": args.poll,
            "p50_ms": round(statistics.median(figures) * 1000, 1),
            "p95_ms": round(figures[int(0.95 * (len(figures) - 1))] * 1000, 1),
            "max_ms": round(figures[-1] * 1000, 1),
            "emails": len(list(mail_dir.glob("*.eml"))),
        }
        print(json.dumps(result, indent=2))
        out = Path(__file__).parent / "results"
        out.mkdir(exist_ok=True)
        (out / "latest.json").write_text(json.dumps(result, indent=2) + "\n")
    finally:
        for process in processes:
            process.terminate()
            process.wait(10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
