"""The photo settings: read once with the relay's, typed, and a mistake names its variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from live_handoff.photos.settings import DEFAULT_DIR
from live_handoff.settings import Settings, SettingsError


def test_by_default_photos_are_10_mb_40_megapixels_3_a_report_kept_in_var():
    photos = Settings.from_env({}).photos
    assert photos.directory == DEFAULT_DIR and DEFAULT_DIR.parts[-2:] == ("var", "photos")
    assert (photos.limits.max_bytes, photos.limits.max_pixels, photos.limits.max_side) == (10_485_760, 40_000_000, 2048)
    assert (photos.per_report, photos.pending_minutes, photos.public_url) == (3, 60.0, "")


def test_the_photo_settings_are_read_from_the_environment():
    photos = Settings.from_env(
        {
            "PHOTOS_DIR": "/srv/photos",
            "PHOTOS_MAX_MB": "2.5",
            "PHOTOS_MAX_MEGAPIXELS": "12",
            "PHOTOS_MAX_SIDE": "1600",
            "PHOTOS_PER_REPORT": "5",
            "PHOTOS_PENDING_MINUTES": "15",
            "PHOTOS_PUBLIC_URL": "https://chat.northbridge.example/",
        }
    ).photos
    assert photos.directory == Path("/srv/photos")
    assert (photos.limits.max_bytes, photos.limits.max_pixels, photos.limits.max_side) == (2_621_440, 12_000_000, 1600)
    assert (photos.per_report, photos.pending_minutes) == (5, 15.0)
    assert photos.public_url == "https://chat.northbridge.example"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PHOTOS_MAX_MB", "0"),
        ("PHOTOS_MAX_MB", "ten"),
        ("PHOTOS_MAX_MEGAPIXELS", "500"),
        ("PHOTOS_MAX_SIDE", "100"),
        ("PHOTOS_PER_REPORT", "0"),
        ("PHOTOS_PENDING_MINUTES", "0.5"),
        ("PHOTOS_PUBLIC_URL", "chat.northbridge.example"),
    ],
)
def test_a_malformed_photo_setting_stops_start_up_naming_the_variable(name, value):
    with pytest.raises(SettingsError, match=f"^{name}: "):
        Settings.from_env({name: value})
