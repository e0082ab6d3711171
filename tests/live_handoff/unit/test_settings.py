"""The staff doors' settings: read once, typed, and a mistake names its variable."""

from __future__ import annotations

from ipaddress import ip_network

import pytest

from live_handoff.settings import Settings, SettingsError, parse_address


def test_by_default_metrics_have_no_address_or_token_and_no_proxy_is_trusted():
    settings = Settings.from_env({})
    assert settings.metrics_address is None and settings.metrics_token == ""
    assert settings.trusted_proxies == () and settings.secure_cookies is False


def test_the_metrics_address_token_and_trusted_proxies_are_read():
    settings = Settings.from_env(
        {
            "RELAY_METRICS_ADDRESS": "127.0.0.1:9464",
            "RELAY_METRICS_TOKEN": "abcdefghijklmnop-0123",
            "RELAY_TRUSTED_PROXIES": "10.0.0.0/8, 2001:db8::1",
            "RELAY_SECURE_COOKIES": "1",
        }
    )
    assert settings.metrics_address == ("127.0.0.1", 9464)
    assert settings.metrics_token == "abcdefghijklmnop-0123"
    assert settings.trusted_proxies == (ip_network("10.0.0.0/8"), ip_network("2001:db8::1/128"))
    assert settings.secure_cookies is True


@pytest.mark.parametrize(
    ("text", "expected"),
    [("127.0.0.1:9464", ("127.0.0.1", 9464)), ("[::1]:9464", ("::1", 9464)), ("localhost:1", ("localhost", 1))],
)
def test_addresses_are_host_and_port(text, expected):
    assert parse_address(text) == expected


@pytest.mark.parametrize("text", ["9464", ":9464", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:70000", "::1:9464", "[::1]"])
def test_a_malformed_address_is_refused(text):
    with pytest.raises(ValueError):
        parse_address(text)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("RELAY_METRICS_ADDRESS", "9464"),
        ("RELAY_METRICS_TOKEN", "short"),
        ("RELAY_METRICS_TOKEN", "has a space in it somewhere"),
        ("RELAY_TRUSTED_PROXIES", "10.0.0.0/8, proxy.internal"),
    ],
)
def test_a_malformed_setting_stops_start_up_naming_the_variable(name, value):
    with pytest.raises(SettingsError, match=f"^{name}:"):
        Settings.from_env({name: value})


def test_the_privacy_notice_address_is_read_and_must_be_a_web_address():
    url = "https://www.northbridge.example/privacy/web-chat"
    assert Settings.from_env({"RELAY_PRIVACY_NOTICE_URL": url}).privacy_notice_url == url
    assert Settings.from_env({}).privacy_notice_url == ""
    with pytest.raises(SettingsError, match="RELAY_PRIVACY_NOTICE_URL"):
        Settings.from_env({"RELAY_PRIVACY_NOTICE_URL": "javascript:alert(1)"})
