"""The insight report's settings, read once when a command starts, failing fast with the
variable's name."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

DEFAULT_REDIS = "redis://127.0.0.1:6379/0"
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


class SettingsError(Exception):
    """A setting is malformed; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    """Where the relay's measurement events are.

    Attributes:
        redis_url: ``REDIS_URL`` (redis://127.0.0.1:6379/0): the Redis the relay writes to.
        key_prefix: ``RELAY_KEY_PREFIX`` (fd): the relay's key prefix; events are in
            ``{prefix}:analytics``.
    """

    redis_url: str = DEFAULT_REDIS
    key_prefix: str = "fd"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read ``REDIS_URL`` and ``RELAY_KEY_PREFIX``.

        Raises:
            SettingsError: a variable is malformed; the message names it.
        """
        env = os.environ if env is None else env
        redis_url = env.get("REDIS_URL", DEFAULT_REDIS)
        if not redis_url.startswith(REDIS_SCHEMES):
            raise SettingsError(f"REDIS_URL: {redis_url!r} must start with redis://, rediss:// or unix://")
        prefix = env.get("RELAY_KEY_PREFIX", "fd")
        if any(c.isspace() for c in prefix):
            raise SettingsError(f"RELAY_KEY_PREFIX: {prefix!r} must not contain spaces")
        return cls(redis_url=redis_url, key_prefix=prefix)
