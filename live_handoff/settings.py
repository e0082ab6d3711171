"""The relay's settings, read once from the environment, failing fast with the variable's name."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from contracts import open311_xml
from knowledge_base.articles import DEFAULT_CONTENT_DIR, DEFAULT_MESSAGES_FILE
from knowledge_base.opening_hours import advisor_hours_text
from live_handoff import bot_choice, proxies
from live_handoff import hours as opening
from live_handoff.limits import Limits, read_limits
from live_handoff.photos.settings import PhotoSettings, read_photo_settings

T = TypeVar("T")


class SettingsError(Exception):
    """A setting is missing or malformed; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    redis_url: str = "redis://127.0.0.1:6379/0"
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_token: str = ""
    open311_url: str = ""
    open311_api_key: str = ""
    open311_staff_key: str = ""
    open311_format: str = "json"  # OPEN311_FORMAT: json or xml, as the Open311 endpoint speaks
    allowed_origins: frozenset[str] = frozenset()
    key_prefix: str = "fd"
    retention_days: int = 90
    max_text_chars: int = 2000
    max_frame_bytes: int = 16_384
    messages_per_minute: int = 30
    burst: int = 8
    bot_notice_seconds: float = 2.0
    bot_timeout_seconds: float = 15.0
    hello_timeout_seconds: float = 10.0
    session_hours: float = 8.0
    handling_seconds_default: float = 360.0
    opening_hours: opening.OpeningHours = field(default_factory=opening.build)
    secure_cookies: bool = False
    trusted_proxies: tuple[proxies.Network, ...] = ()
    # /metrics: at this (host, port) only, when set; wherever it is served, the token (when
    # set) is needed; on the residents' port only with a token.
    metrics_address: tuple[str, int] | None = None
    metrics_token: str = ""
    hours_text: str = "Monday to Friday, 8:30am to 5pm"
    # The council's privacy notice for the chat; the widget links to it beside the greeting.
    privacy_notice_url: str = ""
    # The knowledge base the bot answers from; None (settings built in code, not read
    # from the environment) means "as the action server finds it": see ``knowledge_paths``.
    content_dir: Path | None = None
    messages_file: Path | None = None
    # /health warns while the oldest message left has waited for the case system longer than this.
    outbox_warn_minutes: float = 10.0
    # Limits per client address and in total (live_handoff/limits.py: RELAY_LIMIT_*,
    # RELAY_HTTP_*_TIMEOUT_SECONDS, RELAY_IDLE_MINUTES).
    limits: Limits = field(default_factory=Limits)
    # The status file `make up`'s supervisor writes (front_door.supervisor); /health shows it.
    supervisor_status: Path | None = None
    # Residents' photos with reports (live_handoff/photos: PHOTOS_*).
    photos: PhotoSettings = field(default_factory=PhotoSettings)
    # Messages a killed relay process acknowledged but never had answered: each process
    # looks for them every ``turn_check_seconds`` (its lease lasts three times that);
    # older than ``reask_within_seconds``, the resident is told instead of answered late.
    turn_check_seconds: float = 5.0
    reask_within_seconds: float = 300.0

    @property
    def retention_seconds(self) -> int:
        return self.retention_days * 86_400

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read the ``RELAY_*`` variables (and ``REDIS_URL``, ``RASA_URL``, ``OPEN311_*``).

        REDIS_URL: Redis holding conversations, the queue and sessions.
        RASA_URL: the Rasa server (REST channel and HTTP API); RASA_TOKEN its API token.
            Several servers sharing one Redis: their URLs separated by commas; each
            conversation keeps to one while it is up (``live_handoff.bot_choice``).
        OPEN311_URL, OPEN311_API_KEY: where messages left out of hours become cases.
        OPEN311_STAFF_KEY (or the first of OPEN311_STAFF_KEYS): advisors' case lookups (the
            only key that reads messages left for the contact centre and whole descriptions)
            and status changes.
        RELAY_ALLOWED_ORIGINS: comma-separated origins allowed to open websockets (e.g.
            ``https://www.northbridge.example``); the relay's own origin is always allowed.
        RELAY_RETENTION_DAYS (90): days conversation records are kept after their last event.
        RELAY_MAX_TEXT_CHARS (2000), RELAY_MAX_FRAME_BYTES (16384): message and frame limits.
        RELAY_MESSAGES_PER_MINUTE (30), RELAY_BURST (8): per-connection flood control.
        RELAY_BOT_NOTICE_SECONDS (2), RELAY_BOT_TIMEOUT_SECONDS (15): when residents are told
            the bot is slow, and when it counts as unavailable.
        RELAY_OPENING_HOURS ("Mon-Fri 08:30-17:00"), RELAY_CLOSURES (ISO dates and
            ``a..b`` ranges): the contact centre's hours; England and Wales bank holidays
            are always closed. RELAY_HOURS_TEXT says them in words for residents
            ("Monday to Friday, 8:30am to 5pm").
        RELAY_SESSION_HOURS (8): advisors' sessions expire after this long without use.
        RELAY_SECURE_COOKIES (0): 1 marks session cookies Secure always; otherwise they are
            Secure whenever the request came over HTTPS, directly or through a trusted proxy.
        RELAY_TRUSTED_PROXIES: comma-separated IP addresses and CIDR networks of the reverse
            proxies in front of the relay; their X-Forwarded-Proto and X-Forwarded-For are
            believed, anyone else's ignored.
        RELAY_METRICS_ADDRESS (``host:port``, e.g. ``127.0.0.1:9464``): serve /metrics there
            only, on a listener of its own, and not on the residents' port.
        RELAY_METRICS_TOKEN (16+ characters): /metrics needs ``Authorization: Bearer <token>``.
            With neither set, /metrics answers 404.
        RELAY_PRIVACY_NOTICE_URL: the council's privacy notice for the chat (https://...);
            residents see a link to it beside the greeting, with how long chats are kept.
        RELAY_OUTBOX_WARN_MINUTES (10): /health says ``warning`` while the oldest message
            left has waited longer than this for the case system.
        RELAY_TURN_CHECK_SECONDS (5), RELAY_REASK_WITHIN_SECONDS (300): how often each relay
            process looks for messages a stopped process acknowledged but never had the bot
            answer, and the age after which the resident is told instead of answered late.
        RELAY_KEY_PREFIX ("fd"): the prefix of every Redis key and channel of the relay.
        RELAY_SUPERVISOR_STATUS: the status file of the supervisor that keeps the processes
            running (``make up`` sets it); /health shows it and warns while one is restarting.
        FRONT_DESK_CONTENT_DIR, FRONT_DESK_MESSAGES_FILE: the knowledge base the bot
            answers from (as the action server reads them); the relay reads its urgent texts.
        RELAY_LIMIT_*, RELAY_HTTP_HEADER_TIMEOUT_SECONDS, RELAY_HTTP_BODY_TIMEOUT_SECONDS,
            RELAY_IDLE_MINUTES: limits per client address and in total (``limits.Limits``).

        Raises:
            SettingsError: a variable is malformed; the message names it.
        """
        env = dict(os.environ if env is None else env)

        def read(
            name: str,
            default: T,
            convert: Callable[[str], T],
            check: Callable[[T], bool] = lambda _: True,
            explain: str = "",
        ) -> T:
            raw = env.get(name)
            if raw is None or raw.strip() == "":
                return default
            try:
                value = convert(raw.strip())
            except ValueError as exc:
                raise SettingsError(f"{name}: {explain or exc}") from None
            if not check(value):
                raise SettingsError(f"{name}: {explain}")
            return value

        positive = "must be a positive number"
        try:
            hours = opening.build(
                env.get("RELAY_OPENING_HOURS") or "Mon-Fri 08:30-17:00", env.get("RELAY_CLOSURES", "")
            )
        except ValueError as exc:
            raise SettingsError(f"RELAY_OPENING_HOURS / RELAY_CLOSURES: {exc}") from None
        origins = frozenset(o.strip().rstrip("/") for o in env.get("RELAY_ALLOWED_ORIGINS", "").split(",") if o.strip())
        for origin in origins:
            if not origin.startswith(("http://", "https://")):
                raise SettingsError(f"RELAY_ALLOWED_ORIGINS: {origin!r} must start with http:// or https://")
        knowledge = knowledge_paths_in(env)
        notice_url = env.get("RELAY_PRIVACY_NOTICE_URL", "").strip()
        if notice_url and not notice_url.startswith(("https://", "http://")):
            raise SettingsError(f"RELAY_PRIVACY_NOTICE_URL: {notice_url!r} must start with https:// or http://")
        try:
            trusted = proxies.parse_trusted(env.get("RELAY_TRUSTED_PROXIES", ""))
        except ValueError as exc:
            raise SettingsError(f"RELAY_TRUSTED_PROXIES: {exc}") from None
        metrics_token = env.get("RELAY_METRICS_TOKEN", "").strip()
        if metrics_token and (len(metrics_token) < 16 or not metrics_token.isprintable() or " " in metrics_token):
            raise SettingsError("RELAY_METRICS_TOKEN: must be at least 16 characters, without spaces")
        open311_url = env.get("OPEN311_URL", "")
        if open311_url and not open311_url.endswith("/"):
            open311_url += "/"
        try:
            open311_format = open311_xml.setting(env)
        except ValueError as exc:
            raise SettingsError(str(exc)) from None
        return cls(
            redis_url=env.get("REDIS_URL", cls.redis_url),
            rasa_url=",".join(read("RASA_URL", (cls.rasa_url,), bot_choice.parse_urls)),
            rasa_token=env.get("RASA_TOKEN", ""),
            open311_url=open311_url,
            open311_api_key=env.get("OPEN311_API_KEY", ""),
            open311_staff_key=env.get("OPEN311_STAFF_KEY") or env.get("OPEN311_STAFF_KEYS", "").split(",")[0].strip(),
            open311_format=open311_format,
            allowed_origins=origins,
            key_prefix=env.get("RELAY_KEY_PREFIX", "fd"),
            retention_days=read(
                "RELAY_RETENTION_DAYS", 90, int, lambda v: v >= 1, "must be a whole number of days, at least 1"
            ),
            max_text_chars=read(
                "RELAY_MAX_TEXT_CHARS", 2000, int, lambda v: 1 <= v <= 10_000, "must be between 1 and 10000"
            ),
            max_frame_bytes=read("RELAY_MAX_FRAME_BYTES", 16_384, int, lambda v: v >= 1024, "must be at least 1024"),
            messages_per_minute=read("RELAY_MESSAGES_PER_MINUTE", 30, int, lambda v: v >= 1, positive),
            burst=read("RELAY_BURST", 8, int, lambda v: v >= 1, positive),
            bot_notice_seconds=read("RELAY_BOT_NOTICE_SECONDS", 2.0, float, lambda v: v > 0, positive),
            bot_timeout_seconds=read("RELAY_BOT_TIMEOUT_SECONDS", 15.0, float, lambda v: v > 0, positive),
            session_hours=read("RELAY_SESSION_HOURS", 8.0, float, lambda v: v > 0, positive),
            opening_hours=hours,
            secure_cookies=env.get("RELAY_SECURE_COOKIES", "0") == "1",
            trusted_proxies=trusted,
            metrics_address=read("RELAY_METRICS_ADDRESS", None, parse_address),
            metrics_token=metrics_token,
            # The same words the bot's texts use (knowledge_base.opening_hours).
            hours_text=advisor_hours_text(env),
            privacy_notice_url=notice_url,
            content_dir=knowledge[0],
            messages_file=knowledge[1],
            outbox_warn_minutes=read("RELAY_OUTBOX_WARN_MINUTES", 10.0, float, lambda v: v > 0, positive),
            limits=read_limits(read),
            supervisor_status=read("RELAY_SUPERVISOR_STATUS", None, Path),
            photos=read_photo_settings(read),
            turn_check_seconds=read("RELAY_TURN_CHECK_SECONDS", 5.0, float, lambda v: 0 < v <= 600, "must be 0-600"),
            reask_within_seconds=read("RELAY_REASK_WITHIN_SECONDS", 300.0, float, lambda v: v > 0, positive),
        )


def parse_address(text: str) -> tuple[str, int]:
    """``host:port`` (``127.0.0.1:9464``, ``[::1]:9464``, ``localhost:9464``) as (host, port).

    Raises:
        ValueError: not of that form, or the port is not 1-65535.
    """
    host, colon, port = text.strip().rpartition(":")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if not colon or not host or not port.isdigit() or not 1 <= int(port) <= 65535 or ("[" in host or "]" in host):
        raise ValueError(f"{text!r} must be host:port, e.g. 127.0.0.1:9464 or [::1]:9464")
    if ":" in host and not text.strip().startswith("["):
        raise ValueError(f"{text!r}: write an IPv6 address in brackets, e.g. [::1]:9464")
    return host, int(port)


def knowledge_paths_in(env: Mapping[str, str]) -> tuple[Path, Path]:
    """The knowledge base's content folder and messages file as the action server finds
    them: ``FRONT_DESK_CONTENT_DIR`` and ``FRONT_DESK_MESSAGES_FILE``, else its own."""
    return (
        Path(env.get("FRONT_DESK_CONTENT_DIR") or DEFAULT_CONTENT_DIR),
        Path(env.get("FRONT_DESK_MESSAGES_FILE") or DEFAULT_MESSAGES_FILE),
    )
