"""Flood benchmark: the issue's attacks from one address, against a real front door with
its default limits, and what the front door accepts of each.

Six attacks, each from 127.0.0.1 against one ``python -m front_door`` process and a
private redis-server (no Rasa: the figures are about the relay's doors):

1. conversations   4,000 hellos without an id, 50 at a time: conversations started.
2. left messages   1,006 ``leave_message`` frames, each on a fresh connection resuming one
                   conversation: acknowledged.
3. messages        2,000 resident messages on fresh connections resuming one
                   conversation (how the script ran 49.5 bot turns a second): acknowledged.
4. sockets         1,000 sockets resuming one conversation and staying idle: held open.
5. logins          20 wrong passwords, then a colleague's right one from the same address.
6. half-sent       300 HTTP requests whose headers never finish: how long each was held.

For each: how many were accepted, how long until the first refusal, and the accepted
rate per minute over the limit's window (what a script gets in the long run).

    PYTHONPATH=. .venv/bin/python benchmarks/flood/run.py             # about 40 s
    PYTHONPATH=. .venv/bin/python benchmarks/flood/run.py --checkout /path/to/older/checkout

``--checkout`` runs that checkout's front door instead (e.g. the code before the limits)
with the same attacks. Prints a Markdown table; writes benchmarks/flood/results/flood.json
(not in git).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import aiohttp

HERE = Path(__file__).resolve().parent
DEAD_RASA = "http://127.0.0.1:9"
PASSWORD = "correct horse battery"


def load_processes(checkout: Path):
    sys.path.insert(0, str(checkout))
    from front_door.processes import FrontDoor, RedisServer

    return FrontDoor, RedisServer


class Tally:
    """Accepted and refused attempts, and when the first refusal came."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.accepted = 0
        self.refused = 0
        self.first_refusal: float | None = None

    def ok(self) -> None:
        self.accepted += 1

    def no(self) -> None:
        self.refused += 1
        if self.first_refusal is None:
            self.first_refusal = time.monotonic() - self.started

    def row(self, window_minutes: float | None) -> dict[str, Any]:
        elapsed = time.monotonic() - self.started
        # In the long run a script gets what one window allows, once per window.
        per_minute = self.accepted / window_minutes if window_minutes and self.refused else None
        return {
            "accepted": self.accepted,
            "refused": self.refused,
            "seconds": round(elapsed, 2),
            "first_refusal_s": None if self.first_refusal is None else round(self.first_refusal, 3),
            "accepted_per_minute_in_burst": round(self.accepted / elapsed * 60),
            "accepted_per_minute_long_run": None if per_minute is None else round(per_minute, 1),
        }


async def frame(ws: aiohttp.ClientWebSocketResponse, want: set[str], timeout: float = 10) -> dict[str, Any] | None:
    """The next frame of a type in ``want`` or an error; None when the socket ends."""
    while True:
        msg = await ws.receive(timeout=timeout)
        if msg.type != aiohttp.WSMsgType.TEXT:
            return None
        found = json.loads(msg.data)
        if found["type"] in want or found["type"] == "error":
            return found


async def hello(http, url: str, body: dict | None = None) -> tuple[aiohttp.ClientWebSocketResponse, dict | None]:
    ws = await http.ws_connect(url)
    await ws.send_json({"type": "hello", **(body or {})})
    return ws, await frame(ws, {"welcome"})


async def conversations(http, url: str, total: int = 4000, at_once: int = 50) -> dict:
    tally = Tally()

    async def one() -> None:
        ws, got = await hello(http, url)
        (tally.ok if got and got["type"] == "welcome" else tally.no)()
        await ws.close()

    for start in range(0, total, at_once):
        await asyncio.gather(*(one() for _ in range(min(at_once, total - start))))
    return tally.row(10)


async def left_messages(http, url: str, total: int = 1006, at_once: int = 20) -> dict:
    """Messages left on fresh connections resuming one conversation (so per-socket flood
    control never sees more than one)."""
    first, welcome = await hello(http, url)
    assert welcome and welcome["type"] == "welcome", welcome
    resume = {"conversation_id": welcome["conversation_id"], "resume_token": welcome["resume_token"]}
    await first.close()
    tally = Tally()

    async def one(n: int) -> None:
        ws, got = await hello(http, url, resume)
        if got and got["type"] == "welcome":
            await ws.send_json(
                {
                    "type": "leave_message",
                    "client_id": f"l-{n}",
                    "name": "Flood",
                    "email": "flood@example.org",
                    "text": f"x{n}",
                }
            )
            got = await frame(ws, {"ack"})
        (tally.ok if got and got["type"] == "ack" else tally.no)()
        await ws.close()

    for start in range(0, total, at_once):
        await asyncio.gather(*(one(n) for n in range(start, min(start + at_once, total))))
    return tally.row(60)


async def messages(http, url: str, total: int = 2000, at_once: int = 20) -> dict:
    first, welcome = await hello(http, url)
    assert welcome and welcome["type"] == "welcome", welcome
    resume = {"conversation_id": welcome["conversation_id"], "resume_token": welcome["resume_token"]}
    await first.close()
    tally = Tally()

    async def one(n: int) -> None:
        ws, got = await hello(http, url, resume)
        if got and got["type"] == "welcome":
            await ws.send_json({"type": "message", "client_id": f"m-{n}", "text": f"question {n}"})
            got = await frame(ws, {"ack"})
        (tally.ok if got and got["type"] == "ack" else tally.no)()
        await ws.close()

    for start in range(0, total, at_once):
        await asyncio.gather(*(one(n) for n in range(start, min(start + at_once, total))))
    return tally.row(1)


async def sockets(http, url: str, total: int = 1000) -> dict:
    first, welcome = await hello(http, url)
    assert welcome and welcome["type"] == "welcome", welcome
    resume = {"conversation_id": welcome["conversation_id"], "resume_token": welcome["resume_token"]}
    tally = Tally()
    held = []
    for _ in range(total):
        ws, got = await hello(http, url, resume)
        if got and got["type"] == "welcome":
            held.append(ws)
        else:
            await ws.close()
            tally.no()
    await asyncio.sleep(2)
    tally.accepted = sum(1 for ws in held if not ws.closed)
    for ws in held:
        await ws.close()
    await first.close()
    return tally.row(None)


async def half_sent(port: int, total: int = 300, give_up: float = 70.0) -> dict:
    """Requests whose headers never end, a header line every 2 s; how long each was held."""

    async def one() -> float:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        started = time.monotonic()
        writer.write(b"GET /health HTTP/1.1\r\nHost: relay\r\n")
        try:
            while time.monotonic() - started < give_up:
                try:
                    if not await asyncio.wait_for(reader.read(1024), 2.0):
                        break
                except asyncio.TimeoutError:
                    writer.write(b"X-Slow: 1\r\n")
                    continue
                break  # it answered (408): the connection is being closed
        except ConnectionError:
            pass
        writer.close()
        return time.monotonic() - started

    held = await asyncio.gather(*(one() for _ in range(total)))
    return {
        "requests": total,
        "longest_held_s": round(max(held), 1),
        "still_open_after_60s": sum(1 for s in held if s >= 60),
    }


async def logins(base: str, redis_url: str, prefix: str, wrong: int = 20, give_up: float = 30.0) -> dict:
    """``wrong`` wrong passwords from this address (other usernames), then a colleague's
    correct one from the same address, tried every 0.25 s: how long until it logs in."""
    from live_handoff import auth
    from live_handoff.store import Store, connect_redis

    redis = connect_redis(redis_url)
    await auth.add_user(Store(redis, prefix), "colleague", "Col League", PASSWORD, {"advisor"}, 2)
    await redis.close()
    url = base + "/api/advisor/login"
    async with aiohttp.ClientSession() as http:
        for n in range(wrong):
            async with http.post(url, json={"username": f"guess{n}", "password": "wrong password"}):
                pass
        started = time.monotonic()
        refused = 0
        while time.monotonic() - started < give_up:
            async with http.post(url, json={"username": "colleague", "password": PASSWORD}) as response:
                status = response.status
            if status == 200:
                seconds = round(time.monotonic() - started, 2)
                return {"wrong": wrong, "refused_first": refused, "logged_in_after_s": seconds}
            refused += 1
            await asyncio.sleep(0.25)
    return {"wrong": wrong, "refused_first": refused, "logged_in_after_s": None, "gave_up_after_s": give_up}


async def forget_counts(redis_url: str, prefix: str) -> None:
    """Delete the per-address counts (``{prefix}:limit:*``)."""
    from redis.asyncio import Redis

    redis = Redis.from_url(redis_url)
    keys = [key async for key in redis.scan_iter(f"{prefix}:limit:*")]
    if keys:
        await redis.delete(*keys)
    await redis.close()


async def run(checkout: Path, quick: bool) -> dict:
    FrontDoor, RedisServer = load_processes(checkout)
    scale = 0.25 if quick else 1.0
    with tempfile.TemporaryDirectory() as tmp:
        redis = RedisServer(Path(tmp) / "redis").start()
        env = {
            "REDIS_URL": redis.url,
            "RASA_URL": DEAD_RASA,
            "RELAY_KEY_PREFIX": f"flood{uuid.uuid4().hex[:6]}",
            "RELAY_OPENING_HOURS": "Mon-Sun 00:00-24:00",
            "OPEN311_API_KEYS": "",
            "OPEN311_URL": "",
        }
        door = FrontDoor(env, Path(tmp) / "door.log").start()
        url = door.ws_url + "/ws/resident"
        results: dict[str, Any] = {}
        try:
            connector = aiohttp.TCPConnector(limit=0)
            async with aiohttp.ClientSession(connector=connector) as http:
                results["conversations"] = await conversations(http, url, int(4000 * scale))
                # Each attack starts with fresh counts, as if from an address of its own.
                await forget_counts(redis.url, env["RELAY_KEY_PREFIX"])
                results["left_messages"] = await left_messages(http, url, int(1006 * scale))
                await forget_counts(redis.url, env["RELAY_KEY_PREFIX"])
                results["messages"] = await messages(http, url, int(2000 * scale))
                await forget_counts(redis.url, env["RELAY_KEY_PREFIX"])
                results["sockets"] = await sockets(http, url, int(1000 * scale))
            await forget_counts(redis.url, env["RELAY_KEY_PREFIX"])
            results["logins"] = await logins(door.url, redis.url, env["RELAY_KEY_PREFIX"])
            results["half_sent"] = await half_sent(door.port, int(300 * scale), 25.0 if quick else 70.0)
        finally:
            door.stop()
            redis.stop()
    return results


def table(results: dict) -> str:
    lines = [
        "| attack | accepted | refused | seconds | first refusal after | accepted per minute: in the burst | long run |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name in ("conversations", "left_messages", "messages", "sockets"):
        row = results[name]
        first = "never" if row["first_refusal_s"] is None else f"{row['first_refusal_s']} s"
        rate = row["accepted_per_minute_long_run"]
        lines.append(
            f"| {name} | {row['accepted']} | {row['refused']} | {row['seconds']} | {first} |"
            f" {row['accepted_per_minute_in_burst']} | {'-' if rate is None else rate} |"
        )
    login = results["logins"]
    after = login["logged_in_after_s"]
    lines.append(
        f"| a colleague's correct login after {login['wrong']} wrong ones from the address |"
        f" {'refused for ' + str(login['gave_up_after_s']) + ' s and more' if after is None else f'in after {after} s'} |"
        f" {login['refused_first']} | | | | |"
    )
    half = results["half_sent"]
    lines.append(
        f"| half-sent requests ({half['requests']}) | held at most {half['longest_held_s']} s |"
        f" {half['requests'] - half['still_open_after_60s']} closed within 60 s | | | | |"
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--checkout", type=Path, default=HERE.parents[1], help="the checkout whose front door to run")
    parser.add_argument("--quick", action="store_true", help="a quarter of each attack, half-sent for 25 s")
    args = parser.parse_args()
    results = asyncio.run(run(args.checkout.resolve(), args.quick))
    print(table(results))
    (HERE / "results").mkdir(exist_ok=True)
    saved = {"checkout": str(args.checkout), **results}
    (HERE / "results" / "flood.json").write_text(json.dumps(saved, indent=2) + "\n")


if __name__ == "__main__":
    main()
