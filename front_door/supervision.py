"""When to restart a supervised process, and when to stop trying: pure decisions, no I/O.

`make up` (``scripts/up.py``, through ``front_door.supervisor``) keeps each of Front
Desk's processes running: one that exits is started again after a back-off that doubles
from ``first_delay`` to ``max_delay`` while it keeps failing, and starts again from
``first_delay`` once it has stayed up ``stable_after`` seconds. A process whose start
cannot succeed (a missing model, say) is not restarted at all; one that keeps failing
is given up after ``give_up_after`` quick failures in a row. The others keep running.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

State = Literal["starting", "running", "restarting", "failed", "stopped"]


@dataclass(frozen=True)
class Policy:
    """How patiently a process is restarted."""

    first_delay: float = 1.0
    max_delay: float = 60.0
    # Up this long counts as a good run: the next failure waits first_delay again.
    stable_after: float = 60.0
    # Quick failures in a row before giving up; 0 never gives up.
    give_up_after: int = 10


@dataclass(frozen=True)
class Record:
    """What the supervisor knows about one process."""

    name: str
    state: State = "starting"
    restarts: int = 0
    failures_in_a_row: int = 0
    started_at: float = 0.0
    restart_at: float | None = None
    last_exit_code: int | None = None
    last_exit_at: float | None = None
    reason: str = ""


def delay(failures_in_a_row: int, policy: Policy) -> float:
    """Seconds to wait before the next start after this many quick failures in a row (1, 2, 4 ... max)."""
    if failures_in_a_row <= 0:
        return 0.0
    return float(min(policy.max_delay, policy.first_delay * 2 ** min(failures_in_a_row - 1, 62)))


def after_exit(record: Record, exit_code: int, now: float, policy: Policy, cannot_start: str = "") -> Record:
    """The record once its process exited with ``exit_code`` at ``now``.

    Args:
        record: the process's record while it ran.
        exit_code: its exit status (negative: killed by that signal).
        now: the time it was seen to exit (seconds, any monotonic clock).
        policy: the back-off.
        cannot_start: why starting it again cannot work (e.g. "no trained model at ..."),
            or empty: when given, the process is not restarted.

    Returns:
        ``restarting`` with ``restart_at`` set, or ``failed`` with a reason.
    """
    stayed_up = now - record.started_at >= policy.stable_after
    failures = 1 if stayed_up else record.failures_in_a_row + 1
    exited = replace(record, last_exit_code=exit_code, last_exit_at=now, failures_in_a_row=failures)
    if cannot_start:
        return replace(exited, state="failed", restart_at=None, reason=cannot_start)
    if policy.give_up_after and failures > policy.give_up_after:
        reason = f"exited {failures - 1} times in a row within {policy.stable_after:.0f} s of starting; gave up"
        return replace(exited, state="failed", restart_at=None, reason=reason)
    return replace(exited, state="restarting", restart_at=now + delay(failures, policy), reason="")


def due(record: Record, now: float) -> bool:
    """Whether a restarting process should be started now."""
    return record.state == "restarting" and record.restart_at is not None and now >= record.restart_at


def started(record: Record, now: float, again: bool) -> Record:
    """The record once its process was started (``again``: a restart, counted)."""
    return replace(
        record, state="starting", started_at=now, restart_at=None, restarts=record.restarts + (1 if again else 0)
    )


def ready(record: Record) -> Record:
    """The record once its process answers."""
    return replace(record, state="running") if record.state == "starting" else record


def status(
    records: list[Record], now: float, wall_clock: float, pids: dict[str, int] | None = None
) -> dict[str, object]:
    """The status file's content (``contracts/README.md``: supervisor status).

    Args:
        records: every supervised process.
        now: the monotonic clock the records use.
        wall_clock: seconds since the epoch, for readers on other clocks.
        pids: the process id of each running process, by name.
    """

    def ago(moment: float | None) -> float | None:
        return None if moment is None else round(now - moment, 1)

    return {
        "updated_at": round(wall_clock, 1),
        "processes": [
            {
                "name": r.name,
                "state": r.state,
                "pid": (pids or {}).get(r.name),
                "restarts": r.restarts,
                "last_exit_code": r.last_exit_code,
                "last_exit_seconds_ago": ago(r.last_exit_at),
                "restart_in_seconds": None if r.restart_at is None else max(0.0, round(r.restart_at - now, 1)),
                "reason": r.reason,
            }
            for r in records
        ],
    }


def log_line(record: Record, now: float) -> str:
    """One line for the log when a process exited, saying what happens next."""
    code = record.last_exit_code
    how = f"was killed by signal {-code}" if code is not None and code < 0 else f"exited with status {code}"
    if record.state == "failed":
        return f"{record.name} {how}; not restarting it: {record.reason}"
    wait = 0.0 if record.restart_at is None else record.restart_at - now
    return f"{record.name} {how}; restarting it in {wait:.0f} s (restart {record.restarts + 1})"
