"""Notification settings, read once from the environment; a mistake stops start-up naming the variable."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Literal

Provider = Literal["smtp", "govuk_notify", "none"]
NOTIFY_API = "https://api.notifications.service.gov.uk"


class NotifySettingsError(ValueError):
    """A notification setting is missing or malformed; the message names the variable."""


@dataclass(frozen=True)
class NotifySettings:
    provider: Provider = "none"
    public_url: str = ""
    secret: str = field(default="", repr=False)  # secrets never in a log line
    mail_from: str = ""
    mail_reply_to: str = ""
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_user: str = ""
    smtp_password: str = field(default="", repr=False)
    smtp_starttls: bool = False
    notify_api_key: str = field(default="", repr=False)
    notify_email_template_id: str = ""
    notify_sms_template_id: str = ""
    notify_base_url: str = NOTIFY_API
    max_attempts: int = 8
    retry_seconds: float = 60.0
    poll_seconds: float = 0.25

    @property
    def sends_sms(self) -> bool:
        """Only GOV.UK Notify sends texts, and only with an SMS template."""
        return self.provider == "govuk_notify" and bool(self.notify_sms_template_id)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> NotifySettings:
        """Read the settings (see docs/notifications.md for each).

        Raises:
            NotifySettingsError: naming the first variable that is missing or wrong.
        """
        env = dict(os.environ if env is None else env)

        def text(name: str, default: str = "") -> str:
            return env.get(name, default).strip()

        def required(name: str) -> str:
            value = text(name)
            if not value:
                raise NotifySettingsError(f"{name} is required when NOTIFY_PROVIDER={provider}")
            return value

        def number(name: str, default: str, low: float, kind: type = int) -> float:
            raw = text(name, default)
            try:
                value: float = kind(raw)
            except ValueError:
                raise NotifySettingsError(f"{name} must be a number, not {raw!r}") from None
            if value < low:
                raise NotifySettingsError(f"{name} must be at least {low}")
            return value

        provider = text("NOTIFY_PROVIDER", "none").lower()
        if provider not in ("smtp", "govuk_notify", "none"):
            raise NotifySettingsError("NOTIFY_PROVIDER must be smtp, govuk_notify or none")
        common = {
            "max_attempts": int(number("NOTIFY_MAX_ATTEMPTS", "8", 1)),
            "retry_seconds": float(number("NOTIFY_RETRY_SECONDS", "60", 0.01, float)),
            "poll_seconds": float(number("NOTIFY_POLL_SECONDS", "0.25", 0.05, float)),
        }
        if provider == "none":
            return cls(**common)  # type: ignore[arg-type]
        public_url = required("NOTIFY_PUBLIC_URL")
        if not public_url.startswith(("http://", "https://")):
            raise NotifySettingsError("NOTIFY_PUBLIC_URL must start with http:// or https://")
        secret = required("NOTIFY_SECRET")
        if len(secret) < 32:
            raise NotifySettingsError("NOTIFY_SECRET must be at least 32 characters (it signs unsubscribe links)")
        base = {"public_url": public_url.rstrip("/"), "secret": secret, **common}
        if provider == "smtp":
            mail_from = required("MAIL_FROM")
            if "@" not in mail_from:
                raise NotifySettingsError("MAIL_FROM must be an email address")
            user, password = text("SMTP_USER"), env.get("SMTP_PASSWORD", "")
            if bool(user) != bool(password):
                raise NotifySettingsError("SMTP_USER and SMTP_PASSWORD must be set together")
            starttls = text("SMTP_STARTTLS", "false").lower()
            if starttls not in ("true", "false"):
                raise NotifySettingsError("SMTP_STARTTLS must be true or false")
            return cls(
                provider="smtp",
                mail_from=mail_from,
                mail_reply_to=text("MAIL_REPLY_TO"),
                smtp_host=required("SMTP_HOST"),
                smtp_port=int(number("SMTP_PORT", "25", 1)),
                smtp_user=user,
                smtp_password=password,
                smtp_starttls=starttls == "true",
                **base,  # type: ignore[arg-type]
            )
        key = required("NOTIFY_API_KEY")
        if len(key) < 74:
            raise NotifySettingsError("NOTIFY_API_KEY must be the whole key Notify gave (name-serviceid-secret)")
        return cls(
            provider="govuk_notify",
            notify_api_key=key,
            notify_email_template_id=required("NOTIFY_EMAIL_TEMPLATE_ID"),
            notify_sms_template_id=text("NOTIFY_SMS_TEMPLATE_ID"),
            notify_base_url=text("NOTIFY_BASE_URL", NOTIFY_API).rstrip("/"),
            mail_reply_to=text("MAIL_REPLY_TO"),
            **base,  # type: ignore[arg-type]
        )
