"""Prometheus metrics for /metrics. Counters and histograms are per process (Prometheus
sums them across processes); the gauges are read from Redis at scrape time, so every
process reports the whole council's figures for them."""

from __future__ import annotations

import time

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from live_handoff.store import Store, now_ms

MINUTES = (15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200)


class Metrics:
    """One registry per application, so tests can run several relays in one process."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.conversations = Gauge(
            "frontdesk_conversations", "Conversations active in the last hour, by mode", ["mode"], registry=r
        )
        self.queue_length = Gauge("frontdesk_queue_length", "Conversations waiting for an advisor", registry=r)
        self.advisors_available = Gauge("frontdesk_advisors_available", "Advisors online and available", registry=r)
        self.set_aside = Gauge(
            "frontdesk_messages_set_aside",
            "Messages left by residents that the case system refused or did not take in time",
            registry=r,
        )
        self.connections = Gauge("frontdesk_connections", "Open websockets on this process", ["role"], registry=r)
        self.started = Counter("frontdesk_conversations_started", "Conversations started", registry=r)
        self.handoffs = Counter(
            "frontdesk_handoffs", "Handoffs asked for, by reason and outcome", ["reason", "outcome"], registry=r
        )
        self.messages = Counter("frontdesk_messages_relayed", "Messages relayed, by sender", ["sender"], registry=r)
        self.errors = Counter("frontdesk_errors", "Errors, by code", ["code"], registry=r)
        self.bot_latency = Histogram(
            "frontdesk_bot_seconds",
            "Time Rasa took to answer",
            registry=r,
            buckets=(0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 15),
        )
        self.waiting = Histogram(
            "frontdesk_waiting_seconds", "Time from queued to an advisor joining", buckets=MINUTES, registry=r
        )
        self.handling = Histogram(
            "frontdesk_handling_seconds",
            "Time from an advisor joining to hand-back or close",
            buckets=MINUTES,
            registry=r,
        )
        self.limited = Counter(
            "frontdesk_limited", "Requests, frames and sockets refused or closed by a limit", ["limit"], registry=r
        )
        self.ratings = Counter("frontdesk_ratings", "Ratings given at the end of a chat", ["score"], registry=r)
        # The outbox of messages left (live_handoff/cases.py).
        self.messages_left_refused = Counter(
            "frontdesk_messages_left_refused",
            "Messages left that the case system would refuse, by field; the resident was asked to correct them",
            ["field"],
            registry=r,
        )
        self.set_aside_by_why = Counter(
            "frontdesk_messages_set_aside_by_why",
            "Messages this process set aside, by why (refused, unsendable, bad_answer, unexpected)",
            ["why"],
            registry=r,
        )
        # "Use my location" (contracts/README.md, "Shared location"): what the bot made of each
        # position; anything but "used" is a resident asked to type the street instead.
        self.shared_locations = Counter(
            "frontdesk_shared_locations",
            "Positions shared with Use my location, by outcome (used, missing, invalid, imprecise, outside)",
            ["outcome"],
            registry=r,
        )
        self.outbox_waiting = Gauge("frontdesk_outbox_waiting", "Messages left waiting for the case system", registry=r)
        self.outbox_oldest = Gauge(
            "frontdesk_outbox_oldest_seconds", "Age of the oldest message left waiting for the case system", registry=r
        )
        self.unanswered = Counter(
            "frontdesk_unanswered_turns",
            "Messages a stopped relay process left unanswered, by outcome (reasked, notice)",
            ["outcome"],
            registry=r,
        )

    async def render(self, store: Store) -> bytes:
        """Refresh the Redis-backed gauges, then the exposition text."""
        for mode, count in (await store.active_by_mode(int((time.time() - 3600) * 1000))).items():
            self.conversations.labels(mode).set(count)
        self.queue_length.set(len(await store.queue()))
        self.advisors_available.set(len(await store.available_advisors()))
        self.set_aside.set(await store.set_aside_count())
        waiting, oldest = await store.outbox_waiting(now_ms())
        self.outbox_waiting.set(waiting)
        self.outbox_oldest.set(oldest)
        return generate_latest(self.registry)
