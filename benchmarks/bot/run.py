"""Bot benchmark: Front Desk's configuration against Rasa's `rasa init` default, same data.

For each configuration: route accuracy on the held-out set, out-of-scope false
acceptance on the CLINC150 dev lines, then messages per second and p50/p99 latency
through Rasa's REST channel (with the real action server) at 1, 10 and 50 concurrent
conversations, and the Rasa server's resident memory afterwards.

    make benchmark                      # or: .venv/bin/python benchmarks/bot/run.py
    .venv/bin/python benchmarks/bot/run.py --duration 10 --levels 1,10

Results: printed as a Markdown table and saved to benchmarks/bot/results/<time>.json.
The baseline model is trained on first use (minutes) and kept in benchmarks/bot/results/.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import datetime as dt
import hashlib
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bot.processes import MODEL, Servers, start_servers  # noqa: E402
from knowledge_base.evaluation import shared_eval_file  # noqa: E402

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
BASELINE_CONFIG = HERE / "rasa_init_config.yml"
BASELINE_MODEL = RESULTS / "models" / "rasa-init.tar.gz"
HELDOUT = ROOT / "tests" / "data" / "heldout_routes.csv"
CLINC = shared_eval_file("clinc150_oos_dev.txt")
MESSAGES_PER_CONVERSATION = 5


def data_hash() -> str:
    digest = hashlib.sha256(BASELINE_CONFIG.read_bytes())
    for folder in ("bot/domain", "bot/data"):
        for path in sorted((ROOT / folder).rglob("*.yml")):
            digest.update(path.read_bytes())
    return digest.hexdigest()


def ensure_baseline_model() -> float | None:
    """Train the `rasa init` configuration on the same data if needed; returns seconds taken."""
    stamp = BASELINE_MODEL.parent / "rasa-init.inputs"
    wanted = data_hash()
    if BASELINE_MODEL.exists() and stamp.exists() and stamp.read_text() == wanted:
        return None
    print("Training the `rasa init` baseline on the same data (several minutes)...", flush=True)
    started = time.monotonic()
    subprocess.run(
        [
            str(ROOT / ".venv" / "bin" / "rasa"),
            "train",
            "--config",
            str(BASELINE_CONFIG),
            "--domain",
            "bot/domain",
            "--data",
            "bot/data",
            "--out",
            str(BASELINE_MODEL.parent),
            "--fixed-model-name",
            "rasa-init",
            "--force",
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "3"},
        check=True,
    )
    stamp.write_text(wanted)
    return time.monotonic() - started


async def send(session: aiohttp.ClientSession, url: str, sender: str, text: str) -> tuple[float, list]:
    started = time.perf_counter()
    async with session.post(url, json={"sender": sender, "message": text}) as response:
        response.raise_for_status()
        body = await response.json()
    return time.perf_counter() - started, body


def route_in(body: list) -> str | None:
    for message in body:
        route = (message.get("custom") or {}).get("route")
        if route:
            return route["name"]
    return None


async def accuracy(url: str, rows: list[tuple[str, str]], concurrency: int = 10) -> dict:
    """Each line as the first message of a fresh conversation; the bot's own route is compared."""
    semaphore = asyncio.Semaphore(concurrency)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:

        async def one(text: str) -> str | None:
            async with semaphore:
                return route_in((await send(session, url, uuid.uuid4().hex, text))[1])

        predicted = await asyncio.gather(*(one(text) for text, _ in rows))
    return {"n": len(rows), "correct": sum(p == r for p, (_, r) in zip(predicted, rows)), "predicted": predicted}


async def load(url: str, texts: list[str], concurrency: int, duration: float) -> dict:
    latencies: list[float] = []
    errors = 0
    stop_at = time.monotonic() + duration

    async def conversation_worker(worker: int, session: aiohttp.ClientSession) -> None:
        nonlocal errors
        i = worker
        while time.monotonic() < stop_at:
            sender = uuid.uuid4().hex
            for _ in range(MESSAGES_PER_CONVERSATION):
                if time.monotonic() >= stop_at:
                    return
                try:
                    latency, _ = await send(session, url, sender, texts[i % len(texts)])
                    latencies.append(latency)
                except (aiohttp.ClientError, asyncio.TimeoutError):
                    errors += 1
                i += concurrency

    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=120)) as session:
        # Warm-up: a few requests so first-call costs are not measured.
        for text in texts[:5]:
            await send(session, url, uuid.uuid4().hex, text)
        started = time.monotonic()
        await asyncio.gather(*(conversation_worker(w, session) for w in range(concurrency)))
        elapsed = time.monotonic() - started
    latencies.sort()
    pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000  # noqa: E731
    return {
        "concurrency": concurrency,
        "messages": len(latencies),
        "errors": errors,
        "seconds": round(elapsed, 2),
        "messages_per_second": round(len(latencies) / elapsed, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p99_ms": round(pick(0.99), 1),
    }


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def measure(
    name: str,
    model: Path,
    action_url: str | None,
    levels: list[int],
    duration: float,
    heldout: list[tuple[str, str]],
    clinc: list[str],
    stock: bool = False,
) -> tuple[dict, Servers]:
    servers = start_servers(RESULTS, model=model, action_url=action_url, stock=stock)
    url = f"{servers.rasa_url}/webhooks/rest/webhook"
    print(f"[{name}] accuracy...", flush=True)
    acc = asyncio.run(accuracy(url, heldout))
    oos = asyncio.run(accuracy(url, [(t, "out_of_scope") for t in clinc]))
    urgent = {
        r: [p == r for p, (_, e) in zip(acc["predicted"], heldout) if e == r]
        for r in ("urgent:safeguarding", "urgent:emergency")
    }
    result = {
        "model": str(model.relative_to(ROOT)),
        "server": "rasa (stock)" if stock else "python -m bot.serve",
        "heldout_accuracy": round(acc["correct"] / acc["n"], 4),
        "urgent_recall": {r: round(sum(v) / len(v), 4) for r, v in urgent.items()},
        "oos_false_acceptance": round(1 - oos["correct"] / oos["n"], 4),
        "load": [],
    }
    texts = [t for t, _ in heldout]
    for level in levels:
        print(f"[{name}] {level} concurrent conversations for {duration:.0f} s...", flush=True)
        result["load"].append(asyncio.run(load(url, texts, level, duration)))
    result["rasa_rss_mb_after_load"] = rss_mb(servers.processes[-1].pid)
    return result, servers


def table(results: dict) -> str:
    lines = ["| configuration | concurrency | msg/s | p50 ms | p99 ms | errors |", "|---|---:|---:|---:|---:|---:|"]
    for name, r in results["configurations"].items():
        for row in r["load"]:
            lines.append(
                f"| {name} | {row['concurrency']} | {row['messages_per_second']} | {row['p50_ms']} | "
                f"{row['p99_ms']} | {row['errors']} |"
            )
    lines += [
        "",
        "| configuration | held-out accuracy | urgent recall (safeguarding / emergency) | "
        "CLINC150 OOS false acceptance | Rasa RSS after load |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, r in results["configurations"].items():
        u = r["urgent_recall"]
        lines.append(
            f"| {name} | {r['heldout_accuracy']:.1%} | {u['urgent:safeguarding']:.0%} / "
            f"{u['urgent:emergency']:.0%} | {r['oos_false_acceptance']:.1%} | {r['rasa_rss_mb_after_load']} MB |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--levels", default="1,10,50")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of load per level")
    parser.add_argument("--only-front-desk", action="store_true", help="skip the rasa init baseline")
    args = parser.parse_args()
    levels = [int(x) for x in args.levels.split(",")]
    RESULTS.mkdir(parents=True, exist_ok=True)
    with HELDOUT.open(encoding="utf-8") as handle:
        heldout = [(row["text"], row["route"]) for row in csv.DictReader(handle)]
    clinc = [line.strip() for line in CLINC.read_text(encoding="utf-8").splitlines() if line.strip()]

    trained_seconds = None if args.only_front_desk else ensure_baseline_model()
    results = {
        "measured_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
        "duration_per_level_s": args.duration,
        "baseline_training_seconds": trained_seconds and round(trained_seconds),
        "configurations": {},
    }
    front, servers = measure("front-desk", MODEL, None, levels, args.duration, heldout, clinc)
    results["configurations"]["front-desk (config.yml), bot.serve"] = front
    try:
        if not args.only_front_desk:
            # Same action server; only the Rasa server (and its configuration) changes. The
            # baseline runs on stock Rasa, and again with bot.serve's fix, so the table shows
            # what the configuration gives and what the server fix gives.
            for label, stock in (("rasa init default, stock rasa", True), ("rasa init default, bot.serve", False)):
                baseline, baseline_servers = measure(
                    label, BASELINE_MODEL, servers.action_url, levels, args.duration, heldout, clinc, stock=stock
                )
                baseline_servers.stop()
                results["configurations"][label] = baseline
    finally:
        servers.stop()
    out = RESULTS / f"bench-{results['measured_at'].replace(':', '')}.json"
    out.write_text(json.dumps(results, indent=2))
    print("\n" + table(results) + f"\n\nSaved {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
