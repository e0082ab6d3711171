"""When `make up` restarts a process that stopped, and when it stops trying."""

from __future__ import annotations

import time

import pytest

from front_door import supervision as sv
from live_handoff import supervised

POLICY = sv.Policy(first_delay=1.0, max_delay=60.0, stable_after=60.0, give_up_after=10)


def fail_quickly(times: int, policy: sv.Policy = POLICY) -> sv.Record:
    record, now = sv.started(sv.Record("Rasa server"), 0.0, again=False), 0.0
    for _ in range(times):
        now += 0.5
        record = sv.after_exit(record, 1, now, policy)
        if record.state == "failed":
            break
        now = record.restart_at or now
        record = sv.started(record, now, again=True)
    return record


def test_the_back_off_doubles_from_one_second_to_a_minute():
    assert [sv.delay(n, POLICY) for n in range(1, 10)] == [1, 2, 4, 8, 16, 32, 60, 60, 60]
    assert sv.delay(10_000, POLICY) == 60


def test_a_process_that_stops_is_restarted_after_the_back_off():
    record = sv.after_exit(sv.started(sv.Record("front door"), 0.0, again=False), -9, 5.0, POLICY)
    assert record.state == "restarting" and record.restart_at == 6.0 and record.last_exit_code == -9
    assert not sv.due(record, 5.9) and sv.due(record, 6.0)
    again = sv.started(record, 6.0, again=True)
    assert again.state == "starting" and again.restarts == 1
    assert sv.ready(again).state == "running"


def test_each_quick_failure_in_a_row_waits_twice_as_long():
    record = fail_quickly(3)
    assert record.failures_in_a_row == 3 and record.restarts == 3
    assert sv.after_exit(record, 1, record.started_at + 1, POLICY).restart_at == record.started_at + 1 + 8


def test_a_process_that_stayed_up_a_while_starts_the_back_off_again():
    record = fail_quickly(5)
    stopped = sv.after_exit(record, 1, record.started_at + 61, POLICY)
    assert stopped.failures_in_a_row == 1 and stopped.restart_at == record.started_at + 61 + 1


def test_a_process_that_keeps_failing_is_given_up_and_says_why():
    record = fail_quickly(20)
    assert record.state == "failed" and record.failures_in_a_row == 11 and "gave up" in record.reason
    assert not sv.due(record, 1e9)


def test_with_give_up_after_zero_a_process_is_restarted_for_ever():
    assert fail_quickly(30, sv.Policy(give_up_after=0)).state == "starting"


def test_a_process_that_cannot_start_is_not_restarted():
    record = sv.after_exit(sv.started(sv.Record("Rasa server"), 0.0, False), 1, 1.0, POLICY, "no trained model")
    assert record.state == "failed" and record.reason == "no trained model" and record.restart_at is None
    assert "not restarting it: no trained model" in sv.log_line(record, 1.0)


def test_the_log_line_says_how_it_stopped_and_when_it_comes_back():
    record = sv.after_exit(sv.started(sv.Record("action server"), 0.0, False), -9, 2.0, POLICY)
    assert sv.log_line(record, 2.0) == "action server was killed by signal 9; restarting it in 1 s (restart 1)"


def status_of(*states: str, age: float = 0.0) -> dict:
    records = [sv.Record(f"p{n}", state=state) for n, state in enumerate(states)]  # type: ignore[arg-type]
    return sv.status(records, now=10.0, wall_clock=time.time() - age)


def test_health_is_quiet_while_every_process_runs():
    assert supervised.summary(status_of("running", "running"), time.time()) == (
        False,
        {"state": "ok", "processes": status_of("running", "running")["processes"]},
    )


@pytest.mark.parametrize("state", ["restarting", "starting", "failed"])
def test_health_warns_while_a_process_is_restarting_or_given_up(state):
    warn, shown = supervised.summary(status_of("running", state), time.time())
    assert warn and shown["state"] == "restarting"


def test_health_warns_when_the_supervisor_stopped_writing_or_the_file_is_damaged(tmp_path):
    assert supervised.summary(status_of("running", age=120), time.time())[1]["state"] == "stale"
    assert supervised.summary(["nonsense"], time.time()) == (True, {"state": "unreadable"})
    assert supervised.read(tmp_path / "none.json", time.time()) == (True, {"state": "missing"})
    assert supervised.read(None, time.time()) == (False, None)


def load_up():
    import importlib.util

    from bot.processes import ROOT

    spec = importlib.util.spec_from_file_location("up_script", ROOT / "scripts" / "up.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(("value", "count"), [(None, 1), ("", 1), ("2", 2), ("16", 16)])
def test_make_up_starts_as_many_rasa_servers_as_bot_processes_says(monkeypatch, value, count):
    if value is None:
        monkeypatch.delenv("BOT_PROCESSES", raising=False)
    else:
        monkeypatch.setenv("BOT_PROCESSES", value)
    assert load_up().bot_processes() == count


@pytest.mark.parametrize("value", ["0", "17", "two", "-1", "1.5"])
def test_a_bad_bot_processes_stops_make_up_naming_the_variable(monkeypatch, value):
    monkeypatch.setenv("BOT_PROCESSES", value)
    with pytest.raises(SystemExit, match="^BOT_PROCESSES: "):
        load_up().bot_processes()
