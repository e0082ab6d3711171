"""Scale-out benchmark: one Rasa server against two, in the same run, on one Redis.

Starts a private Redis, the Open311 service, the action server and two Rasa servers
sharing Redis's tracker and lock stores (as ``BOT_PROCESSES=2 make up`` does), then runs
10 and 50 concurrent conversations (5 messages each, then a new conversation) through the
relay's own Rasa client (``live_handoff.bot_client.BotClient``, which spreads
conversations over the servers in RASA_URL), first with one server listed, then with
both. Records messages per second, p50 and p99 latency, errors, turns per server and the
load average.

    .venv/bin/python benchmarks/scale/run.py                      # 20 s per level
    .venv/bin/python benchmarks/scale/run.py --duration 10 --levels 10
    .venv/bin/python benchmarks/scale/run.py --kill   # then one of two killed under load

Results: printed as a Markdown table and saved to benchmarks/scale/results/<time>.json.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import datetime as dt
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bot.processes import start_servers  # noqa: E402
from front_door.processes import RedisServer  # noqa: E402
from live_handoff import bot_choice  # noqa: E402
from live_handoff.bot_client import BotClient, BotUnavailableError  # noqa: E402

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
HELDOUT = ROOT / "tests" / "data" / "heldout_routes.csv"
MESSAGES_PER_CONVERSATION = 5


async def load(
    urls: str, texts: list[str], concurrency: int, duration: float, kill: subprocess.Popen | None = None
) -> dict:
    """``concurrency`` residents talking at once for ``duration`` seconds through BotClient;
    ``kill`` is SIGKILLed half-way through (a Rasa server dying under load)."""
    latencies: list[float] = []
    errors = moved = 0
    kinds: dict[str, int] = {}
    killed_at = 0.0
    killed_url = urls.split(",")[-1]  # the server killed is the last one listed
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:
        bot = BotClient(session, urls, timeout=15.0)  # the relay's default
        for text in texts[:5]:  # warm-up: first-call costs are not measured
            for url in bot.urls:
                await BotClient(session, url, timeout=60.0).send(f"warm-{uuid.uuid4().hex}", text, {})
        stop_at = time.monotonic() + duration

        async def resident(worker: int) -> None:
            nonlocal errors, moved
            i = worker
            while time.monotonic() < stop_at:
                cid = f"c_{uuid.uuid4().hex[:22]}"
                for _ in range(MESSAGES_PER_CONVERSATION):
                    if time.monotonic() >= stop_at:
                        return
                    started = time.monotonic()
                    try:
                        await bot.send(cid, texts[i % len(texts)], {"channel": "web"})
                        latencies.append(time.monotonic() - started)
                        if killed_at and started > killed_at and bot_choice.ranked(cid, bot.urls)[0] == killed_url:
                            moved += 1  # its own server was dead: the other one answered
                    except BotUnavailableError as exc:
                        errors += 1
                        kinds[str(exc)] = kinds.get(str(exc), 0) + 1
                    i += concurrency

        async def killer() -> None:
            nonlocal killed_at
            if kill is not None:
                await asyncio.sleep(duration / 2)
                kill.send_signal(signal.SIGKILL)
                killed_at = time.monotonic()

        load_before = os.getloadavg()[0]
        started = time.monotonic()
        await asyncio.gather(killer(), *(resident(w) for w in range(concurrency)))
        elapsed = time.monotonic() - started
        per_process = {url: bot.turns.labels(url)._value.get() for url in bot.urls}
    latencies.sort()

    def pick(q: float) -> float:
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000

    return {
        "rasa_processes": len(urls.split(",")),
        "concurrency": concurrency,
        "messages": len(latencies),
        "errors": errors,
        "seconds": round(elapsed, 2),
        "messages_per_second": round(len(latencies) / elapsed, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 1) if latencies else None,
        "p99_ms": round(pick(0.99), 1) if latencies else None,
        "turns_per_process": list(per_process.values()),
        "errors_by_kind": kinds,
        "killed_one_half_way": kill is not None,
        "turns_moved_to_the_other_process": int(moved),
        "load_average_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }


def table(rows: list[dict]) -> str:
    lines = [
        "| Rasa processes | concurrency | msg/s | p50 ms | p99 ms | errors (resident told) | turns per process "
        "| load avg (before, after) |",
        "|---|---:|---:|---:|---:|---:|---|---|",
    ]
    for r in rows:
        killed = (
            f", one killed half-way ({r['turns_moved_to_the_other_process']} turns answered by the other)"
            * r["killed_one_half_way"]
        )
        lines.append(
            f"| {r['rasa_processes']}{killed} | {r['concurrency']} | {r['messages_per_second']} | {r['p50_ms']} | "
            f"{r['p99_ms']} | {r['errors']} | {' / '.join(str(int(t)) for t in r['turns_per_process'])} | "
            f"{r['load_average_1min'][0]}, {r['load_average_1min'][1]} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--levels", default="10,50")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of load per level")
    parser.add_argument("--kill", action="store_true", help="then kill one of two servers under load")
    args = parser.parse_args()
    levels = [int(x) for x in args.levels.split(",")]
    RESULTS.mkdir(parents=True, exist_ok=True)
    with HELDOUT.open(encoding="utf-8") as handle:
        texts = [row["text"] for row in csv.DictReader(handle)]
    with tempfile.TemporaryDirectory() as folder:
        redis = RedisServer(Path(folder) / "redis").start()
        first = second = None
        try:
            first = start_servers(RESULTS, redis_url=redis.url)
            second = start_servers(
                RESULTS, action_url=first.action_url, redis_url=redis.url, rasa_token=first.rasa_token
            )
            rows = []
            for level in levels:
                for urls in (first.rasa_url, f"{first.rasa_url},{second.rasa_url}"):
                    count = len(urls.split(","))
                    print(f"{count} Rasa process(es), {level} concurrent conversations, {args.duration:.0f} s...")
                    rows.append(asyncio.run(load(urls, texts, level, args.duration)))
            if args.kill:
                level = levels[0]
                print(f"2 Rasa processes, {level} concurrent conversations, one killed half-way...")
                both = f"{first.rasa_url},{second.rasa_url}"
                rows.append(asyncio.run(load(both, texts, level, args.duration, kill=second.processes[-1])))
        finally:
            for servers in (second, first):
                if servers:
                    servers.stop()
            redis.stop()
    results = {
        "measured_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
        "duration_per_level_s": args.duration,
        "path": "BotClient (the relay's Rasa client) -> Rasa REST channel -> action server",
        "rows": rows,
    }
    out = RESULTS / f"scale-{results['measured_at'].replace(':', '')}.json"
    out.write_text(json.dumps(results, indent=2))
    print("\n" + table(rows) + f"\n\nSaved {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
