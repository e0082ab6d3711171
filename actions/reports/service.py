"""What the actions share: the settings, the Open311 client and the knowledge base.

The settings are read once, when the action server registers its first action (start-up),
and everything else is built from them on first use.
"""

from __future__ import annotations

from functools import lru_cache

from actions.clients.open311 import Open311Client
from actions.settings import Settings
from knowledge_base import KnowledgeBase
from knowledge_base.cache import KnowledgeBaseCache


@lru_cache(maxsize=1)
def settings() -> Settings:
    """The action server's settings (``Settings.from_env``), read on the first call only."""
    return Settings.from_env()


@lru_cache(maxsize=1)
def _knowledge_base() -> KnowledgeBaseCache:
    # FRONT_DESK_CONTENT_DIR / FRONT_DESK_MESSAGES_FILE: serve content from elsewhere (a
    # council's content checkout; the tests' own copy).
    return KnowledgeBaseCache(settings().knowledge.content_dir, settings().knowledge.messages_file)


def knowledge_base() -> KnowledgeBase:
    return _knowledge_base().get()


@lru_cache(maxsize=1)
def open311() -> Open311Client:
    return Open311Client(settings().open311)


def advisor_hours() -> str:
    """When advisors are there, in words, from the same settings the relay reads."""
    return settings().advisor_hours
