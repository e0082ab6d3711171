"""The insight report's settings: read once, failing fast with the variable's name."""

import pytest

from insight.settings import Settings, SettingsError


def test_the_open311_staff_key_is_read_from_either_variable_and_is_optional():
    assert Settings.from_env({}).open311_staff_key == ""
    assert Settings.from_env({"OPEN311_STAFF_KEY": "staff-key-0123456789"}).open311_staff_key == "staff-key-0123456789"
    both = {"OPEN311_STAFF_KEYS": " first-key-0123456789 , second-key-0123456789"}
    assert Settings.from_env(both).open311_staff_key == "first-key-0123456789"


@pytest.mark.parametrize("name", ["OPEN311_STAFF_KEY", "OPEN311_STAFF_KEYS"])
def test_a_staff_key_the_service_would_refuse_stops_the_report_naming_the_variable(name):
    with pytest.raises(SettingsError) as error:
        Settings.from_env({name: "short"})
    assert str(error.value) == f"{name}: the staff key must be at least 16 characters"
