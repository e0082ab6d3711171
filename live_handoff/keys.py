"""Typed keys for what the application shares between handlers."""

from __future__ import annotations

import socket
import weakref

from aiohttp import web
from redis.asyncio import Redis

from knowledge_base.cache import KnowledgeBaseCache
from live_handoff.case_api import CaseDesk
from live_handoff.hub import Hub
from live_handoff.metrics import Metrics
from live_handoff.ratelimit import SocketCount
from live_handoff.rooms import Relay
from live_handoff.settings import Settings
from live_handoff.store import Store

SETTINGS = web.AppKey("settings", Settings)
REDIS = web.AppKey("redis", Redis)
STORE = web.AppKey("store", Store)
HUB = web.AppKey("hub", Hub)
RELAY = web.AppKey("relay", Relay)
METRICS = web.AppKey("metrics", Metrics)
SOCKETS = web.AppKey("sockets", weakref.WeakSet)
CASES = web.AppKey("cases", CaseDesk)
KNOWLEDGE = web.AppKey("knowledge", KnowledgeBaseCache)
# True on the small application serving /metrics at RELAY_METRICS_ADDRESS.
METRICS_LISTENER = web.AppKey("metrics_listener", bool)
METRICS_SOCKET = web.AppKey("metrics_socket", socket.socket)  # bound at start-up, served once Redis is set up
ADDRESSES = web.AppKey("addresses", SocketCount)  # websockets open per client address in this process
