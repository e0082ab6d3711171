"""The knowledge base's settings, read once when a process starts, failing fast with the
variable's name. The action server, the front door and the command line read the content
the same way; each passes these on rather than reading the environment again."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from knowledge_base.articles import DEFAULT_CONTENT_DIR, DEFAULT_MESSAGES_FILE

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_MODEL = PROJECT_ROOT / "models" / "front-desk.tar.gz"
DEFAULT_MIN_ACCURACY = 0.90


class SettingsError(Exception):
    """A setting is malformed; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    """Where the content, the model and the evaluation data are.

    Attributes:
        content_dir: ``FRONT_DESK_CONTENT_DIR`` (knowledge_base/content): the articles the bot
            answers from (a council's content checkout; the tests' own copy).
        messages_file: ``FRONT_DESK_MESSAGES_FILE`` (knowledge_base/messages.yml).
        model: ``FRONT_DESK_MODEL`` (models/front-desk.tar.gz): the trained model the running
            bot uses until a retrain switches in another, and the one ``try``/``evaluate`` use.
        eval_dir: ``FRONT_DESK_EVAL_DIR`` (none: ``../shared/eval``): the shared evaluation data.
        retrain_min_accuracy: ``RETRAIN_MIN_ACCURACY`` (0.90): the held-out route accuracy a
            retrained model must reach before it is switched in.
        rasa_token: ``RASA_TOKEN`` (none): the Rasa HTTP API token ``converse`` reads slots with.
    """

    content_dir: Path = DEFAULT_CONTENT_DIR
    messages_file: Path = DEFAULT_MESSAGES_FILE
    model: Path = DEFAULT_MODEL
    eval_dir: Path | None = None
    retrain_min_accuracy: float = DEFAULT_MIN_ACCURACY
    rasa_token: str = ""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read the ``FRONT_DESK_*`` variables, ``RETRAIN_MIN_ACCURACY`` and ``RASA_TOKEN``.

        Raises:
            SettingsError: a variable is malformed; the message names it.
        """
        env = os.environ if env is None else env

        def path(name: str, default: Path) -> Path:
            raw = env.get(name, "")
            return Path(raw) if raw.strip() else default

        raw_accuracy = env.get("RETRAIN_MIN_ACCURACY", "").strip()
        accuracy = DEFAULT_MIN_ACCURACY
        if raw_accuracy:
            try:
                accuracy = float(raw_accuracy)
            except ValueError:
                raise SettingsError(f"RETRAIN_MIN_ACCURACY: {raw_accuracy!r} is not a number (e.g. 0.90)") from None
            if not 0 < accuracy <= 1:
                raise SettingsError(f"RETRAIN_MIN_ACCURACY: {raw_accuracy!r} must be above 0 and at most 1")
        eval_dir = env.get("FRONT_DESK_EVAL_DIR", "")
        return cls(
            content_dir=path("FRONT_DESK_CONTENT_DIR", DEFAULT_CONTENT_DIR),
            messages_file=path("FRONT_DESK_MESSAGES_FILE", DEFAULT_MESSAGES_FILE),
            model=path("FRONT_DESK_MODEL", DEFAULT_MODEL),
            eval_dir=Path(eval_dir) if eval_dir.strip() else None,
            retrain_min_accuracy=accuracy,
            rasa_token=env.get("RASA_TOKEN", ""),
        )
