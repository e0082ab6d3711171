"""Keep the knowledge base in memory and pick up edits without a restart.

Edits to answers and links are live for the next message: every ``get()`` compares the
content files' modification times (a few dozen ``stat`` calls) and reloads when they
changed. If the new content is broken, the last good version keeps being served and the
problem is logged, so a bad edit never takes answers away from residents.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from knowledge_base.articles import (
    DEFAULT_CONTENT_DIR,
    DEFAULT_MESSAGES_FILE,
    ContentError,
    KnowledgeBase,
    load_knowledge_base,
)

logger = logging.getLogger(__name__)


class KnowledgeBaseCache:
    def __init__(self, content_dir: Path = DEFAULT_CONTENT_DIR, messages_file: Path = DEFAULT_MESSAGES_FILE):
        self.content_dir = Path(content_dir)
        self.messages_file = Path(messages_file)
        self._lock = threading.Lock()
        self._signature: tuple | None = None
        self._kb: KnowledgeBase | None = None

    def _current_signature(self) -> tuple:
        files = sorted(self.content_dir.rglob("*.y*ml")) + [
            self.messages_file,
            self.messages_file.parent / "council_topics.yml",
        ]
        return tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files if p.exists())

    def get(self) -> KnowledgeBase:
        """The current knowledge base (reloaded if files changed and are valid).

        Raises:
            ContentError: only if no valid version has ever been loaded.
        """
        signature = self._current_signature()
        with self._lock:
            if signature != self._signature or self._kb is None:
                try:
                    self._kb = load_knowledge_base(self.content_dir, self.messages_file)
                    logger.info("Knowledge base loaded: %d articles", len(self._kb.articles))
                except ContentError as exc:
                    if self._kb is None:
                        raise
                    logger.error("Knowledge base edit rejected, still serving the last good version: %s", exc)
                self._signature = signature
            return self._kb
