"""Keep a set of processes running: restart one that exits, leave the others alone.

The decisions (back-off, giving up) are ``front_door.supervision``'s; this module only
starts, watches and stops processes, logs a line for each exit and writes a status file
the front door's ``/health`` reads (``RELAY_SUPERVISOR_STATUS``).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from front_door import supervision as sv

# Rewritten at least this often, so a reader can tell a live supervisor from a dead one.
HEARTBEAT_SECONDS = 5.0


@dataclass
class Service:
    """One supervised process.

    Attributes:
        name: what the log and the status file call it.
        start: starts it and returns the process (in its own process group).
        ready: whether it answers yet (called while it is ``starting``).
        cannot_start: why starting it cannot work now (e.g. its model is missing), or "".
    """

    name: str
    start: Callable[[], subprocess.Popen]
    ready: Callable[[], bool] = lambda: True
    cannot_start: Callable[[], str] = lambda: ""
    process: subprocess.Popen | None = None
    record: sv.Record = field(init=False)

    def __post_init__(self) -> None:
        self.record = sv.Record(self.name)


def say(line: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} supervisor: {line}", file=sys.stderr, flush=True)


class Supervisor:
    """Starts services in order, then restarts any that exits until ``stop``."""

    def __init__(self, services: list[Service], status_file: Path | None = None, policy: sv.Policy | None = None):
        self.services = services
        self.status_file = status_file
        self.policy = policy or sv.Policy()
        self._written = 0.0
        self.stopping = False

    def launch(self, service: Service, again: bool) -> None:
        now = time.monotonic()
        try:
            service.process = service.start()
        except (OSError, RuntimeError) as exc:
            # Could not even start (e.g. Redis's port taken): counts as a quick failure.
            service.process = None
            service.record = sv.after_exit(sv.started(service.record, now, again), 1, now, self.policy)
            say(f"{service.name} did not start ({exc}); " + sv.log_line(service.record, now).split("; ", 1)[1])
            return
        service.record = sv.started(service.record, now, again)

    def check(self) -> bool:
        """One round: notice exits, start what is due, notice readiness. True if anything changed."""
        changed = False
        for service in self.services:
            now = time.monotonic()
            record = service.record
            if record.state in ("starting", "running") and service.process is not None:
                code = service.process.poll()
                if code is not None:
                    service.record = sv.after_exit(record, code, now, self.policy, service.cannot_start())
                    say(sv.log_line(service.record, now))
                    changed = True
                elif record.state == "starting" and service.ready():
                    service.record = sv.ready(record)
                    if record.restarts:
                        say(f"{service.name} is back (restart {record.restarts})")
                    changed = True
            elif sv.due(record, now):
                reason = service.cannot_start()
                if reason:
                    service.record = sv.after_exit(record, record.last_exit_code or 1, now, self.policy, reason)
                    say(sv.log_line(service.record, now))
                else:
                    say(f"starting {service.name} again")
                    self.launch(service, again=True)
                changed = True
        return changed

    def write_status(self) -> None:
        if self.status_file is None:
            return
        pids = {s.name: s.process.pid for s in self.services if s.process is not None and s.process.poll() is None}
        body = sv.status([s.record for s in self.services], time.monotonic(), time.time(), pids)
        staging = self.status_file.with_suffix(".new")
        staging.write_text(json.dumps(body))
        os.replace(staging, self.status_file)  # readers see a whole file, never half of one
        self._written = time.monotonic()

    def run(self, interval: float = 0.25, until: Callable[[], bool] = lambda: False) -> None:
        """Watch until ``until()`` or ``stop`` (KeyboardInterrupt also ends it)."""
        self.write_status()
        while not self.stopping and not until():
            if self.check() or time.monotonic() - self._written >= HEARTBEAT_SECONDS:
                self.write_status()
            time.sleep(interval)

    def stop(self, timeout: float = 15.0) -> None:
        """Stop every service, last started first: SIGTERM to its group, SIGKILL after ``timeout``."""
        self.stopping = True
        running = [s for s in reversed(self.services) if s.process is not None and s.process.poll() is None]
        for service in running:
            say(f"stopping {service.name}")
            assert service.process is not None
            _signal_group(service.process, signal.SIGTERM)
            try:
                service.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                _signal_group(service.process, signal.SIGKILL)
                service.process.wait(timeout=5)
            service.record = sv.Record(service.name, state="stopped", restarts=service.record.restarts)
        self.write_status()


def _signal_group(process: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(process.pid, sig)
    except (ProcessLookupError, PermissionError):
        try:
            process.send_signal(sig)
        except ProcessLookupError:
            pass
