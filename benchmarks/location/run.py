"""How much "Use my location" saves a resident, through the real bot, action server and
Open311 service: resident turns and characters typed until the bot asks "what is the
problem", by three ways of saying where, and how long each of those bot turns took.

    .venv/bin/python benchmarks/location/run.py [--rounds 10]

Prints a table; raw figures go to benchmarks/location/results/location.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bot.processes import start_servers  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
HERE = {"lat": 52.4521, "long": -1.5012, "accuracy": 20}
FIRST = "there's a massive pothole on our road"
# Each way: the resident's turns after the first message, as (text, metadata).
WAYS = {
    "postcode and street typed": [("NB4 2QT", None), ("Outside 14 Elm Road", None)],
    "postcode not known, street typed": [("I don't know the postcode", None), ("Outside 14 Elm Road", None)],
    "Use my location, then Skip": [("use my location", {"location": HERE}), ("skip", None)],
}
TYPED = {"use my location", "skip"}  # button payloads: pressed, not typed


def say(url: str, sender: str, text: str, metadata: dict | None) -> tuple[str, float]:
    body = {"sender": sender, "message": text, "metadata": {"channel": "web", **(metadata or {})}}
    request = urllib.request.Request(url, json.dumps(body).encode(), {"Content-Type": "application/json"})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:
        replies = json.loads(response.read())
    return "\n".join(r.get("text") or "" for r in replies), time.perf_counter() - started


def play(url: str, turns: list[tuple[str, dict | None]]) -> dict:
    sender = f"bench-{uuid.uuid4().hex}"
    say(url, sender, FIRST, None)
    seconds, typed, reached = [], 0, False
    for text, metadata in turns:
        reply, took = say(url, sender, text, metadata)
        seconds.append(took)
        typed += 0 if text in TYPED else len(text)
        reached = "what is the problem" in reply
    return {"turns": len(turns), "typed": typed, "seconds": seconds, "reached": reached}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    RESULTS.mkdir(exist_ok=True)
    servers = start_servers(Path(tempfile.mkdtemp(prefix="location-bench-")))
    try:
        url = f"{servers.rasa_url}/webhooks/rest/webhook"
        play(url, WAYS["postcode and street typed"])  # warm-up: models loaded, caches filled
        results = {way: [play(url, turns) for _ in range(args.rounds)] for way, turns in WAYS.items()}
    finally:
        servers.stop()
    print(f"{'way of saying where':36} {'turns':>5} {'typed':>5} {'reached':>7} {'p50 turn ms':>11} {'max ms':>7}")
    for way, runs in results.items():
        times = [s * 1000 for run in runs for s in run["seconds"]]
        print(
            f"{way:36} {runs[0]['turns']:>5} {runs[0]['typed']:>5} "
            f"{sum(r['reached'] for r in runs):>4}/{len(runs):<2} {statistics.median(times):>11.0f} {max(times):>7.0f}"
        )
    (RESULTS / "location.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
