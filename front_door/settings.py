"""The front door's own settings, read once at start-up, failing fast with the variable's
name. The relay (``live_handoff.Settings``) and the Open311 service
(``service_requests.settings.Settings``) read theirs; this adds what the front door itself
uses: where it listens, what the editors' pages write, and whether Open311 is served here."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from knowledge_base.settings import Settings as KnowledgeBaseSettings
from knowledge_base.settings import SettingsError as KnowledgeBaseSettingsError

ROOT = Path(__file__).resolve().parents[1]


class SettingsError(Exception):
    """A setting is malformed; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    """What the front door reads from the environment.

    Attributes:
        host: ``HOST`` (127.0.0.1): the address to listen on.
        port: ``FRONT_DOOR_PORT`` (8080).
        knowledge: the content editors publish to and the model retrains replace
            (``FRONT_DESK_CONTENT_DIR``, ``FRONT_DESK_MESSAGES_FILE``, ``FRONT_DESK_MODEL``,
            ``RETRAIN_MIN_ACCURACY``; see ``knowledge_base/settings.py``).
        audit_file: ``FRONT_DESK_AUDIT_FILE`` (var/content-audit.jsonl): who published what.
            None: the editors' API default (``front_door.editor_api.AUDIT_FILE``).
        published_models: ``FRONT_DESK_PUBLISHED_MODELS`` (models/published): retrained models.
        open311: True when ``OPEN311_API_KEYS`` is set: the built-in Open311 service is served
            at /open311/v2/ (its own settings are read by ``service_requests``).
    """

    host: str = "127.0.0.1"
    port: int = 8080
    knowledge: KnowledgeBaseSettings = field(default_factory=KnowledgeBaseSettings)
    audit_file: Path | None = None
    published_models: Path = ROOT / "models" / "published"
    open311: bool = False

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read ``HOST``, ``FRONT_DOOR_PORT``, the ``FRONT_DESK_*`` variables and whether
        ``OPEN311_API_KEYS`` is set.

        Raises:
            SettingsError: a variable is malformed; the message names it.
        """
        env = os.environ if env is None else env
        raw_port = env.get("FRONT_DOOR_PORT", "8080")
        try:
            port = int(raw_port)
        except ValueError:
            raise SettingsError(f"FRONT_DOOR_PORT: {raw_port!r} is not a port number") from None
        if not 0 <= port <= 65535:
            raise SettingsError(f"FRONT_DOOR_PORT: {raw_port!r} must be between 0 and 65535")
        try:
            knowledge = KnowledgeBaseSettings.from_env(env)
        except KnowledgeBaseSettingsError as exc:
            raise SettingsError(str(exc)) from None
        audit = env.get("FRONT_DESK_AUDIT_FILE", "")
        published = env.get("FRONT_DESK_PUBLISHED_MODELS", "")
        return cls(
            host=env.get("HOST", "127.0.0.1"),
            port=port,
            knowledge=knowledge,
            audit_file=Path(audit) if audit.strip() else None,
            published_models=Path(published) if published.strip() else cls.published_models,
            open311=bool(env.get("OPEN311_API_KEYS")),
        )
