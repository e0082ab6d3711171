"""What the built-in Open311 service does with reports shaped as FixMyStreet sends them.

Starts the real service (``python -m service_requests``, from this checkout or another
one given with ``--source``, to compare before and after a change), POSTs each kind of
report to ``requests.xml`` as FixMyStreet's ``perllib/Open311.pm`` does, and prints what
came back and how long it took.

    .venv/bin/python benchmarks/fixmystreet/run.py [--rounds 20] [--source /path/to/other/checkout]

Raw figures go to benchmarks/fixmystreet/results/fixmystreet.json.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RESULTS = Path(__file__).resolve().parent / "results"
KEY, STAFF = "bench-submit-key-0123", "bench-staff-key-01234"
DETAIL = "The hole is about a foot across and getting deeper; a cyclist nearly came off this morning. " * 40
PHOTOS = [f"https://www.fixmystreet.example/photo/1234.{n}.full.jpeg" for n in range(3)]
EXTRAS = {
    "uprn": "100012345678",
    "fixmystreet_id": "1234",
    "easting": "372951",
    "northing": "434567",
    "closest_address": "12 Station Road, Northbridge NB4 2QT",
}


def report(description: str, extras: dict[str, str], photos: list[str]) -> list[tuple[str, str]]:
    form = [
        ("api_key", KEY),
        ("jurisdiction_id", "northbridge.example"),
        ("service_code", "pothole"),
        ("description", description),
        ("first_name", "Alex"),
        ("last_name", "Smith"),
        ("email", "alex@example.org"),
        ("lat", "53.745612"),
        ("long", "-2.487133"),
        ("attribute[surface]", "road"),
        ("attribute[size]", "large"),
    ]
    return form + [(f"attribute[{k}]", v) for k, v in extras.items()] + [("media_url", u) for u in photos]


LONG = f"title: Deep pothole\n\ndetail: {DETAIL}\n\nurl: https://www.fixmystreet.example/report/1234\n\nSubmitted via FixMyStreet\n"
KINDS = {
    "short description, listed attributes only, one photo": report("Deep pothole on the bend", {}, PHOTOS[:1]),
    "FixMyStreet UK: extra attributes (uprn, easting...)": report("Deep pothole on the bend", EXTRAS, PHOTOS[:1]),
    f"FixMyStreet UK: {len(LONG.strip())}-character description": report(LONG, {}, PHOTOS[:1]),
    "multi_photos: three media_url": report("Deep pothole on the bend", {}, PHOTOS),
    "all of the above": report(LONG, EXTRAS, PHOTOS),
    "over the bounds: 51 extra attributes": report("Hole", {f"x{n}": "1" for n in range(51)}, []),
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def post(url: str, form: list[tuple[str, str]]) -> tuple[int, str, float]:
    data = urllib.parse.urlencode(form).encode()
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data), timeout=10) as response:
            status, body = response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        status, body = exc.code, exc.read().decode()
    return status, body, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--source", type=Path, default=ROOT, help="the checkout whose service to start")
    args = parser.parse_args()
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "PYTHONPATH": str(args.source),
            "OPEN311_API_KEYS": KEY,
            "OPEN311_STAFF_KEYS": STAFF,
            "OPEN311_DB": str(Path(tmp) / "cases.sqlite3"),
        }
        service = subprocess.Popen(
            [sys.executable, "-m", "service_requests", "--port", str(port)],
            cwd=args.source,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}/open311/v2/"
        try:
            for _ in range(100):
                try:
                    urllib.request.urlopen(base + "services.json", timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.1)
            figures = {}
            for kind, form in KINDS.items():
                runs = [post(base + "requests.xml", form) for _ in range(args.rounds)]
                statuses = sorted({r[0] for r in runs})
                answer = runs[0][1]
                said = answer.split("<description>", 1)[1].split("</description>", 1)[0] if "<errors>" in answer else ""
                figures[kind] = {
                    "statuses": statuses,
                    "refusal": said,
                    "p50_ms": round(statistics.median(r[2] for r in runs) * 1000, 1),
                }
        finally:
            service.terminate()
            service.wait(timeout=10)
    print(f"Open311 service from {args.source}, {args.rounds} POSTs to requests.xml per kind")
    print("| report | HTTP status | p50 ms | refusal |\n|---|---|---:|---|")
    for kind, found in figures.items():
        statuses = ",".join(str(s) for s in found["statuses"])
        print(f"| {kind} | {statuses} | {found['p50_ms']} | {found['refusal'][:90]} |")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "fixmystreet.json").write_text(json.dumps({"source": str(args.source), **figures}, indent=2))


if __name__ == "__main__":
    main()
