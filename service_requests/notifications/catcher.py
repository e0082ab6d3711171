"""A local mail catcher: an SMTP server that keeps every message as a file, for ``make up`` and tests.

    python -m service_requests.notifications.catcher [--host 127.0.0.1] [--port 2525] [--dir var/mail]

Each message becomes ``<dir>/<time>-<n>.eml`` (written whole, then renamed, so a reader never
sees half a message). Nothing is relayed anywhere: it is for seeing what residents would get.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import itertools
import os
import socket
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aiosmtpd.smtp import SMTP

ROOT = Path(__file__).resolve().parents[2]


class Keep:
    """aiosmtpd handler writing each message to a folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.count = itertools.count(1)
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's name)
        name = f"{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{next(self.count):05d}.eml"
        staging = self.folder / f".{name}.new"
        fd = os.open(staging, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)  # residents' addresses are in it
        with os.fdopen(fd, "wb") as handle:
            handle.write(f"X-Envelope-To: {', '.join(envelope.rcpt_tos)}\r\n".encode())
            handle.write(envelope.original_content or envelope.content)
        os.replace(staging, self.folder / name)
        print(f"Mail for {', '.join(envelope.rcpt_tos)} kept in {self.folder / name}", flush=True)
        return "250 Message accepted for delivery"


async def serve(host: str, port: int, folder: Path) -> None:
    handler = Keep(folder)
    server = await asyncio.get_running_loop().create_server(lambda: SMTP(handler, hostname="mail-catcher"), host, port)
    print(f"Mail catcher on smtp://{host}:{port}; messages kept in {folder}", flush=True)
    async with server:
        await server.serve_forever()


def command(python: str, host: str, port: int, folder: Path) -> list[str]:
    """The command line that starts the catcher (for scripts/up.py)."""
    module = "service_requests.notifications.catcher"
    return [python, "-m", module, "--host", host, "--port", str(port), "--dir", str(folder)]


def ready(host: str, port: int) -> Callable[[], bool]:
    """Whether the catcher accepts connections yet."""

    def check() -> bool:
        try:
            socket.create_connection((host, port), timeout=1).close()
            return True
        except OSError:
            return False

    return check


def local_env(host: str, door_port: int, staff_keys: str, port: int) -> dict[str, str]:
    """Settings that send status-change emails to the catcher on this machine (``make up``'s default).

    The unsubscribe secret is derived from the local staff key, so links in caught mail keep
    working across restarts without another secret to keep.
    """
    secret = hmac.new(staff_keys.encode(), b"frontdesk notify secret", hashlib.sha256).hexdigest()
    return {
        "NOTIFY_PROVIDER": "smtp",
        "SMTP_HOST": host,
        "SMTP_PORT": str(port),
        "MAIL_FROM": "updates@northbridge.example",
        "MAIL_REPLY_TO": "contact@northbridge.example",
        "NOTIFY_PUBLIC_URL": f"http://{host}:{door_port}",
        "NOTIFY_SECRET": secret,
    }


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m service_requests.notifications.catcher", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=2525)
    parser.add_argument("--dir", type=Path, default=ROOT / "var" / "mail")
    args = parser.parse_args()
    try:
        asyncio.run(serve(args.host, args.port, args.dir))
    except KeyboardInterrupt:
        pass
    except OSError as exc:
        print(f"Cannot start the mail catcher: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
