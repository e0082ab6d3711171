"""How long a subject access search takes at a council's scale.

Finding a person by email or phone reads every conversation (``SCAN`` over
``{prefix}:conv:*``, then each hash and log). This fills a private redis-server with
realistic conversations (a hash and a log of about 20 events each, 8 analytics events
each, Rasa trackers beside them), then times ``live_handoff.privacy.gather.find`` for an email held in one of them.

    PYTHONPATH=. .venv/bin/python benchmarks/privacy/run.py                    # 2,000 conversations
    PYTHONPATH=. .venv/bin/python benchmarks/privacy/run.py --conversations 10000

Prints the figures; nothing is written.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path

from front_door.processes import RedisServer
from live_handoff.privacy.finding import selector
from live_handoff.privacy.gather import find, tracker_key
from live_handoff.store import Store, connect_redis

WORDS = "my bin was not collected on tuesday and the lid is broken could someone come and look at it please".split()


async def fill(store: Store, conversations: int, events: int) -> str:
    """Conversations with ``events`` logged events each; returns the id of the one holding the email."""
    target = ""
    for start in range(0, conversations, 100):
        async with store.redis.pipeline(transaction=False) as pipe:
            cids = []
            for n in range(start, min(start + 100, conversations)):
                cid, _ = await store.create_conversation("https://www.northbridge.example/bins")
                cids.append(cid)
                for e in range(events):
                    text = " ".join(WORDS[(n + e) % 7 : (n + e) % 7 + 12])
                    if n == conversations // 2 and e == events // 2:
                        text += " email me at jo.bloggs@example.com or ring 07700 900 123"
                        target = cid
                    event = {
                        "type": "message",
                        "from": "resident" if e % 2 else "bot",
                        "text": text,
                        "at": "2026-12-06T10:00:00+00:00",
                    }
                    pipe.xadd(store.key("log", cid), {"e": json.dumps(event), "a": "all"})
                for kind in (
                    "conversation_started",
                    "route",
                    "route",
                    "handoff",
                    "claimed",
                    "closed",
                    "rating",
                    "unanswered",
                ):
                    body = {
                        "kind": kind,
                        "conversation_id": cid,
                        "text": "masked question" if kind == "unanswered" else None,
                    }
                    pipe.xadd(store.key("analytics"), {"e": json.dumps(body)})
                pipe.set(tracker_key(cid), json.dumps({"events": [{"event": "user", "text": "x" * 200}] * events}))
            await pipe.execute()
    return target


async def main(conversations: int, events: int, runs: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        server = RedisServer(Path(folder)).start()
        try:
            redis = connect_redis(server.url)
            store = Store(redis, "bench")
            started = time.monotonic()
            target = await fill(store, conversations, events)
            print(f"filled {conversations} conversations x {events} events in {time.monotonic() - started:.1f} s")
            for kind, value in (("email", "Jo.Bloggs@example.com"), ("phone", "+44 7700 900123")):
                who = selector(kind, value)
                times = []
                for _ in range(runs):
                    found = await find(store, None, who)
                    assert list(found.conversations) == [target] and found.scanned == conversations
                    times.append(found.seconds)
                print(
                    f"find by {kind} over {conversations} conversations: median {statistics.median(times):.2f} s, "
                    f"max {max(times):.2f} s ({runs} runs)"
                )
            await redis.close()
        finally:
            server.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--conversations", type=int, default=2000)
    parser.add_argument("--events", type=int, default=20)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    asyncio.run(main(args.conversations, args.events, args.runs))
