"""End-to-end time from a status change in a council's case system to the resident's email.

    .venv/bin/python benchmarks/notifications/council.py [--changes 20] [--poll 1.0]

Starts the mail catcher and the built-in Open311 service (standing in for the council's
case system, its own sender off) as real processes, and the front door's council component
(watch endpoint, poller, sender) in this process. For each change: files a case with an
email through the chat's Open311 client (which registers the watch), POSTs the staff status
change to the "council" and times until its .eml file exists. Prints p50/p95/max and saves
them to benchmarks/notifications/results/council-latest.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
from aiohttp import web  # noqa: E402

from actions.clients.open311 import Open311Client  # noqa: E402
from actions.settings import Open311Settings  # noqa: E402
from benchmarks.notifications.run import free_port, wait  # noqa: E402
from service_requests.notifications import catcher  # noqa: E402
from service_requests.notifications.wiring import install_council  # noqa: E402


async def measure(args: argparse.Namespace, council_url: str, staff_key: str, chat_key: str, mail_dir: Path) -> list:
    watch_key = secrets.token_urlsafe(24)
    os.environ.update({"OPEN311_URL": council_url, "NOTIFY_WATCH_KEY": watch_key})
    app = web.Application()
    install_council(app, builtin_mounted=False)
    runner = web.AppRunner(app)
    await runner.setup()
    door = free_port()
    await web.TCPSite(runner, "127.0.0.1", door).start()
    client = Open311Client(
        Open311Settings(
            council_url, chat_key, watch_url=f"http://127.0.0.1:{door}/notifications/v1/watch", watch_key=watch_key
        )
    )
    figures = []
    try:
        async with aiohttp.ClientSession() as session:
            for n in range(args.changes):
                form = {
                    "service_code": "pothole",
                    "description": f"Hole number {n}",
                    "address_string": "Station Road",
                    "zipcode": "NB4 2QT",
                    "attribute[surface]": "road",
                    "attribute[size]": "large",
                    "email": f"resident{n}@example.com",
                }
                reference = (await client.submit(form))["service_request_id"]
                before = len(list(mail_dir.glob("*.eml"))) if mail_dir.exists() else 0
                started = time.monotonic()
                status = {"api_key": staff_key, "extended_status": "FIXED", "updated_by": "Benchmark"}
                async with session.post(f"{council_url}requests/{reference}/status.json", data=status) as response:
                    assert response.status == 200, await response.text()
                while not (mail_dir.exists() and len(list(mail_dir.glob("*.eml"))) > before):
                    if time.monotonic() - started > 3 * args.poll + 20:
                        raise SystemExit("timed out")
                    await asyncio.sleep(0.005)
                figures.append(time.monotonic() - started)
    finally:
        await runner.cleanup()
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--changes", type=int, default=20)
    parser.add_argument("--poll", type=float, default=1.0, help="NOTIFY_COUNCIL_POLL_SECONDS (shipped: 300)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="council-bench-"))
    mail_dir, mail_port, api_port = work / "mail", free_port(), free_port()
    chat_key, staff_key = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    council_env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "OPEN311_DB": str(work / "council.sqlite3"),
        "OPEN311_API_KEYS": chat_key,
        "OPEN311_STAFF_KEYS": staff_key,
        "NOTIFY_PROVIDER": "none",  # the council's own system sends nothing
    }
    os.environ.update(
        {
            **catcher.local_env("127.0.0.1", free_port(), staff_key, mail_port),
            "NOTIFY_WATCH_DB": str(work / "watch.sqlite3"),
            "NOTIFY_COUNCIL_POLL_SECONDS": str(args.poll),
        }
    )
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    processes = [
        subprocess.Popen(catcher.command(sys.executable, "127.0.0.1", mail_port, mail_dir), env=council_env, **quiet),
        subprocess.Popen(
            [sys.executable, "-m", "service_requests", "--port", str(api_port)], env=council_env, cwd=ROOT, **quiet
        ),
    ]
    try:
        wait(catcher.ready("127.0.0.1", mail_port))
        wait(catcher.ready("127.0.0.1", api_port))
        council_url = f"http://127.0.0.1:{api_port}/open311/v2/"
        figures = sorted(asyncio.run(measure(args, council_url, staff_key, chat_key, mail_dir)))
        result = {
            "changes": len(figures),
            "council_poll_seconds": args.poll,
            "p50_ms": round(statistics.median(figures) * 1000, 1),
            "p95_ms": round(figures[int(0.95 * (len(figures) - 1))] * 1000, 1),
            "max_ms": round(figures[-1] * 1000, 1),
            "emails": len(list(mail_dir.glob("*.eml"))),
        }
        print(json.dumps(result, indent=2))
        out = Path(__file__).parent / "results"
        out.mkdir(exist_ok=True)
        (out / "council-latest.json").write_text(json.dumps(result, indent=2) + "\n")
    finally:
        for process in processes:
            process.terminate()
            process.wait(10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
