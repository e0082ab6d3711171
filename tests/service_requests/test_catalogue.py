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
{public}{extra}    attributes:
      - {{code: conversation_id, description: Conversation, datatype: string, required: false}}
"""


def write(tmp_path, extra="", public="    public: false\n"):
    path = tmp_path / "services.yml"
    path.write_text(SERVICE.format(extra=extra, public=public), encoding="utf-8")
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


def test_only_the_contact_centre_message_is_private_in_the_shipped_catalogue():
    services = load_catalogue(PACKAGE_DIR / "services.yml")
    assert [code for code, s in services.items() if not s.public] == ["contact_centre_message"]


def test_answers_that_point_at_a_person_or_a_conversation_are_marked_private():
    services = load_catalogue(PACKAGE_DIR / "services.yml")
    private = sorted(f"{code}.{a.code}" for code, s in services.items() for a in s.attributes if not a.public)
    assert private == ["abandoned_vehicle.registration", "contact_centre_message.conversation_id"]


def test_a_council_can_mark_any_service_private_and_public_never_reaches_the_open311_json(tmp_path):
    assert load_catalogue(write(tmp_path, public="    public: true\n"))["contact_centre_message"].public is True
    service = load_catalogue(write(tmp_path, public="    public: false\n"))["contact_centre_message"]
    assert service.public is False
    assert "public" not in service.as_open311()
    assert all("public" not in a for a in service.definition()["attributes"])


def test_a_service_that_does_not_say_whether_it_is_public_is_rejected_naming_it(tmp_path):
    with pytest.raises(CatalogueError) as error:
        load_catalogue(write(tmp_path, public=""))
    assert str(error.value).startswith(
        "services.yml: services[0] (contact_centre_message): public is missing: say `public: true`"
    )


@pytest.mark.parametrize("value", ['"true"', "yes_please", "1", "", "[true]"])
def test_a_public_that_is_not_a_boolean_is_rejected_naming_the_service(tmp_path, value):
    with pytest.raises(CatalogueError) as error:
        load_catalogue(write(tmp_path, public=f"    public: {value}\n"))
    assert str(error.value).startswith(
        "services.yml: services[0] (contact_centre_message): public must be true or false, got "
    )


def test_an_attribute_public_that_is_not_a_boolean_is_rejected_clearly(tmp_path):
    path = tmp_path / "services.yml"
    path.write_text(
        SERVICE.format(public="    public: true\n", extra="").replace(
            "required: false}", "required: false, public: maybe}"
        ),
        encoding="utf-8",
    )
    with pytest.raises(CatalogueError) as error:
        load_catalogue(path)
    assert str(error.value) == (
        "services.yml: services[0]: attribute conversation_id: public must be true or false, got 'maybe'"
    )


def test_a_service_built_in_code_without_saying_is_private():
    from service_requests.catalogue import Service

    service = Service("x", "X", "", "", (), "", 1, "", ())
    assert service.public is False
