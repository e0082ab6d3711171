"""Pure rules of status-change notifications: wording, links, settings, retries, what is never sent."""

import datetime as dt

import pytest

from service_requests.notifications import outbox
from service_requests.notifications.providers import NoProvider, Outgoing, email_message
from service_requests.notifications.sender import message_for, verdict
from service_requests.notifications.settings import NotifySettings, NotifySettingsError
from service_requests.notifications.tokens import sign, unsubscribe_url, verify
from service_requests.notifications.wording import Change, compose, headline

SECRET = "s" * 40
NOW = dt.datetime(2026, 12, 6, 9, 0, tzinfo=dt.timezone.utc)
SMTP_ENV = {
    "NOTIFY_PROVIDER": "smtp",
    "NOTIFY_PUBLIC_URL": "https://chat.northbridge.example/",
    "NOTIFY_SECRET": SECRET,
    "SMTP_HOST": "mail.northbridge.example",
    "MAIL_FROM": "updates@northbridge.example",
}


def test_the_headline_reads_as_the_chat_says_it():
    assert headline("NB-2026-000123", "FIXED") == "Your report NB-2026-000123 is now fixed"
    assert headline("NB-2026-000123", "ACTION_SCHEDULED") == "Your report NB-2026-000123 is now scheduled for work"


def test_an_email_says_what_changed_what_happens_next_the_reference_and_how_to_reply():
    words = compose(
        Change("NB-2026-000123", "Pothole", "IN_PROGRESS", "FIXED", "Filled on Tuesday", "Jo"),
        unsubscribe_url="https://x/u",
        chat_url="https://chat.example/",
        reply_by_email=True,
    )
    assert words.subject == "Your report NB-2026-000123 is now fixed"
    assert "Dear Jo," in words.body
    assert "What changed: It was in progress. It is now fixed." in words.body
    assert "Note from the council: Filled on Tuesday" in words.body
    assert "What happens next: Nothing more for you to do." in words.body
    assert "Reply to this email, or ask in the web chat at https://chat.example/ giving your reference" in words.body
    assert "Stop updates about this report: https://x/u" in words.body
    assert words.personalisation["reference"] == "NB-2026-000123"
    assert set(words.personalisation) == {
        "reference",
        "service_name",
        "headline",
        "what_changed",
        "status_notes",
        "what_happens_next",
        "how_to_reply",
        "unsubscribe_url",
    }


def test_without_a_reply_address_the_email_does_not_invite_a_reply():
    words = compose(Change("NB-2026-000001", "Pothole", None, "INVESTIGATING", None), "u", "c", False)
    assert "Reply to this email" not in words.body and "Hello," in words.body
    assert "Note from the council" not in words.body


def test_a_text_message_is_short_and_carries_the_stop_link():
    words = compose(Change("NB-2026-000001", "Pothole", "OPEN", "FIXED", "x" * 500), "https://x/u", "c", False)
    assert words.sms.startswith("Northbridge Council: Your report NB-2026-000001 is now fixed.")
    assert words.sms.endswith("https://x/u") and "x" * 50 not in words.sms


def test_an_unsubscribe_token_fits_one_case_only():
    token = sign(SECRET, "NB-2026-000001")
    assert verify(SECRET, "NB-2026-000001", token)
    assert not verify(SECRET, "NB-2026-000002", token)
    assert not verify("t" * 40, "NB-2026-000001", token)
    assert unsubscribe_url("https://a.example/", SECRET, "NB-2026-000001") == (
        f"https://a.example/open311/v2/notifications/unsubscribe?ref=NB-2026-000001&token={token}"
    )


def test_notifications_are_off_unless_a_provider_is_named():
    assert NotifySettings.from_env({}).provider == "none"
    assert NotifySettings.from_env(SMTP_ENV).smtp_port == 25


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"NOTIFY_PROVIDER": "pigeon"}, "NOTIFY_PROVIDER"),
        ({"NOTIFY_PUBLIC_URL": ""}, "NOTIFY_PUBLIC_URL"),
        ({"NOTIFY_PUBLIC_URL": "chat.example"}, "NOTIFY_PUBLIC_URL"),
        ({"NOTIFY_SECRET": "short"}, "NOTIFY_SECRET"),
        ({"SMTP_HOST": ""}, "SMTP_HOST"),
        ({"SMTP_PORT": "x"}, "SMTP_PORT"),
        ({"SMTP_USER": "me"}, "SMTP_USER"),
        ({"SMTP_STARTTLS": "yes"}, "SMTP_STARTTLS"),
        ({"MAIL_FROM": "nobody"}, "MAIL_FROM"),
        ({"NOTIFY_MAX_ATTEMPTS": "0"}, "NOTIFY_MAX_ATTEMPTS"),
        ({"NOTIFY_PROVIDER": "govuk_notify"}, "NOTIFY_API_KEY"),
        ({"NOTIFY_PROVIDER": "govuk_notify", "NOTIFY_API_KEY": "k" * 80}, "NOTIFY_EMAIL_TEMPLATE_ID"),
    ],
)
def test_a_wrong_notification_setting_stops_start_up_naming_it(change, named):
    with pytest.raises(NotifySettingsError, match=named):
        NotifySettings.from_env({**SMTP_ENV, **change})


def test_retries_wait_longer_each_time_up_to_an_hour():
    waits = [outbox.backoff(n, 60).total_seconds() for n in (1, 2, 3, 10)]
    assert waits == [60, 120, 240, 3600]


def test_email_goes_to_the_email_and_a_text_only_where_no_email_was_given():
    assert outbox.channel_for("a@b.example", "07700900123") == ("email", "a@b.example")
    assert outbox.channel_for(None, "07700900123") == ("sms", "07700900123")
    assert outbox.channel_for(None, None) is None


def claimed(**overrides):
    row = {
        "id": 7,
        "request_id": "NB-2026-000001",
        "channel": "email",
        "address": "a@b.example",
        "old_status": "OPEN",
        "new_status": "FIXED",
        "notes": None,
        "attempts": 1,
        "service_name": "Pothole",
        "first_name": None,
        "closed": None,
        "unsubscribed": False,
    }
    row.update(overrides)
    return outbox.Claimed(**row)


class EmailOnly:
    name = "test"

    def sends(self, channel):
        return channel == "email"


@pytest.mark.parametrize(
    ("row", "ending"),
    [
        (claimed(), None),
        (claimed(unsubscribed=True), "unsubscribed"),
        (claimed(address=None), "expired"),
        (claimed(closed=(NOW - dt.timedelta(days=91)).isoformat()), "expired"),
        (claimed(closed=(NOW - dt.timedelta(days=89)).isoformat()), None),
        (claimed(channel="sms", address="07700900123"), "skipped"),
    ],
)
def test_nothing_is_sent_unsubscribed_past_retention_or_without_a_provider_for_the_channel(row, ending):
    assert verdict(row, NOW, 90, EmailOnly()) == ending


def test_with_no_provider_every_change_is_skipped():
    assert verdict(claimed(), NOW, 90, NoProvider()) == "skipped"


def test_an_email_carries_a_stable_message_id_and_a_list_unsubscribe_header():
    settings = NotifySettings.from_env({**SMTP_ENV, "MAIL_REPLY_TO": "highways@northbridge.example"})
    message: Outgoing = message_for(claimed(), settings)
    mail = email_message(settings, message)
    assert mail["Message-ID"] == "<frontdesk-7@northbridge.example>"
    assert mail["List-Unsubscribe"].startswith(
        "<https://chat.northbridge.example/open311/v2/notifications/unsubscribe?"
    )
    assert mail["Reply-To"] == "highways@northbridge.example"
    assert "Reply to this email" in mail.get_content()


def test_secrets_never_show_in_the_settings_printed_form():
    env = {**SMTP_ENV, "SMTP_USER": "relay-user", "SMTP_PASSWORD": "hunter2-relay-password"}
    shown = repr(NotifySettings.from_env(env))
    assert SECRET not in shown and "hunter2-relay-password" not in shown and "relay-user" in shown
