"""Reading and writing events: JSON Lines, the relay's Redis stream, Open311 statuses, the CLI."""

from __future__ import annotations

import datetime as dt
import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
import redis

from insight import events as ev
from insight.__main__ import main, previous_month
from insight.events import Event, from_stream, read_jsonl, read_redis, write_jsonl, write_redis
from insight.open311 import lookup_statuses
from tests.insight.small_log import small_log

UTC = dt.timezone.utc


def test_jsonl_round_trip_keeps_every_event(tmp_path):
    events = sorted(small_log(), key=lambda e: e.at)
    path = tmp_path / "events.jsonl"
    assert write_jsonl(events, path) == len(events)
    assert read_jsonl(path) == events
    first = json.loads(path.read_text(encoding="utf-8").splitlines()[0])
    assert first == {
        "at": "2026-09-30T22:30:00.000+00:00",
        "kind": "conversation_started",
        "conversation_id": "c00",
        "page": "https://www.northbridge.gov.uk/",
    }
    presence = next(json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if "presence" in line)
    assert "conversation_id" not in presence


def test_a_bad_line_in_a_jsonl_file_is_reported_with_its_line_number(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"at": "2026-10-01T10:00:00Z", "kind": "closed", "conversation_id": "c1"}\n\nnot json\n')
    with pytest.raises(ValueError, match="bad.jsonl:3"):
        read_jsonl(path)


def test_stream_rows_become_events_timed_by_their_id():
    rows = [
        (
            "1790000000123-0",
            {"e": json.dumps({"kind": "route", "conversation_id": "c1", "route": "handoff", "confidence": 0.9})},
        ),
        ("1790000000123-1", {"e": "not json"}),
        ("1790000000999-0", {"e": json.dumps({"kind": "presence", "advisor": "a", "status": "away"})}),
    ]
    found = from_stream(rows)
    assert found == [
        Event(
            dt.datetime(2026, 9, 21, 14, 13, 20, 123000, tzinfo=UTC),
            "route",
            "c1",
            {"route": "handoff", "confidence": 0.9},
        ),
        Event(
            dt.datetime(2026, 9, 21, 14, 13, 20, 999000, tzinfo=UTC),
            "presence",
            None,
            {"advisor": "a", "status": "away"},
        ),
    ]


def test_explicit_stream_ids_increase_even_within_one_millisecond():
    when = dt.datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
    ids = [
        i
        for i, _ in ev.stream_ids([Event(when, "a"), Event(when, "b"), Event(when + dt.timedelta(milliseconds=1), "c")])
    ]
    assert ids == ["1790845200000-0", "1790845200000-1", "1790845200001-0"]


def test_redis_round_trip_reads_only_the_period_in_pages(redis_server, monkeypatch):
    prefix = f"t{uuid.uuid4().hex[:10]}"
    events = sorted(small_log(), key=lambda e: e.at)
    assert write_redis(events, redis_server.url, prefix) == len(events)
    monkeypatch.setattr(ev, "PAGE", 4)  # several pages, ids repeated across a page boundary
    start, end = dt.datetime(2026, 10, 1, tzinfo=UTC), dt.datetime(2026, 10, 15, tzinfo=UTC)
    assert read_redis(redis_server.url, prefix, start, end) == [e for e in events if start <= e.at < end]
    assert (
        read_redis(redis_server.url, prefix, dt.datetime(2020, 1, 1, tzinfo=UTC), dt.datetime(2030, 1, 1, tzinfo=UTC))
        == events
    )
    # What the relay writes reads the same (Store.record: field e, JSON with kind).
    client = redis.Redis.from_url(redis_server.url, decode_responses=True)
    entry = client.xrange(f"{prefix}:analytics", count=1)[0][1]
    assert json.loads(entry["e"])["kind"] == "conversation_started"
    # A stream already past the first event is not written into (ids must increase).
    with pytest.raises(ValueError, match="another prefix"):
        write_redis(events, redis_server.url, prefix)
    client.delete(f"{prefix}:analytics")
    client.close()


class Open311(BaseHTTPRequestHandler):
    known = {f"NB-2026-{n:06d}": "IN_PROGRESS" for n in range(1, 120)}
    calls: list[list[str]] = []

    def do_GET(self):  # noqa: N802 - the http.server API
        url = urlparse(self.path)
        if url.path != "/open311/v2/requests.json":
            self.send_error(404)
            return
        wanted = parse_qs(url.query)["service_request_id"][0].split(",")
        self.calls.append(wanted)
        body = json.dumps(
            [
                {"service_request_id": r, "status": "open", "extended_status": self.known[r]}
                for r in wanted
                if r in self.known
            ]
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def open311():
    server = HTTPServer(("127.0.0.1", 0), Open311)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/open311/v2/"
    server.shutdown()
    server.server_close()


def test_case_statuses_are_looked_up_in_batches_of_fifty(open311):
    Open311.calls.clear()
    references = [f"NB-2026-{n:06d}" for n in range(1, 121)]  # 120: the last one is unknown to the service
    statuses, notes = lookup_statuses(open311, references)
    assert [len(c) for c in Open311.calls] == [50, 50, 20]
    assert len(statuses) == 119 and set(statuses.values()) == {"IN_PROGRESS"}
    assert notes == [
        "1 case references were not found by the case service; they are shown as status unknown. "
        "Private cases are only found with a staff key (OPEN311_STAFF_KEY)."
    ]


async def test_with_a_staff_key_private_cases_are_counted_and_without_one_they_are_unknown(aiohttp_server, tmp_path):
    import asyncio

    import aiohttp

    from service_requests.app import create_standalone_app
    from service_requests.settings import Settings as Open311Settings

    chat, staff = "chat-key-0123456789", "staff-key-0123456789"
    settings = Open311Settings.from_env(
        {"OPEN311_API_KEYS": chat, "OPEN311_STAFF_KEYS": staff, "OPEN311_DB": str(tmp_path / "cases.sqlite3")}
    )
    server = await aiohttp_server(create_standalone_app(settings))
    url = str(server.make_url("/open311/v2/"))
    references = []
    async with aiohttp.ClientSession() as session:
        for form in (
            {"service_code": "contact_centre_message", "description": "Please call me back"},
            {"service_code": "pothole", "description": "Hole", "zipcode": "NB4 2QT"}
            | {"attribute[surface]": "road", "attribute[size]": "small"},
        ):
            async with session.post(url + "requests.json", data={"api_key": chat, **form}) as response:
                references.append((await response.json())[0]["service_request_id"])
    message, pothole = references
    statuses, notes = await asyncio.to_thread(lookup_statuses, url, references, 5.0, api_key=staff)
    assert statuses == {message: "OPEN", pothole: "OPEN"} and notes == []
    statuses, notes = await asyncio.to_thread(lookup_statuses, url, references, 5.0)
    assert statuses == {pothole: "OPEN"}
    assert notes == [
        "1 case references were not found by the case service; they are shown as status unknown. "
        "Private cases are only found with a staff key (OPEN311_STAFF_KEY)."
    ]


def test_a_failed_status_lookup_leaves_cases_unknown_with_a_note():
    statuses, notes = lookup_statuses("http://127.0.0.1:9/", ["NB-2026-000001"], timeout=2)
    assert statuses == {}
    assert len(notes) == 1 and "could not be looked up" in notes[0]


def test_the_command_line_generates_a_month_and_writes_its_report(tmp_path, capsys, open311):
    events = tmp_path / "2026-10.jsonl"
    assert main(["generate", "--month", "2026-10", "--seed", "2", "--conversations", "150", "--out", str(events)]) == 0
    out = tmp_path / "reports" / "2026-10.html"
    figures = tmp_path / "2026-10.json"
    assert (
        main(
            [
                "report",
                "--month",
                "2026-10",
                "--events",
                str(events),
                "--out",
                str(out),
                "--json",
                str(figures),
                "--open311",
                open311,
            ]
        )
        == 0
    )
    html = out.read_text(encoding="utf-8")
    assert "<style>" in html and "Council insight: October 2026" in html
    data = json.loads(figures.read_text(encoding="utf-8"))
    assert data["period_start"] == "2026-10-01" and data["period_end"] == "2026-10-31"
    assert data["case_statuses_known"] and data["notes"]  # generated references are unknown to this service
    assert "Resolved by the bot:" in capsys.readouterr().out
    assert (
        main(
            [
                "report",
                "--from",
                "2026-10-05",
                "--to",
                "2026-10-11",
                "--events",
                str(events),
                "--out",
                str(tmp_path / "week.html"),
                "--link-css",
            ]
        )
        == 0
    )
    assert "5 to 11 October 2026" in (tmp_path / "week.html").read_text(encoding="utf-8")


def test_the_default_month_is_the_previous_calendar_month():
    assert previous_month(dt.date(2026, 11, 23)) == "2026-10"
    assert previous_month(dt.date(2027, 1, 1)) == "2026-12"
