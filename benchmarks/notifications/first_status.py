"""Council mode: emails sent when a council's reports do not start as OPEN.

    .venv/bin/python benchmarks/notifications/first_status.py [--cases 20] [--poll 0.2]

Real processes as in council.py: the mail catcher, and the built-in Open311 service playing
a council whose reports start as INVESTIGATING (each case is moved there before the chat
registers it, as the chat always registers with "open"). The front door's council component
runs in this process. Counts the emails after five polls (none should be sent: nothing
changed for the resident), then after each case is moved to FIXED (one each). Prints JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import subprocess
import sys
import tempfile
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

FORM = {
    "service_code": "pothole",
    "description": "Hole",
    "address_string": "Station Road",
    "zipcode": "NB4 2QT",
    "attribute[surface]": "road",
    "attribute[size]": "large",
}


async def measure(args: argparse.Namespace, council_url: str, staff_key: str, chat_key: str, mail_dir: Path) -> dict:
    watch_key = secrets.token_urlsafe(24)
    os.environ.update({"OPEN311_URL": council_url, "NOTIFY_WATCH_KEY": watch_key})
    app = web.Application()
    install_council(app, builtin_mounted=False)
    runner = web.AppRunner(app)
    await runner.setup()
    door = free_port()
    await web.TCPSite(runner, "127.0.0.1", door).start()
    council = Open311Client(Open311Settings(council_url, chat_key))
    watch_url = f"http://127.0.0.1:{door}/notifications/v1/watch"

    def emails() -> int:
        return len(list(mail_dir.glob("*.eml"))) if mail_dir.exists() else 0

    async def set_status(session: aiohttp.ClientSession, reference: str, status: str) -> None:
        form = {"api_key": staff_key, "extended_status": status, "updated_by": "Benchmark"}
        async with session.post(f"{council_url}requests/{reference}/status.json", data=form) as response:
            assert response.status == 200, await response.text()

    try:
        async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {watch_key}"}) as session:
            references = []
            for n in range(args.cases):
                reference = (await council.submit({**FORM, "description": f"Hole {n}"}))["service_request_id"]
                await set_status(session, reference, "INVESTIGATING")  # where this council's reports start
                form = {"service_request_id": reference, "email": f"resident{n}@example.com", "status": "open"}
                async with session.post(watch_url, data=form) as response:
                    assert response.status == 200, await response.text()
                references.append(reference)
            await asyncio.sleep(5 * args.poll + 1)
            at_first_polls = emails()
            for reference in references:
                await set_status(session, reference, "FIXED")
            await asyncio.sleep(5 * args.poll + 1)
            return {"cases": args.cases, "emails_with_no_change": at_first_polls, "emails_after_fixed": emails()}
    finally:
        await runner.cleanup()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=20)
    parser.add_argument("--poll", type=float, default=0.2, help="NOTIFY_COUNCIL_POLL_SECONDS (shipped: 300)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="first-status-"))
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
            "NOTIFY_POLL_SECONDS": "0.05",
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
        print(json.dumps(asyncio.run(measure(args, council_url, staff_key, chat_key, mail_dir)), indent=2))
    finally:
        for process in processes:
            process.terminate()
            process.wait(10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
