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
        open311_staff_key: ``OPEN311_STAFF_KEY`` (or the first of ``OPEN311_STAFF_KEYS``;
            none by default): sent when looking up case statuses (``--open311``). Open311
            shows private cases, such as messages left for the contact centre, only to a
            staff key; without one their outcomes are counted as "status unknown".
    """

    redis_url: str = DEFAULT_REDIS
    key_prefix: str = "fd"
    open311_staff_key: str = ""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read ``REDIS_URL``, ``RELAY_KEY_PREFIX`` and ``OPEN311_STAFF_KEY`` (or ``OPEN311_STAFF_KEYS``).

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
        name = "OPEN311_STAFF_KEY" if env.get("OPEN311_STAFF_KEY") else "OPEN311_STAFF_KEYS"
        staff_key = (env.get(name) or "").split(",")[0].strip()
        # The Open311 service refuses keys shorter than 16 characters: say so now, not as a
        # note at the end of every report.
        if staff_key and len(staff_key) < 16:
            raise SettingsError(f"{name}: the staff key must be at least 16 characters")
        return cls(redis_url=redis_url, key_prefix=prefix, open311_staff_key=staff_key)
