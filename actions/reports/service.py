"""What the actions share: the Open311 client and the knowledge base (created on first use)."""

from __future__ import annotations

from functools import lru_cache

from actions.clients.open311 import Open311Client, Open311Settings
from knowledge_base import KnowledgeBase
from knowledge_base.cache import KnowledgeBaseCache

_knowledge_base = KnowledgeBaseCache()


def knowledge_base() -> KnowledgeBase:
    return _knowledge_base.get()


@lru_cache(maxsize=1)
def open311() -> Open311Client:
    return Open311Client(Open311Settings.from_env())
