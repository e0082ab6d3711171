"""Run the front door: ``python -m front_door [--host H] [--port P]``.

Serves the handoff relay (live_handoff) and, when OPEN311_API_KEYS is set, the built-in
Open311 service at /open311/v2/. This module is the only place the two are put together:
the packages themselves never import each other.
"""

from __future__ import annotations

import argparse
import logging
import sys

from aiohttp.abc import AbstractAccessLogger

import service_requests
from front_door import deadlines
from front_door.app import build_app
from front_door.deadlines import DeadlineRunner
from front_door.settings import Settings as DoorSettings
from front_door.settings import SettingsError as DoorSettingsError
from live_handoff import Settings, SettingsError, count_limited, install_log_masking


class PathOnlyAccessLogger(AbstractAccessLogger):
    """Access log without query strings: they can hold keys and postcodes."""

    def log(self, request, response, time: float) -> None:  # noqa: D102
        self.logger.info("%s %s %s %.1fms", request.method, request.path, response.status, time * 1000)


def main() -> int:
    try:
        door = DoorSettings.from_env()
    except DoorSettingsError as exc:
        print(f"Cannot start the front door: {exc}", file=sys.stderr)
        return 2
    parser = argparse.ArgumentParser(prog="python -m front_door", description=__doc__)
    parser.add_argument("--host", default=door.host, help="default HOST or 127.0.0.1")
    parser.add_argument("--port", type=int, default=door.port, help="default FRONT_DOOR_PORT or 8080")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    install_log_masking()
    try:
        relay = Settings.from_env()
        app = build_app(relay, door)
    except (SettingsError, service_requests.SettingsError, ValueError) as exc:
        print(f"Cannot start the front door: {exc}", file=sys.stderr)
        return 2
    print(f"Front door on http://{args.host}:{args.port}/", flush=True)
    if relay.metrics_address is not None:
        # The relay starts this listener with the application (live_handoff.app).
        host, port = relay.metrics_address
        print(f"Metrics on http://{f'[{host}]' if ':' in host else host}:{port}/metrics", flush=True)
    runner = DeadlineRunner(
        app,
        # Slowloris: a request's headers and body must arrive in time (front_door/deadlines.py).
        header_seconds=relay.limits.http_header_seconds,
        body_seconds=relay.limits.http_body_seconds,
        on_timeout=lambda what: count_limited(app, what),
        handle_signals=True,
        access_log_class=PathOnlyAccessLogger,
    )
    try:
        deadlines.run(runner, args.host, args.port)
    except OSError as exc:  # a port in use: say which, without a traceback
        print(f"Cannot start the front door: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
