"""Handoff relay benchmark: connections per process, resident-to-advisor delivery, bot overhead.

Three parts, each against real processes (``python -m front_door``, a private
redis-server, and for part 3 the real Rasa server and action server):

1. connections  Idle resident websockets one relay process holds (hello + welcome each),
                in steps, with the relay's resident memory before and after each step and a
                fresh hello + message (time to welcome and to ack) at the top step.
2. delivery     Time from a resident's send (relay A) to the advisor's socket receiving the
                message (relay B), with many live chats at once; every message is checked
                to arrive exactly once, at the advisor who claimed the chat.
3. bot          Bot round trips directly to Rasa's REST channel against the same message
                through the relay's websocket, interleaved; plus a third, paired figure: the
                relay's own time per turn, with a timing proxy between relay and Rasa.

    PYTHONPATH=. .venv/bin/python benchmarks/relay/run.py            # about 2-3 minutes
    PYTHONPATH=. .venv/bin/python benchmarks/relay/run.py --quick    # smoke run, about a minute
    PYTHONPATH=. .venv/bin/python benchmarks/relay/run.py --parts connections,delivery

Prints Markdown tables and writes the raw figures to benchmarks/relay/results.json.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import math
import os
import platform
import re
import shutil
import signal
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from front_door.processes import FrontDoor, RedisServer, free_port  # noqa: E402
from live_handoff import auth  # noqa: E402
from live_handoff.bot_replies import translate  # noqa: E402
from live_handoff.store import Store, connect_redis  # noqa: E402

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results.json"
DEAD_RASA = "http://127.0.0.1:9"  # nothing listens on the discard port: parts 1 and 2 need no bot
PASSWORD = "relay-benchmark-password"
QUESTIONS = [
    "when is my bin collected",
    "how do I pay council tax",
    "what time does the library open",
    "how do I apply for a parking permit",
    "where is the nearest recycling centre",
    "how do I register to vote",
    "can I get a replacement recycling box",
    "how do I apply for a school place",
]
PARTS = ("connections", "delivery", "bot")

# Everything started, so that an error or Ctrl-C still stops it (stop() is idempotent).
STARTED: list[Any] = []
INTERRUPTED = False


# Helpers ----------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float | None:
    """Linear interpolation between closest ranks (q in 0..100)."""
    if not values:
        return None
    data = sorted(values)
    k = (len(data) - 1) * q / 100
    lo, hi = math.floor(k), math.ceil(k)
    return data[lo] + (data[hi] - data[lo]) * (k - lo)


def summary_ms(values_ms: list[float]) -> dict[str, Any]:
    return {
        "count": len(values_ms),
        "p50": percentile(values_ms, 50),
        "p90": percentile(values_ms, 90),
        "p99": percentile(values_ms, 99),
        "max": max(values_ms) if values_ms else None,
        "mean": sum(values_ms) / len(values_ms) if values_ms else None,
    }


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_cpu() -> dict[str, float]:
    """CPU seconds the whole machine spent busy and waiting for the disk (all cores), so far."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle, iowait = values[3], values[4]
    tick = os.sysconf("SC_CLK_TCK")
    return {"busy": (sum(values[:8]) - idle - iowait) / tick, "iowait": iowait / tick}


def others_cpu(before: dict[str, float], ours: float, seconds: float) -> dict[str, float]:
    """The machine's CPU use during a measurement, in per cent of one core: all of it, ours
    (the processes this benchmark started, and itself), and everyone else's."""
    after = machine_cpu()
    busy = 100 * (after["busy"] - before["busy"]) / seconds
    return {
        "machine_busy": round(busy, 1),
        "ours": round(ours, 1),
        "others": round(busy - ours, 1),
        "iowait": round(100 * (after["iowait"] - before["iowait"]) / seconds, 1),
    }


def git_commit() -> str:
    """The checked-out commit, read from .git without running git."""
    git = ROOT / ".git"
    try:
        head = (git / "HEAD").read_text().strip()
        if not head.startswith("ref: "):
            return head[:7]
        ref = head[5:]
        if (git / ref).exists():
            return (git / ref).read_text().strip()[:7]
        for line in (git / "packed-refs").read_text().splitlines():
            if line.endswith(" " + ref):
                return line.split()[0][:7]
    except OSError:
        pass
    return "unknown"


def relay_env(redis_url: str, prefix: str, rasa_url: str = DEAD_RASA, rasa_token: str = "") -> dict[str, str]:
    return {
        "REDIS_URL": redis_url,
        "RASA_URL": rasa_url,
        "RASA_TOKEN": rasa_token,
        "RELAY_KEY_PREFIX": prefix,
        "RELAY_OPENING_HOURS": "Mon-Sun 00:00-24:00",
        "RELAY_CLOSURES": "",
        "RELAY_MESSAGES_PER_MINUTE": "100000",
        "RELAY_BURST": "100000",
        # Thousands of connections from one address are the point here, not an attack.
        "RELAY_LIMIT_NEW_CONVERSATIONS": "1000000",
        "RELAY_LIMIT_SOCKETS": "1000000",
        "RELAY_LIMIT_RESIDENT_MESSAGES": "1000000",
        "RELAY_LIMIT_BOT_TURNS": "100000",
        "OPEN311_API_KEYS": "",
        "OPEN311_URL": "",
        "TF_CPP_MIN_LOG_LEVEL": "3",
    }


def start_relay(env: dict[str, str], log: Path) -> FrontDoor:
    door = FrontDoor(env, log)
    STARTED.append(door)
    return door.start()


def stop(thing: Any) -> None:
    """Stop a process we started; after Ctrl-C, relays are killed rather than drained (their
    graceful shutdown waits for every websocket to close, which takes long with nobody reading)."""
    with contextlib.suppress(Exception):
        if INTERRUPTED and isinstance(thing, FrontDoor):
            thing.kill()
        else:
            thing.stop()


def stop_all() -> None:
    while STARTED:
        stop(STARTED.pop())


def interrupted(signum: int, frame: Any) -> None:
    global INTERRUPTED
    INTERRUPTED = True
    raise KeyboardInterrupt


def ms(ns: int) -> float:
    return ns / 1e6


class Conn:
    """A websocket client whose frames are read by a task (so pings are answered)."""

    def __init__(
        self,
        ws: aiohttp.ClientWebSocketResponse,
        on_frame: Callable[[Conn, dict, int], None] | None = None,
        keep: bool = False,
    ) -> None:
        self.ws = ws
        self.on_frame = on_frame
        self.keep = keep
        self.frames: list[dict] = []
        self.waiters: list[tuple[Callable[[dict], bool], asyncio.Future]] = []
        self.bytes = 0
        self.count = 0
        self.ended: str | None = None
        self.cid = ""
        self.name = ""
        self.task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        try:
            async for msg in self.ws:
                if msg.type != aiohttp.WSMsgType.TEXT:
                    continue
                now = time.monotonic_ns()
                frame = json.loads(msg.data)
                self.bytes += len(msg.data)
                self.count += 1
                if self.keep:
                    self.frames.append(frame)
                if self.on_frame:
                    self.on_frame(self, frame, now)
                if self.waiters:
                    for waiter in list(self.waiters):
                        where, future = waiter
                        if not future.done() and where(frame):
                            future.set_result((frame, now))
                            self.waiters.remove(waiter)
        except Exception as exc:  # noqa: BLE001 - recorded and reported
            self.ended = f"{type(exc).__name__}: {exc}"
        finally:
            self.ended = self.ended or f"closed (code {self.ws.close_code})"
            for _, future in self.waiters:
                if not future.done():
                    future.set_exception(ConnectionError(f"socket ended: {self.ended}"))
            self.waiters.clear()

    def expect(self, where: Callable[[dict], bool]) -> asyncio.Future:
        """A future for the next frame matching ``where`` (register before sending)."""
        future = asyncio.get_running_loop().create_future()
        if self.ended:
            future.set_exception(ConnectionError(f"socket ended: {self.ended}"))
        else:
            self.waiters.append((where, future))
        return future

    async def send(self, frame: dict) -> None:
        await self.ws.send_str(json.dumps(frame))

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self.ws.close()
        with contextlib.suppress(Exception):
            await self.task


def kind(name: str, **fields: Any) -> Callable[[dict], bool]:
    return lambda f: f.get("type") == name and all(f.get(k) == v for k, v in fields.items())


async def open_resident(
    session: aiohttp.ClientSession,
    ws_url: str,
    timeout: float = 30.0,
    on_frame: Callable | None = None,
    keep: bool = False,
) -> Conn:
    """A resident socket that has said hello and got its welcome."""
    ws = await session.ws_connect(ws_url + "/ws/resident", timeout=timeout, autoping=True)
    conn = Conn(ws, on_frame, keep)
    welcome = conn.expect(lambda f: f.get("type") in ("welcome", "error"))
    await conn.send({"type": "hello"})
    frame, _ = await asyncio.wait_for(welcome, timeout)
    if frame["type"] != "welcome":
        await conn.close()
        raise RuntimeError(f"hello answered with {frame}")
    conn.cid = frame["conversation_id"]
    return conn


def connector() -> aiohttp.TCPConnector:
    return aiohttp.TCPConnector(limit=0, force_close=False)


# Part 1: idle connections -------------------------------------------------------------


async def part_connections(args: argparse.Namespace, redis_url: str, prefix: str, workdir: Path) -> dict[str, Any]:
    """Open idle resident sockets in steps against one relay; its RSS before and after."""
    relay = start_relay(relay_env(redis_url, prefix), workdir / "relay-connections.log")
    pid = relay.process.pid
    result: dict[str, Any] = {"steps": [], "failure": None}
    conns: list[Conn] = []
    session = aiohttp.ClientSession(connector=connector())
    try:
        # Warm up (imports, schema validators, Redis connections), then measure the baseline.
        warm = [await open_resident(session, relay.ws_url) for _ in range(10)]
        for conn in warm:
            ack = conn.expect(kind("ack"))
            await conn.send({"type": "message", "client_id": "warm", "text": "hello"})
            await asyncio.wait_for(ack, 10)
        for conn in warm:
            await conn.close()
        await asyncio.sleep(1.0)
        result["rss_before_kb"] = base = rss_kb(pid)
        print(f"[connections] relay pid {pid}, RSS before {base / 1024:.1f} MB", flush=True)

        gate = asyncio.Semaphore(args.open_concurrency)

        async def one() -> Conn:
            async with gate:
                return await open_resident(session, relay.ws_url, timeout=30.0)

        for step in args.steps:
            wanted = step - len(conns)
            started = time.monotonic()
            cpu0 = cpu_seconds(pid)
            outcomes = await asyncio.gather(*(one() for _ in range(wanted)), return_exceptions=True)
            opened = [c for c in outcomes if isinstance(c, Conn)]
            errors = [o for o in outcomes if not isinstance(o, Conn)]
            conns.extend(opened)
            seconds = time.monotonic() - started
            relay_cpu = cpu_seconds(pid) - cpu0
            await asyncio.sleep(args.settle)
            dropped = [c for c in conns if c.ended]
            rss = rss_kb(pid)
            row = {
                "target": step,
                "open": len(conns) - len(dropped),
                "failed": len(errors),
                "dropped": len(dropped),
                "open_seconds": round(seconds, 2),
                "hellos_per_second": round(len(opened) / seconds, 1),
                "relay_cpu_seconds": round(relay_cpu, 2),
                "rss_kb": rss,
                "kb_per_connection": round((rss - base) / max(1, len(conns) - len(dropped)), 1),
            }
            result["steps"].append(row)
            print(f"[connections] {row}", flush=True)
            if errors or dropped:
                sample = errors[0] if errors else dropped[0].ended
                result["failure"] = {
                    "step": step,
                    "failed": len(errors),
                    "dropped": len(dropped),
                    "first_error": f"{type(sample).__name__}: {sample}" if errors else sample,
                    "relay_alive": relay.process.poll() is None,
                }
                break

        # Hold the sockets past the relay's 20 s websocket heartbeat: idle ones must survive it.
        if args.hold > 0 and not result["failure"]:
            await asyncio.sleep(args.hold)
            dropped = [c for c in conns if c.ended]
            result["after_hold"] = {
                "seconds": args.hold,
                "open": len(conns) - len(dropped),
                "dropped": len(dropped),
                "rss_kb": rss_kb(pid),
                "first_drop": dropped[0].ended if dropped else None,
            }
            print(f"[connections] after holding {args.hold:g} s: {result['after_hold']}", flush=True)
            if dropped:
                result["failure"] = {
                    "step": len(conns),
                    "failed": 0,
                    "dropped": len(dropped),
                    "first_error": dropped[0].ended,
                    "relay_alive": relay.process.poll() is None,
                }

        # At the top step: does the relay still answer a fresh resident quickly?
        probes = []
        try:
            for i in range(args.probes):
                t0 = time.monotonic_ns()
                ws = await session.ws_connect(relay.ws_url + "/ws/resident", timeout=10)
                t1 = time.monotonic_ns()
                conn = Conn(ws)
                welcome = conn.expect(kind("welcome"))
                await conn.send({"type": "hello"})
                _, t2 = await asyncio.wait_for(welcome, 10)
                ack = conn.expect(kind("ack", client_id=f"probe{i}"))
                t3 = time.monotonic_ns()
                await conn.send({"type": "message", "client_id": f"probe{i}", "text": "is anyone there?"})
                _, t4 = await asyncio.wait_for(ack, 10)
                probes.append(
                    {"connect_ms": ms(t1 - t0), "hello_to_welcome_ms": ms(t2 - t1), "message_to_ack_ms": ms(t4 - t3)}
                )
                await conn.close()
                await asyncio.sleep(0.05)
            result["probe_at_top"] = {
                "open_connections": len([c for c in conns if not c.ended]),
                "samples": len(probes),
                **{
                    f"{key}_{stat}": round(fn([p[key] for p in probes]), 2)
                    for key in ("connect_ms", "hello_to_welcome_ms", "message_to_ack_ms")
                    for stat, fn in (("p50", lambda v: percentile(v, 50)), ("max", max))
                },
            }
        except Exception as exc:  # noqa: BLE001 - keep the steps measured so far
            result["probe_error"] = f"{type(exc).__name__}: {exc}"
            print(f"[connections] probe failed: {result['probe_error']}", flush=True)
        result["relay_alive"] = relay.process.poll() is None
        if result["relay_alive"]:
            result["rss_after_kb"] = rss_kb(pid)
        print(f"[connections] probe at top: {result.get('probe_at_top')}", flush=True)
    finally:
        await asyncio.gather(*(c.close() for c in conns), return_exceptions=True)
        await session.close()
        stop(relay)
    return result


# Part 2: resident -> advisor delivery ------------------------------------------------------


async def part_delivery(args: argparse.Namespace, redis_url: str, prefix: str, workdir: Path) -> dict[str, Any]:
    """Many live chats, residents on relay A and advisors on relay B; time each message across."""
    chats, advisors_n = args.chats, args.advisors
    capacity = math.ceil(chats / advisors_n)
    if capacity > 20:
        raise SystemExit(f"{chats} chats need more than {advisors_n} advisors (capacity is at most 20 each)")
    a = start_relay(relay_env(redis_url, prefix), workdir / "relay-A.log")
    b = start_relay(relay_env(redis_url, prefix), workdir / "relay-B.log")
    redis = connect_redis(redis_url)
    store = Store(redis, prefix)
    result: dict[str, Any] = {
        "chats": chats,
        "advisors": advisors_n,
        "capacity_each": capacity,
        "rate_per_chat_per_second": args.rate,
        "duration_seconds": args.duration,
    }
    sessions: list[aiohttp.ClientSession] = []
    conns: list[Conn] = []
    sent: dict[str, int] = {}
    received: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    acks: dict[str, int] = {}
    errors: list[dict] = []
    last_queue_frame = [time.monotonic_ns()]
    stamp = re.compile(r"sent at (\d+) ns")

    def on_advisor(conn: Conn, frame: dict, now: int) -> None:
        kind_ = frame.get("type")
        if kind_ in ("queue", "chats"):
            last_queue_frame[0] = now
        elif kind_ == "message" and frame.get("from") == "resident" and frame.get("client_id", "").startswith("m"):
            match = stamp.search(frame.get("text", ""))
            received[frame["client_id"]].append(
                (now - int(match.group(1)) if match else -1, conn.name, frame.get("conversation_id", ""))
            )
        elif kind_ == "error":
            errors.append({"side": "advisor", **frame})

    def on_resident(conn: Conn, frame: dict, now: int) -> None:
        kind_ = frame.get("type")
        if kind_ == "queue":
            last_queue_frame[0] = now
        elif kind_ == "ack" and frame.get("client_id") in sent:
            acks[frame["client_id"]] = now - sent[frame["client_id"]]
        elif kind_ == "error":
            errors.append({"side": "resident", **frame})

    try:
        t_setup = time.monotonic()
        usernames = [f"bench{j:02d}" for j in range(advisors_n)]
        for j, username in enumerate(usernames):
            await auth.add_user(store, username, f"Bench Advisor{j}", PASSWORD, {"advisor"}, capacity)
        advisors: dict[str, Conn] = {}
        for username in usernames:
            session = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
            sessions.append(session)
            async with session.post(
                b.url + "/api/advisor/login", json={"username": username, "password": PASSWORD}
            ) as response:
                if response.status != 200:
                    raise RuntimeError(f"login {username}: HTTP {response.status} {await response.text()}")
            conn = Conn(await session.ws_connect(b.ws_url + "/ws/advisor"), on_advisor)
            conn.name = username
            welcome = conn.expect(kind("welcome"))
            await asyncio.wait_for(welcome, 10)
            await conn.send({"type": "presence", "status": "available"})
            advisors[username] = conn
            conns.append(conn)
        for _ in range(100):
            if len(await store.available_advisors()) == advisors_n:
                break
            await asyncio.sleep(0.1)
        else:
            raise RuntimeError("advisors did not become available")

        resident_session = aiohttp.ClientSession(connector=connector())
        sessions.append(resident_session)
        gate = asyncio.Semaphore(50)

        async def resident() -> Conn:
            async with gate:
                return await open_resident(resident_session, a.ws_url, on_frame=on_resident)

        residents = list(await asyncio.gather(*(resident() for _ in range(chats))))
        conns.extend(residents)
        result["open_seconds"] = round(time.monotonic() - t_setup, 2)
        print(f"[delivery] {advisors_n} advisors on B, {chats} residents on A ({result['open_seconds']} s)", flush=True)

        # Everyone asks for an advisor at once, then the advisors claim (round robin).
        t_queue = time.monotonic()
        queued = [r.expect(kind("status", mode="queued")) for r in residents]
        asked: list[int] = []
        for i, r in enumerate(residents):
            asked.append(time.monotonic_ns())
            await r.send({"type": "request_advisor", "client_id": f"q{i}"})
        seen = await asyncio.wait_for(asyncio.gather(*queued), args.setup_timeout)
        result["queue_all_seconds"] = round(time.monotonic() - t_queue, 2)
        # How late the resident hears of its own change while queue news is being broadcast.
        result["request_to_queued_status_ms"] = summary_ms([ms(now - asked[i]) for i, (_, now) in enumerate(seen)])
        print(f"[delivery] all {chats} queued in {result['queue_all_seconds']} s", flush=True)

        t_claim = time.monotonic()
        joined = [r.expect(kind("status", mode="advisor")) for r in residents]
        owner = {r.cid: usernames[i % advisors_n] for i, r in enumerate(residents)}
        claimed_at: dict[str, int] = {}

        async def claim_all(username: str) -> None:
            conn = advisors[username]
            for r in residents:
                if owner[r.cid] != username:
                    continue
                cid = r.cid
                done = conn.expect(
                    lambda f, cid=cid: (
                        (f.get("type") == "conversation" and f["conversation"]["conversation_id"] == cid)
                        or (f.get("type") == "error" and f.get("conversation_id") == cid)
                    )
                )
                claimed_at[cid] = time.monotonic_ns()
                await conn.send({"type": "claim", "conversation_id": cid})
                frame, _ = await asyncio.wait_for(done, args.setup_timeout)
                if frame["type"] == "error":
                    raise RuntimeError(f"claim {cid} by {username}: {frame}")

        await asyncio.wait_for(asyncio.gather(*(claim_all(u) for u in usernames)), args.setup_timeout)
        result["claim_all_seconds"] = round(time.monotonic() - t_claim, 2)
        claims_done = time.monotonic_ns()
        seen = await asyncio.wait_for(asyncio.gather(*joined), args.setup_timeout)
        result["residents_see_advisor_seconds"] = round(time.monotonic() - t_claim, 2)
        result["claim_to_joined_status_ms"] = summary_ms(
            [ms(now - claimed_at[r.cid]) for r, (_, now) in zip(residents, seen)]
        )
        print(
            f"[delivery] all claimed in {result['claim_all_seconds']} s; residents told in "
            f"{result['residents_see_advisor_seconds']} s",
            flush=True,
        )

        # Queue broadcasts still in flight would be measured as delivery delay: wait for quiet.
        t_settle = time.monotonic()
        while time.monotonic() - t_settle < args.setup_timeout:
            if time.monotonic_ns() - last_queue_frame[0] > 2e9:
                break
            await asyncio.sleep(0.2)
        # Seconds after the last claim was confirmed until the last queue frame arrived.
        result["settle_seconds"] = round(max(0, last_queue_frame[0] - claims_done) / 1e9, 2)
        await asyncio.sleep(1.0)  # relay A's last queue broadcasts send residents nothing: give them time
        result["setup_seconds"] = round(time.monotonic() - t_setup, 2)
        result["setup_frames_to_advisors"] = sum(advisors[u].count for u in usernames)
        result["setup_bytes_to_advisors"] = sum(advisors[u].bytes for u in usernames)
        result["setup_frames_to_residents"] = sum(r.count for r in residents)
        result["setup_bytes_to_residents"] = sum(r.bytes for r in residents)
        print(
            f"[delivery] setup {result['setup_seconds']} s (settle {result['settle_seconds']} s); advisors got "
            f"{result['setup_frames_to_advisors']} frames / {result['setup_bytes_to_advisors'] / 1e6:.1f} MB, "
            f"residents {result['setup_frames_to_residents']} frames",
            flush=True,
        )

        # Measurement: each resident sends `rate` messages a second, evenly staggered.
        loop = asyncio.get_running_loop()
        per_chat = int(round(args.duration * args.rate))
        interval = 1.0 / args.rate
        pids = {"relay_A": a.process.pid, "relay_B": b.process.pid, "redis": args.redis_pid, "client": os.getpid()}
        cpu0 = {k: cpu_seconds(p) for k, p in pids.items()}
        machine0 = machine_cpu()
        t0 = loop.time() + 0.5
        wall0 = time.monotonic()

        async def talk(i: int, r: Conn) -> None:
            start = t0 + i * interval / chats
            for k in range(per_chat):
                await asyncio.sleep(max(0.0, start + k * interval - loop.time()))
                client_id = f"m{i}x{k}"
                ns = time.monotonic_ns()
                sent[client_id] = ns
                await r.send(
                    {
                        "type": "message",
                        "client_id": client_id,
                        "text": f"Benchmark message {k} from chat {i}, sent at {ns} ns",
                    }
                )

        await asyncio.gather(*(talk(i, r) for i, r in enumerate(residents)))
        sending = time.monotonic() - wall0
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and (len(received) < len(sent) or len(acks) < len(sent)):
            await asyncio.sleep(0.1)
        await asyncio.sleep(1.0)  # anything arriving twice arrives now
        elapsed = time.monotonic() - wall0
        cpu = {k: round(100 * (cpu_seconds(p) - cpu0[k]) / elapsed, 1) for k, p in pids.items()}
        result["machine_cpu_percent"] = others_cpu(machine0, sum(cpu.values()), elapsed)

        latencies = [ms(v[0][0]) for v in received.values()]
        missing = [c for c in sent if c not in received]
        duplicates = sum(len(v) - 1 for v in received.values())
        wrong = sum(
            1
            for cid_, v in received.items()
            for (_, who, conv) in v
            if conv != residents[int(cid_[1:].split("x")[0])].cid or who != owner.get(conv)
        )
        unexpected = [c for c in received if c not in sent]
        result.update(
            {
                "sent": len(sent),
                "received": len(received),
                "missing": len(missing),
                "duplicates": duplicates,
                "wrong_advisor_or_conversation": wrong,
                "unexpected": len(unexpected),
                "acked": len(acks),
                "send_seconds": round(sending, 2),
                "messages_per_second": round(len(sent) / sending, 1),
                "latency_ms": summary_ms(latencies),
                "ack_ms": summary_ms([ms(v) for v in acks.values()]),
                "cpu_percent_during_measurement": cpu,
                "errors": errors[:10],
                "error_count": len(errors),
                "rss_kb": {"relay_A": rss_kb(a.process.pid), "relay_B": rss_kb(b.process.pid)},
                "missing_sample": missing[:10],
            }
        )
        print(
            f"[delivery] sent {len(sent)}, received {len(received)}, missing {len(missing)}, duplicates "
            f"{duplicates}; latency {result['latency_ms']}",
            flush=True,
        )
    finally:
        await asyncio.gather(*(c.close() for c in conns), return_exceptions=True)
        for session in sessions:
            await session.close()
        await redis.close()
        stop(a)
        stop(b)
    return result


# Part 3: bot round trips -----------------------------------------------------------------


class TimingProxy:
    """Forwards the relay's REST-channel calls to Rasa and notes how long Rasa took for each."""

    def __init__(self, rasa_url: str) -> None:
        self.rasa_url = rasa_url
        self.seen: dict[str, list[tuple[int, int]]] = defaultdict(list)  # sender -> [(request in, answer out) ns]
        self.port = free_port()
        self.session: aiohttp.ClientSession | None = None
        self.runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def forward(self, request: web.Request) -> web.Response:
        started = time.monotonic_ns()
        body = await request.read()
        async with self.session.post(
            self.rasa_url + "/webhooks/rest/webhook", data=body, headers={"Content-Type": "application/json"}
        ) as response:
            answer = await response.read()
            status = response.status
        self.seen[json.loads(body).get("sender", "")].append((started, time.monotonic_ns()))
        return web.Response(body=answer, status=status, content_type="application/json")

    async def health(self, request: web.Request) -> web.Response:
        return web.Response(text="ok")

    async def start(self) -> None:
        self.session = aiohttp.ClientSession()
        app = web.Application()
        app.router.add_post("/webhooks/rest/webhook", self.forward)
        app.router.add_get("/", self.health)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        if self.runner:
            await self.runner.cleanup()
        if self.session:
            await self.session.close()


async def part_bot(args: argparse.Namespace, redis_url: str, prefix: str, workdir: Path) -> dict[str, Any]:
    """Sequential bot turns: direct to Rasa (a), through the relay (b), through the relay with a
    timing proxy in front of Rasa (c); interleaved, a fresh conversation for every turn."""
    from bot.processes import start_servers

    print("[bot] starting Rasa, the action server and Open311 (about a minute)...", flush=True)
    t = time.monotonic()
    servers = start_servers(workdir)
    STARTED.append(servers)
    result: dict[str, Any] = {"rasa_start_seconds": round(time.monotonic() - t, 1)}
    proxy = TimingProxy(servers.rasa_url)
    await proxy.start()
    relay = start_relay(
        relay_env(redis_url, prefix + "r", servers.rasa_url, servers.rasa_token), workdir / "relay-bot.log"
    )
    proxied = start_relay(
        relay_env(redis_url, prefix + "p", proxy.url, servers.rasa_token), workdir / "relay-bot-proxied.log"
    )
    session = aiohttp.ClientSession(connector=connector())
    metadata = {"channel": "web", "page_url": ""}
    expected: dict[str, int] = {}
    samples: dict[str, list[dict]] = {"direct": [], "relay": [], "proxied": []}
    problems: list[str] = []

    async def direct(text: str) -> dict:
        sender = f"bench-{uuid.uuid4().hex[:12]}"
        t0 = time.monotonic_ns()
        async with session.post(
            servers.rasa_url + "/webhooks/rest/webhook", json={"sender": sender, "message": text, "metadata": metadata}
        ) as response:
            replies = await response.json(content_type=None)
        t1 = time.monotonic_ns()
        return {"total_ms": ms(t1 - t0), "bot_messages": len(translate(replies).messages), "replies": replies}

    async def through(door: FrontDoor, text: str) -> dict:
        conn = await open_resident(session, door.ws_url, on_frame=None, keep=False)
        try:
            want = expected.get(text, 1)
            bots: list[int] = []
            done = asyncio.get_running_loop().create_future()

            def on_frame(_: Conn, frame: dict, now: int) -> None:
                if frame.get("type") == "message" and frame.get("from") == "bot":
                    bots.append(now)
                    if len(bots) >= want and not done.done():
                        done.set_result(None)
                elif frame.get("type") == "message" and frame.get("from") == "system" and not done.done():
                    done.set_exception(RuntimeError(f"system message instead of the bot: {frame.get('text')}"))

            conn.on_frame = on_frame
            ack = conn.expect(kind("ack", client_id="t"))
            t0 = time.monotonic_ns()
            await conn.send({"type": "message", "client_id": "t", "text": text})
            await asyncio.wait_for(done, 15)
            _, t_ack = await asyncio.wait_for(ack, 1)
            return {
                "cid": conn.cid,
                "t0": t0,
                "first_bot_ms": ms(bots[0] - t0),
                "last_bot_ms": ms(bots[-1] - t0),
                "ack_ms": ms(t_ack - t0),
                "bot_messages": len(bots),
            }
        finally:
            await conn.close()

    try:
        # Expected bot messages per question (fresh conversations answer alike), and warm-up.
        for text in QUESTIONS:
            answer = await direct(text)
            turn = translate(answer["replies"])
            if not turn.messages or turn.handoff:
                problems.append(f"{text!r}: no plain bot answer ({answer['replies']}); skipped")
                continue
            expected[text] = answer["bot_messages"]
        texts = [q for q in QUESTIONS if q in expected]
        if not texts:
            raise RuntimeError(f"the bot answered none of the questions: {problems}")
        for _ in range(args.bot_warmup):
            for text in texts:
                await direct(text)
                await through(relay, text)
                await through(proxied, text)
        proxy.seen.clear()
        result["expected_bot_messages"] = expected
        print(
            f"[bot] {len(texts)} questions, bot messages per answer {expected}; {args.turns} turns per leg...",
            flush=True,
        )

        legs = ("direct", "relay", "proxied")
        pids = [p.pid for p in servers.processes] + [
            relay.process.pid,
            proxied.process.pid,
            args.redis_pid,
            os.getpid(),
        ]
        if servers.open311 and servers.open311.process:
            pids.append(servers.open311.process.pid)
        ours0, machine0, wall0 = sum(cpu_seconds(p) for p in pids), machine_cpu(), time.monotonic()
        for i in range(args.turns):
            text = texts[i % len(texts)]
            order = legs[i % 3 :] + legs[: i % 3]  # rotate so no leg always goes first
            for leg in order:
                try:
                    if leg == "direct":
                        sample = await direct(text)
                        sample.pop("replies")
                    else:
                        sample = await through(relay if leg == "relay" else proxied, text)
                        if leg == "proxied":
                            inner = proxy.seen.get(sample["cid"], [])
                            if len(inner) == 1:
                                (t_in, t_out), t0 = inner[0], sample["t0"]
                                sample["rasa_ms"] = ms(t_out - t_in)
                                sample["relay_own_ms"] = sample["last_bot_ms"] - sample["rasa_ms"]
                                sample["relay_before_rasa_ms"] = ms(t_in - t0)
                                sample["relay_after_rasa_ms"] = sample["last_bot_ms"] - ms(t_out - t0)
                            else:
                                problems.append(f"turn {i}: the proxy saw {len(inner)} calls for one message")
                        sample.pop("t0")
                    samples[leg].append(sample)
                except Exception as exc:  # noqa: BLE001 - counted and reported
                    problems.append(f"turn {i} {leg}: {type(exc).__name__}: {exc}")

        elapsed = time.monotonic() - wall0
        result["machine_cpu_percent"] = others_cpu(
            machine0, 100 * (sum(cpu_seconds(p) for p in pids) - ours0) / elapsed, elapsed
        )

        def col(leg: str, key: str) -> list[float]:
            return [s[key] for s in samples[leg] if s.get(key) is not None]

        direct_ms, relay_last, relay_first = (
            col("direct", "total_ms"),
            col("relay", "last_bot_ms"),
            col("relay", "first_bot_ms"),
        )
        result.update(
            {
                "turns": args.turns,
                "questions": texts,
                "direct_ms": summary_ms(direct_ms),
                "relay_first_bot_ms": summary_ms(relay_first),
                "relay_last_bot_ms": summary_ms(relay_last),
                "relay_ack_ms": summary_ms(col("relay", "ack_ms")),
                "overhead_p50_ms": (percentile(relay_last, 50) or 0) - (percentile(direct_ms, 50) or 0),
                "overhead_p99_ms": (percentile(relay_last, 99) or 0) - (percentile(direct_ms, 99) or 0),
                "proxied_last_bot_ms": summary_ms(col("proxied", "last_bot_ms")),
                "proxied_rasa_ms": summary_ms(col("proxied", "rasa_ms")),
                "relay_own_ms": summary_ms(col("proxied", "relay_own_ms")),
                "relay_before_rasa_ms": summary_ms(col("proxied", "relay_before_rasa_ms")),
                "relay_after_rasa_ms": summary_ms(col("proxied", "relay_after_rasa_ms")),
                "problems": problems,
            }
        )
        print(
            f"[bot] direct {result['direct_ms']}\n[bot] relay {result['relay_last_bot_ms']}\n"
            f"[bot] relay's own time (paired) {result['relay_own_ms']}",
            flush=True,
        )
    finally:
        await session.close()
        await proxy.stop()
        stop(relay)
        stop(proxied)
        stop(servers)
    return result


# Report ------------------------------------------------------------------------------------


def fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def report(results: dict[str, Any]) -> str:
    out = [
        f"Relay benchmark, {results['date']}, commit `{results['commit']}`, {results['machine']['cpus']} CPUs, "
        f"Python {results['machine']['python']}, Redis appendfsync {results['redis_appendfsync']}",
        "",
    ]
    c = results.get("connections")
    if c:
        out += [
            "| idle resident sockets (one relay) | relay RSS MB | KB per socket | hellos/s | failed | dropped |",
            "|---:|---:|---:|---:|---:|---:|",
            f"| 0 (after warm-up) | {c['rss_before_kb'] / 1024:.1f} | - | - | - | - |",
        ]
        for row in c["steps"]:
            out.append(
                f"| {row['open']:,} | {row['rss_kb'] / 1024:.1f} | {row['kb_per_connection']:.1f} | "
                f"{row['hellos_per_second']:.0f} | {row['failed']} | {row['dropped']} |"
            )
        if c.get("after_hold"):
            h = c["after_hold"]
            out.append(
                f"| {h['open']:,} after {h['seconds']:g} s idle | {h['rss_kb'] / 1024:.1f} | "
                f"{(h['rss_kb'] - c['rss_before_kb']) / max(1, h['open']):.1f} | - | - | {h['dropped']} |"
            )
        out.append("")
        if c.get("failure"):
            out += [f"First failure: {c['failure']}", ""]
    rows: list[tuple[str, str, str]] = []
    if c and c.get("probe_at_top"):
        p = c["probe_at_top"]
        rows += [
            (
                f"fresh hello → welcome with {p['open_connections']:,} sockets open, p50 / max ms",
                f"{fmt(p['hello_to_welcome_ms_p50'])} / {fmt(p['hello_to_welcome_ms_max'])}",
                "",
            ),
            (
                f"fresh message → ack with {p['open_connections']:,} sockets open, p50 / max ms",
                f"{fmt(p['message_to_ack_ms_p50'])} / {fmt(p['message_to_ack_ms_max'])}",
                "",
            ),
        ]
    d = results.get("delivery")
    if d and "latency_ms" in d:
        lat = d["latency_ms"]
        rows += [
            (
                f"resident (relay A) → advisor (relay B), {d['chats']} chats × {d['rate_per_chat_per_second']:g} msg/s, "
                f"{d['duration_seconds']:g} s: p50 / p90 / p99 / max ms",
                f"{fmt(lat['p50'], 2)} / {fmt(lat['p90'], 2)} / {fmt(lat['p99'], 2)} / {fmt(lat['max'], 2)}",
                "p99 < 20 ms",
            ),
            (
                "messages sent / received / missing / duplicated / misrouted",
                f"{d['sent']:,} / {d['received']:,} / {d['missing']} / {d['duplicates']} / "
                f"{d['wrong_advisor_or_conversation']}",
                "all once",
            ),
            ("resident send → ack, p50 / p99 ms", f"{fmt(d['ack_ms']['p50'], 2)} / {fmt(d['ack_ms']['p99'], 2)}", ""),
            (
                f"setup, {d['chats']} at once: all queued / all claimed / residents all told / last queue frame, s",
                f"{d['queue_all_seconds']} / {d['claim_all_seconds']} / {d['residents_see_advisor_seconds']} / "
                f"{d['settle_seconds']}",
                "",
            ),
            (
                "during setup: request → own `queued` status; claim → resident's `joined` status, p50 / max ms",
                f"{fmt(d['request_to_queued_status_ms']['p50'])} / {fmt(d['request_to_queued_status_ms']['max'])}; "
                f"{fmt(d['claim_to_joined_status_ms']['p50'])} / {fmt(d['claim_to_joined_status_ms']['max'])}",
                "",
            ),
            (
                "CPU % during measurement (relay A / relay B / Redis / client)",
                " / ".join(
                    fmt(d["cpu_percent_during_measurement"][k]) for k in ("relay_A", "relay_B", "redis", "client")
                ),
                "",
            ),
            (
                "other programs' CPU % during it (of 200); disk wait %",
                f"{fmt(d['machine_cpu_percent']['others'])}; {fmt(d['machine_cpu_percent']['iowait'])}",
                "",
            ),
        ]
    bt = results.get("bot")
    if bt and "direct_ms" in bt:
        rows += [
            (
                f"(a) Rasa directly, POST to full response, p50 / p99 ms ({bt['direct_ms']['count']} turns)",
                f"{fmt(bt['direct_ms']['p50'])} / {fmt(bt['direct_ms']['p99'])}",
                "",
            ),
            (
                "(b) through the relay, send → last bot frame, p50 / p99 ms",
                f"{fmt(bt['relay_last_bot_ms']['p50'])} / {fmt(bt['relay_last_bot_ms']['p99'])}",
                "",
            ),
            (
                "(b) through the relay, send → first bot frame, p50 / p99 ms",
                f"{fmt(bt['relay_first_bot_ms']['p50'])} / {fmt(bt['relay_first_bot_ms']['p99'])}",
                "",
            ),
            (
                "(b) − (a): difference of p50 / of p99, ms",
                f"{fmt(bt['overhead_p50_ms'])} / {fmt(bt['overhead_p99_ms'])}",
                "p99 < 5 ms",
            ),
            (
                "(c) relay's own time per turn (paired: (b) via a timing proxy minus Rasa's time at the proxy; "
                "includes the proxy's extra hop), p50 / p99 / max ms",
                f"{fmt(bt['relay_own_ms']['p50'], 2)} / {fmt(bt['relay_own_ms']['p99'], 2)} / "
                f"{fmt(bt['relay_own_ms']['max'], 2)}",
                "p99 < 5 ms",
            ),
            (
                "(c) of which before Rasa (send → request reaches Rasa) / after (answer → last bot frame), "
                "p50 / p99 ms",
                f"{fmt(bt['relay_before_rasa_ms']['p50'], 2)} / {fmt(bt['relay_before_rasa_ms']['p99'], 2)}; "
                f"{fmt(bt['relay_after_rasa_ms']['p50'], 2)} / {fmt(bt['relay_after_rasa_ms']['p99'], 2)}",
                "",
            ),
            (
                "other programs' CPU % during the bot turns (of 200); disk wait %",
                f"{fmt(bt['machine_cpu_percent']['others'])}; {fmt(bt['machine_cpu_percent']['iowait'])}",
                "",
            ),
            ("turns with problems", str(len(bt["problems"])), "0"),
        ]
    if rows:
        out += ["| figure | measured | target |", "|---|---:|---|"]
        out += [f"| {a} | {b} | {t} |" for a, b, t in rows]
    busy = [
        (name, part["machine_cpu_percent"]["others"])
        for name, part in (("delivery", d), ("bot", bt))
        if part and "machine_cpu_percent" in part
    ]
    loud = [f"{name}: {others:.0f}%" for name, others in busy if others > 20]
    if loud:
        out += [
            "",
            f"WARNING: other programs used CPU during the measurements ({', '.join(loud)} of one core); "
            "the latency figures include waiting for them. Run again on a quiet machine.",
        ]
    return "\n".join(out)


# Main --------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--parts", default=",".join(PARTS), help=f"comma-separated, of {', '.join(PARTS)}")
    parser.add_argument("--quick", action="store_true", help="a short smoke run with small numbers")
    parser.add_argument("--steps", default="500,1000,2000,3000", help="idle sockets to hold, cumulative steps")
    parser.add_argument("--open-concurrency", type=int, default=100, help="sockets being opened at once")
    parser.add_argument("--settle", type=float, default=2.0, help="seconds to wait before reading RSS")
    parser.add_argument(
        "--hold",
        type=float,
        default=25.0,
        help="seconds to hold the top step (past the relay's 20 s heartbeat); 0 to skip",
    )
    parser.add_argument("--probes", type=int, default=20, help="fresh hello+message probes at the top step")
    parser.add_argument("--chats", type=int, default=200)
    parser.add_argument("--advisors", type=int, default=10)
    parser.add_argument("--rate", type=float, default=1.0, help="messages per second per chat")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of sending")
    parser.add_argument("--setup-timeout", type=float, default=180.0)
    parser.add_argument("--turns", type=int, default=200, help="bot turns per leg")
    parser.add_argument("--bot-warmup", type=int, default=2, help="untimed rounds over the questions")
    parser.add_argument(
        "--appendfsync",
        choices=("always", "everysec"),
        default="always",
        help="Redis fsync policy; `always` is what front_door.processes.RedisServer (make up) uses",
    )
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (logs)")
    args = parser.parse_args(argv)
    if args.quick:
        args.steps, args.probes, args.chats, args.advisors, args.hold = "100,200", 5, 20, 2, 0.0
        args.duration, args.turns, args.bot_warmup = 5.0, 20, 1
    args.steps = [int(s) for s in str(args.steps).split(",")]
    args.parts = [p.strip() for p in args.parts.split(",") if p.strip()]
    unknown = set(args.parts) - set(PARTS)
    if unknown:
        parser.error(f"unknown parts: {', '.join(sorted(unknown))}")
    return args


async def run(args: argparse.Namespace, redis: RedisServer, workdir: Path, results: dict[str, Any]) -> None:
    run_prefix = f"rb{uuid.uuid4().hex[:8]}"
    args.redis_pid = redis.process.pid
    for part, function in (("connections", part_connections), ("delivery", part_delivery), ("bot", part_bot)):
        if part in args.parts:
            started = time.monotonic()
            load = os.getloadavg()[0]
            try:
                results[part] = await function(args, redis.url, f"{run_prefix}{part[0]}", workdir)
            except Exception as exc:  # noqa: BLE001 - one part failing should not lose the others
                results[part] = {"error": f"{type(exc).__name__}: {exc}"}
                print(f"[{part}] FAILED: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
            results[part]["seconds"] = round(time.monotonic() - started, 1)
            # Load average (1 min) before and after: other work on the machine shows here.
            results[part]["loadavg_1min"] = [round(load, 2), round(os.getloadavg()[0], 2)]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGINT, interrupted)
    signal.signal(signal.SIGTERM, interrupted)
    workdir = Path(tempfile.mkdtemp(prefix="relay-bench-"))
    results: dict[str, Any] = {
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "commit": git_commit(),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "redis_appendfsync": args.appendfsync,
        "args": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
    }
    started = time.monotonic()
    failed = True
    try:
        redis = RedisServer(workdir / "redis").start()
        STARTED.append(redis)
        if args.appendfsync != "always":
            import redis as redis_sync

            client = redis_sync.Redis.from_url(redis.url)
            client.config_set("appendfsync", args.appendfsync)
            client.close()
        asyncio.run(run(args, redis, workdir, results))
        failed = any("error" in results.get(p, {}) for p in args.parts)
    except KeyboardInterrupt:
        print("\nInterrupted; stopping everything.", file=sys.stderr)
        return 130
    finally:
        stop_all()
        if failed or args.keep:
            print(f"Logs kept in {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    results["total_seconds"] = round(time.monotonic() - started, 1)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2, default=str) + "\n")
    print()
    print(report(results))
    print(f"\nRaw figures: {args.output}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
