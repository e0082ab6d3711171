"""Run the Open311 service on its own: ``python -m service_requests [--host H] [--port P]``."""

from __future__ import annotations

import argparse
import logging
import sys

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

from service_requests.app import MOUNT, create_standalone_app
from service_requests.catalogue import CatalogueError
from service_requests.settings import Settings, SettingsError


class PathOnlyAccessLogger(AbstractAccessLogger):
    """Access log without query strings: they can hold keys and postcodes."""

    def log(self, request, response, time: float) -> None:  # noqa: D102
        self.logger.info("%s %s %s %.1fms", request.method, request.path, response.status, time * 1000)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m service_requests", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8311)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    try:
        settings = Settings.from_env()
        app = create_standalone_app(settings)
    except (SettingsError, CatalogueError) as exc:
        print(f"Cannot start the Open311 service: {exc}", file=sys.stderr)
        return 2
    print(f"Open311 service on http://{args.host}:{args.port}{MOUNT} (cases in {settings.database})", flush=True)
    web.run_app(app, host=args.host, port=args.port, print=None, access_log_class=PathOnlyAccessLogger)
    return 0


if __name__ == "__main__":
    sys.exit(main())
