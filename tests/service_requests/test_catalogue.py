"""services.yml as the catalogue loads it: per-service settings and clear errors."""

import pytest

from service_requests.catalogue import CatalogueError, load_catalogue
from service_requests.settings import PACKAGE_DIR

SERVICE = """
services:
  - service_code: contact_centre_message
    service_name: Message for the contact centre
    description: A message left in the web chat.
    group: Contact centre
    agency: Contact Centre
    expected_days: 1
    service_notice: An advisor will reply on the next working day.
{extra}    attributes:
      - {{code: conversation_id, description: Conversation, datatype: string, required: false}}
"""


def write(tmp_path, extra=""):
    path = tmp_path / "services.yml"
    path.write_text(SERVICE.format(extra=extra), encoding="utf-8")
    return path


def test_only_the_contact_centre_message_needs_no_location():
    services = load_catalogue(PACKAGE_DIR / "services.yml")
    assert [code for code, s in services.items() if not s.needs_location] == ["contact_centre_message"]
    assert len(services) == 9


def test_needs_location_is_true_when_left_out_and_never_in_the_open311_json(tmp_path):
    service = load_catalogue(write(tmp_path))["contact_centre_message"]
    assert service.needs_location is True
    assert "needs_location" not in service.as_open311()
    assert "needs_location" not in service.definition()
    assert (
        load_catalogue(write(tmp_path, "    needs_location: false\n"))["contact_centre_message"].needs_location is False
    )


@pytest.mark.parametrize("value", ['"false"', "0", "1", '"no"', "", "[false]"])
def test_a_needs_location_that_is_not_a_boolean_is_rejected_clearly(tmp_path, value):
    path = write(tmp_path, f"    needs_location: {value}\n")
    with pytest.raises(CatalogueError) as error:
        load_catalogue(path)
    assert str(error.value).startswith("services.yml: services[0]: needs_location must be true or false, got ")
