"""Settings for the Open311 service, read once from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from contracts.contact_rules import OPEN311_DESCRIPTION_LIMIT
from service_requests.notifications.settings import NotifySettings, NotifySettingsError
from service_requests.public_address import check_public_url

PACKAGE_DIR = Path(__file__).resolve().parent


class SettingsError(Exception):
    """A setting is missing or malformed; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    database: Path
    api_keys: frozenset[str]
    staff_keys: frozenset[str]
    services_file: Path = PACKAGE_DIR / "services.yml"
    jurisdiction_id: str = "northbridge.example"
    reference_prefix: str = "NB"
    max_description: int = OPEN311_DESCRIPTION_LIMIT
    contact_retention_days: int = 90
    notifications: NotifySettings = field(default_factory=NotifySettings)  # NOTIFY_*, SMTP_*, MAIL_*
    public_url: str = ""  # OPEN311_PUBLIC_URL, ending in "/"; "" when not set (public_address.py)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        """Read ``OPEN311_*`` variables.

        OPEN311_DB: SQLite file (default var/service_requests.sqlite3).
        OPEN311_API_KEYS: comma-separated keys allowed to POST requests (required).
        OPEN311_STAFF_KEYS: comma-separated keys allowed to change a request's status (required).
        OPEN311_CONTACT_RETENTION_DAYS: days to keep residents' contact details after closing (90).
        OPEN311_PUBLIC_URL: the API's public address, e.g. https://chat.example.gov.uk/open311/v2/,
            for the absolute URLs it gives out (discovery); optional.
        """
        env = dict(os.environ if env is None else env)

        def keys(name: str) -> frozenset[str]:
            raw = env.get(name, "")
            found = frozenset(k.strip() for k in raw.split(",") if k.strip())
            if not found:
                raise SettingsError(f"{name} must list at least one key (comma-separated)")
            if any(len(k) < 16 for k in found):
                raise SettingsError(f"{name}: every key must be at least 16 characters")
            return found

        try:
            retention = int(env.get("OPEN311_CONTACT_RETENTION_DAYS", "90"))
        except ValueError:
            raise SettingsError("OPEN311_CONTACT_RETENTION_DAYS must be a whole number of days") from None
        if retention < 1:
            raise SettingsError("OPEN311_CONTACT_RETENTION_DAYS must be at least 1")
        try:
            notifications = NotifySettings.from_env(env)
        except NotifySettingsError as exc:
            raise SettingsError(str(exc)) from None
        try:
            public_url = check_public_url("OPEN311_PUBLIC_URL", env.get("OPEN311_PUBLIC_URL", ""))
        except ValueError as exc:
            raise SettingsError(str(exc)) from None
        return cls(
            public_url=public_url,
            notifications=notifications,
            database=Path(env.get("OPEN311_DB", PACKAGE_DIR.parent / "var" / "service_requests.sqlite3")),
            api_keys=keys("OPEN311_API_KEYS"),
            staff_keys=keys("OPEN311_STAFF_KEYS"),
            contact_retention_days=retention,
        )
