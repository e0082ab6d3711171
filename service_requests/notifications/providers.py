"""Where notifications go: an SMTP mail relay or GOV.UK Notify, behind one interface.

Both clients block, so each send runs in a thread. A provider raises :class:`TryAgain` for a
failure worth retrying (connection refused, 4xx SMTP reply, Notify 429/5xx) and
:class:`Refused` for one that will never succeed (5xx SMTP reply, Notify 400/403).
"""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate
from typing import Protocol

from service_requests.notifications.settings import NotifySettings


class TryAgain(Exception):
    """A failure that may pass: retry later."""


class Refused(Exception):
    """The provider will never take this message."""


@dataclass(frozen=True)
class Outgoing:
    """One message to one resident."""

    channel: str  # "email" or "sms"
    to: str
    subject: str
    body: str
    sms: str
    unsubscribe_url: str
    reference: str  # our outbox row, so a provider-side duplicate can be spotted
    personalisation: dict[str, str] = field(default_factory=dict)


class Provider(Protocol):
    name: str

    def sends(self, channel: str) -> bool:
        """Whether this provider can send on ``channel``."""
        ...

    async def send(self, message: Outgoing) -> None:
        """Send one message; raises TryAgain or Refused."""
        ...


class NoProvider:
    """NOTIFY_PROVIDER=none: nothing is sent; queued changes are marked skipped."""

    name = "none"

    def sends(self, channel: str) -> bool:
        return False

    async def send(self, message: Outgoing) -> None:
        raise Refused("no provider configured")


def email_message(settings: NotifySettings, message: Outgoing) -> EmailMessage:
    """The MIME message the SMTP provider sends (pure)."""
    mail = EmailMessage()
    mail["From"] = settings.mail_from
    mail["To"] = message.to
    mail["Subject"] = message.subject
    mail["Date"] = formatdate(localtime=False)
    domain = settings.mail_from.rsplit("@", 1)[-1]
    # The same id on every try: a mail system that got the first try can drop a repeat.
    mail["Message-ID"] = f"<{message.reference}@{domain}>"
    if settings.mail_reply_to:
        mail["Reply-To"] = settings.mail_reply_to
    mail["List-Unsubscribe"] = f"<{message.unsubscribe_url}>"
    mail["Auto-Submitted"] = "auto-generated"
    mail.set_content(message.body)
    return mail


class SmtpProvider:
    """Any council mail relay, through the standard library's smtplib (in a thread)."""

    name = "smtp"

    def __init__(self, settings: NotifySettings, timeout: float = 15.0) -> None:
        self.settings = settings
        self.timeout = timeout

    def sends(self, channel: str) -> bool:
        return channel == "email"

    def _send(self, mail: EmailMessage) -> None:
        s = self.settings
        try:
            with smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=self.timeout) as smtp:
                if s.smtp_starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if s.smtp_user:
                    smtp.login(s.smtp_user, s.smtp_password)
                smtp.send_message(mail)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            raise (Refused if all(c >= 500 for c in codes) else TryAgain)(f"recipient refused: {codes}") from None
        except smtplib.SMTPResponseException as exc:
            kind = Refused if exc.smtp_code >= 500 and exc.smtp_code != 530 else TryAgain
            raise kind(f"SMTP {exc.smtp_code}: {exc.smtp_error!r}") from None
        except (OSError, smtplib.SMTPException) as exc:
            raise TryAgain(f"SMTP: {type(exc).__name__}: {exc}") from None

    async def send(self, message: Outgoing) -> None:
        await asyncio.to_thread(self._send, email_message(self.settings, message))


class NotifyProvider:
    """GOV.UK Notify through its official client (notifications-python-client), in a thread."""

    name = "govuk_notify"

    def __init__(self, settings: NotifySettings) -> None:
        from notifications_python_client.notifications import NotificationsAPIClient

        self.settings = settings
        self.client = NotificationsAPIClient(settings.notify_api_key, base_url=settings.notify_base_url, timeout=15)

    def sends(self, channel: str) -> bool:
        return channel == "email" or (channel == "sms" and bool(self.settings.notify_sms_template_id))

    def _send(self, message: Outgoing) -> None:
        import requests
        from notifications_python_client.errors import HTTPError

        try:
            if message.channel == "email":
                self.client.send_email_notification(
                    email_address=message.to,
                    template_id=self.settings.notify_email_template_id,
                    personalisation=message.personalisation,
                    reference=message.reference,
                    one_click_unsubscribe_url=message.unsubscribe_url,
                )
            else:
                self.client.send_sms_notification(
                    phone_number=message.to,
                    template_id=self.settings.notify_sms_template_id,
                    personalisation=message.personalisation,
                    reference=message.reference,
                )
        except HTTPError as exc:
            status = exc.status_code
            raise (TryAgain if status == 429 or status >= 500 else Refused)(f"Notify {status}: {exc.message}") from None
        except requests.RequestException as exc:
            raise TryAgain(f"Notify: {type(exc).__name__}") from None

    async def send(self, message: Outgoing) -> None:
        await asyncio.to_thread(self._send, message)


def provider_for(settings: NotifySettings) -> Provider:
    """The provider NOTIFY_PROVIDER names."""
    if settings.provider == "smtp":
        return SmtpProvider(settings)
    if settings.provider == "govuk_notify":
        return NotifyProvider(settings)
    return NoProvider()
