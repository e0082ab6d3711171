"""The action server's settings, read once when it starts (the first action registered
reads them), failing fast with the variable's name."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from contracts import open311_xml
from knowledge_base.opening_hours import advisor_hours_text
from knowledge_base.settings import Settings as KnowledgeBaseSettings
from knowledge_base.settings import SettingsError as KnowledgeBaseSettingsError

DEFAULT_OPEN311_URL = "http://127.0.0.1:8311/open311/v2/"


class SettingsError(Exception):
    """A setting is malformed; the message names the variable."""


@dataclass(frozen=True)
class Open311Settings:
    """Where cases go: any council CRM that speaks Open311 GeoReport v2.

    Attributes:
        base_url: ``OPEN311_URL`` (http://127.0.0.1:8311/open311/v2/), always ending in ``/``.
        api_key: ``OPEN311_API_KEY`` (none): the key the chat submits requests with.
        timeout_seconds: ``OPEN311_TIMEOUT`` (5): seconds before the service counts as down.
        contact_retention_days: ``OPEN311_CONTACT_RETENTION_DAYS`` (90): how long residents
            are told their contact details are kept.
        response_format: ``OPEN311_FORMAT`` (``json``): ``json`` or ``xml``, GeoReport v2's
            two formats; ``xml`` for a council endpoint that speaks only XML.
        watch_url: ``NOTIFY_WATCH_URL`` (none): the front door's ``/notifications/v1/watch``;
            set when ``OPEN311_URL`` is a council's own case system, so residents who gave an
            email or phone hear of status changes (docs/notifications.md).
        watch_key: ``NOTIFY_WATCH_KEY``: the key that endpoint wants (required with the URL).
    """

    base_url: str
    api_key: str
    timeout_seconds: float = 5.0
    contact_retention_days: int = 90
    response_format: str = "json"
    watch_url: str = ""
    watch_key: str = field(default="", repr=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Open311Settings:
        """Read the ``OPEN311_*`` variables the action server uses.

        Raises:
            SettingsError: a variable is malformed; the message names it.
        """
        env = os.environ if env is None else env
        url = env.get("OPEN311_URL", DEFAULT_OPEN311_URL)
        if not url.startswith(("http://", "https://")):
            raise SettingsError(f"OPEN311_URL: {url!r} must start with http:// or https://")
        raw_timeout = env.get("OPEN311_TIMEOUT", "5")
        try:
            timeout = float(raw_timeout)
        except ValueError:
            raise SettingsError(f"OPEN311_TIMEOUT: {raw_timeout!r} is not a number of seconds") from None
        if not timeout > 0:
            raise SettingsError(f"OPEN311_TIMEOUT: {raw_timeout!r} must be more than 0 seconds")
        raw_days = env.get("OPEN311_CONTACT_RETENTION_DAYS", "90")
        try:
            days = int(raw_days)
        except ValueError:
            raise SettingsError(f"OPEN311_CONTACT_RETENTION_DAYS: {raw_days!r} is not a whole number of days") from None
        if days < 1:
            raise SettingsError(f"OPEN311_CONTACT_RETENTION_DAYS: {raw_days!r} must be at least 1")
        try:
            response_format = open311_xml.setting(env)
        except ValueError as exc:
            raise SettingsError(str(exc)) from None
        watch_url = env.get("NOTIFY_WATCH_URL", "").strip()
        if watch_url and not watch_url.startswith(("http://", "https://")):
            raise SettingsError(f"NOTIFY_WATCH_URL: {watch_url!r} must start with http:// or https://")
        if watch_url and not env.get("NOTIFY_WATCH_KEY", "").strip():
            raise SettingsError("NOTIFY_WATCH_KEY is required with NOTIFY_WATCH_URL")
        return cls(
            watch_url=watch_url,
            watch_key=env.get("NOTIFY_WATCH_KEY", "").strip() if watch_url else "",
            base_url=url.rstrip("/") + "/",
            api_key=env.get("OPEN311_API_KEY", ""),
            timeout_seconds=timeout,
            contact_retention_days=days,
            response_format=response_format,
        )


@dataclass(frozen=True)
class Settings:
    """Everything the actions read from the environment.

    Attributes:
        open311: the Open311 service (``OPEN311_*``).
        knowledge: the content the bot answers from (``FRONT_DESK_CONTENT_DIR``,
            ``FRONT_DESK_MESSAGES_FILE``; see ``knowledge_base/settings.py``).
        advisor_hours: when advisors are there, in words: ``RELAY_HOURS_TEXT``, or worded
            from ``RELAY_OPENING_HOURS`` (the relay reads the same two).
    """

    open311: Open311Settings = field(default_factory=lambda: Open311Settings(DEFAULT_OPEN311_URL, ""))
    knowledge: KnowledgeBaseSettings = field(default_factory=KnowledgeBaseSettings)
    advisor_hours: str = field(default_factory=lambda: advisor_hours_text({}))

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read every variable the action server uses.

        Raises:
            SettingsError: a variable is malformed; the message names it.
        """
        env = os.environ if env is None else env
        try:
            knowledge = KnowledgeBaseSettings.from_env(env)
        except KnowledgeBaseSettingsError as exc:
            raise SettingsError(str(exc)) from None
        try:
            hours = advisor_hours_text(env)
        except ValueError as exc:
            raise SettingsError(f"RELAY_OPENING_HOURS: {exc}") from None
        return cls(open311=Open311Settings.from_env(env), knowledge=knowledge, advisor_hours=hours)
