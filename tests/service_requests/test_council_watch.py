"""The watch list's pure decisions and its SQLite rules (no servers)."""

import datetime as dt

import pytest

from service_requests.notifications import watch
from service_requests.notifications.poller import seen_in
from service_requests.notifications.watch import CouncilSettings, CouncilSettingsError, Seen, Watch

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.timezone.utc)
KEY = "watch-key-0123456789"


def test_council_mode_is_off_without_a_watch_key():
    assert CouncilSettings.from_env({"OPEN311_URL": "https://crm.example.gov.uk/open311/"}) is None


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"NOTIFY_WATCH_KEY": "short"}, "NOTIFY_WATCH_KEY"),
        ({"NOTIFY_WATCH_KEY": KEY}, "OPEN311_URL"),
        (
            {"NOTIFY_WATCH_KEY": KEY, "OPEN311_URL": "https://c/", "NOTIFY_COUNCIL_POLL_SECONDS": "soon"},
            "NOTIFY_COUNCIL_POLL_SECONDS",
        ),
        (
            {"NOTIFY_WATCH_KEY": KEY, "OPEN311_URL": "https://c/", "OPEN311_CONTACT_RETENTION_DAYS": "0"},
            "OPEN311_CONTACT_RETENTION_DAYS",
        ),
    ],
)
def test_a_wrong_council_setting_stops_start_up_naming_the_variable(env, named):
    with pytest.raises(CouncilSettingsError, match=named):
        CouncilSettings.from_env(env)


def test_council_settings_default_to_a_five_minute_poll_and_a_url_ending_in_a_slash():
    settings = CouncilSettings.from_env({"NOTIFY_WATCH_KEY": KEY, "OPEN311_URL": "https://crm.example.gov.uk/open311"})
    assert settings is not None
    assert settings.poll_seconds == 300 and settings.open311_url.endswith("/open311/")


def test_a_registration_needs_one_reference_and_an_email_or_phone():
    with pytest.raises(ValueError, match="email or phone"):
        watch.parse({"service_request_id": "NB-1"})
    with pytest.raises(ValueError, match="one reference"):
        watch.parse({"service_request_id": "NB-1,NB-2", "email": "a@b.uk"})
    assert watch.parse({"service_request_id": "NB-1", "phone": "07700 900123"}).status == "OPEN"


def test_only_a_different_status_of_a_watched_case_is_a_change():
    known = {"NB-1": "OPEN", "NB-2": "OPEN"}
    seen = {"NB-1": Seen("OPEN"), "NB-2": Seen("FIXED"), "NB-9": Seen("FIXED"), "NB-3": Seen("")}
    assert watch.changes(known, seen) == {"NB-2": Seen("FIXED")}


def test_a_council_answer_is_read_by_extended_status_else_status():
    body = [
        {"service_request_id": "A", "status": "closed", "extended_status": "fixed", "service_name": "Pothole"},
        {"service_request_id": "B", "status": "open"},
        {"status": "open"},
        "junk",
    ]
    assert seen_in(body) == {"A": Seen("FIXED", None, "Pothole", closed=True), "B": Seen("OPEN")}


def test_a_change_is_queued_once_and_the_row_goes_after_retention(tmp_path):
    db = watch.opener(tmp_path / "w.sqlite3")()
    watch.add(db, Watch("NB-1", "Pothole", "OPEN", email="sam@example.org"), NOW)
    assert not watch.add(db, Watch("NB-1", "Pothole", "OPEN", email="sam@example.org"), NOW)
    assert watch.record(db, "NB-1", Seen("FIXED", closed=True), NOW)
    assert not watch.record(db, "NB-1", Seen("FIXED", closed=True), NOW)
    assert db.execute("SELECT COUNT(*) FROM notification_outbox").fetchone()[0] == 1
    assert watch.purge(db, NOW - dt.timedelta(days=1)) == 0
    assert watch.purge(db, NOW + dt.timedelta(seconds=1)) == 1
    assert watch.watched(db) == {}
    assert db.execute("SELECT COUNT(*) FROM notification_outbox").fetchone()[0] == 0  # its update went too


def test_an_open_case_is_kept_while_the_council_returns_it_and_forgotten_when_it_stops(tmp_path):
    db = watch.opener(tmp_path / "w.sqlite3")()
    watch.add(db, Watch("NB-1", "Pothole", "OPEN", phone="07700 900123"), NOW)
    watch.record(db, "NB-1", Seen("IN_PROGRESS"), NOW)
    a_year_on = NOW + dt.timedelta(days=365)
    watch.first_seen(db, {"NB-1": Seen("IN_PROGRESS")}, a_year_on)  # still returned by a poll a year on
    assert watch.purge(db, a_year_on - dt.timedelta(days=90)) == 0
    assert watch.watched(db) == {"NB-1": "IN_PROGRESS"}
    assert watch.purge(db, a_year_on + dt.timedelta(seconds=1)) == 1  # not returned since the cut-off


def test_the_first_status_seen_is_where_a_case_starts_and_queues_nothing(tmp_path):
    db = watch.opener(tmp_path / "w.sqlite3")()
    watch.add(db, Watch("NB-1", "Pothole", "OPEN", email="sam@example.org"), NOW)
    assert watch.first_seen(db, {"NB-1": Seen("RECEIVED"), "NB-9": Seen("FIXED")}, NOW) == {"NB-1"}
    assert watch.first_seen(db, {"NB-1": Seen("RECEIVED")}, NOW) == set()  # seen before: not first
    assert watch.watched(db) == {"NB-1": "RECEIVED"}
    assert db.execute("SELECT COUNT(*) FROM notification_outbox").fetchone()[0] == 0


def test_only_one_poller_holds_the_lease_until_it_runs_out(tmp_path):
    db = watch.opener(tmp_path / "w.sqlite3")()
    lease = dt.timedelta(seconds=60)
    assert watch.claim_lease(db, "a", NOW, lease)
    assert not watch.claim_lease(db, "b", NOW + dt.timedelta(seconds=59), lease)
    assert watch.claim_lease(db, "a", NOW + dt.timedelta(seconds=30), lease)
    assert watch.claim_lease(db, "b", NOW + dt.timedelta(seconds=91), lease)


def test_the_action_server_needs_the_watch_key_with_the_watch_url():
    from actions.settings import Open311Settings, SettingsError

    with pytest.raises(SettingsError, match="NOTIFY_WATCH_KEY"):
        Open311Settings.from_env({"NOTIFY_WATCH_URL": "http://127.0.0.1:8080/notifications/v1/watch"})
    settings = Open311Settings.from_env(
        {"NOTIFY_WATCH_URL": "http://127.0.0.1:8080/notifications/v1/watch", "NOTIFY_WATCH_KEY": KEY}
    )
    assert settings.watch_key == KEY and KEY not in repr(settings)
