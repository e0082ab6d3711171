"""Run the front door: ``python -m front_door [--host H] [--port P]``.

Serves the handoff relay (live_handoff) and, when OPEN311_API_KEYS is set, the built-in
Open311 service at /open311/v2/. This module is the only place the two are put together:
the packages themselves never import each other.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

from live_handoff import masking
from front_door.app import build_app
from live_handoff.settings import SettingsError


class PathOnlyAccessLogger(AbstractAccessLogger):
    """Access log without query strings: they can hold keys and postcodes."""

    def log(self, request, response, time: float) -> None:  # noqa: D102
        self.logger.info("%s %s %s %.1fms", request.method, request.path, response.status, time * 1000)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m front_door", description=__doc__)
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("FRONT_DOOR_PORT", "8080")))
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    masking.install()
    try:
        app = build_app()
    except (SettingsError, ValueError) as exc:
        print(f"Cannot start the front door: {exc}", file=sys.stderr)
        return 2
    print(f"Front door on http://{args.host}:{args.port}/", flush=True)
    web.run_app(app, host=args.host, port=args.port, print=None, access_log_class=PathOnlyAccessLogger,
                shutdown_timeout=5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
