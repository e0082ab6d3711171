"""What the actions share: the Open311 client and the knowledge base (created on first use)."""

from __future__ import annotations

from functools import lru_cache

import os
from pathlib import Path

from actions.clients.open311 import Open311Client, Open311Settings
from knowledge_base import KnowledgeBase
from knowledge_base.articles import DEFAULT_CONTENT_DIR, DEFAULT_MESSAGES_FILE
from knowledge_base.cache import KnowledgeBaseCache

# FRONT_DESK_CONTENT_DIR / FRONT_DESK_MESSAGES_FILE: serve content from elsewhere (a
# council's content checkout; the tests' own copy).
_knowledge_base = KnowledgeBaseCache(
    Path(os.environ.get("FRONT_DESK_CONTENT_DIR", DEFAULT_CONTENT_DIR)),
    Path(os.environ.get("FRONT_DESK_MESSAGES_FILE", DEFAULT_MESSAGES_FILE)),
)


def knowledge_base() -> KnowledgeBase:
    return _knowledge_base.get()


@lru_cache(maxsize=1)
def open311() -> Open311Client:
    return Open311Client(Open311Settings.from_env())


@lru_cache(maxsize=1)
def advisor_hours() -> str:
    """When advisors are there, in words, from the same settings the relay reads."""
    from knowledge_base.opening_hours import advisor_hours_text

    return advisor_hours_text(os.environ)
