"""GeoReport v2 XML: what the service writes reads back as the JSON it stands for. Pure."""

import pytest

from contracts import open311_xml

SERVICES = [
    {
        "service_code": "pothole",
        "service_name": "Pothole",
        "description": "A hole in the road",
        "metadata": True,
        "type": "realtime",
        "keywords": "road,hole",
        "group": "Roads",
    }
]
DEFINITION = {
    "service_code": "pothole",
    "attributes": [
        {
            "variable": True,
            "code": "size",
            "datatype": "singlevaluelist",
            "required": False,
            "order": 1,
            "description": "How big?",
            "values": [{"key": "small", "name": "Small"}, {"key": "large", "name": "Large"}],
        }
    ],
}
REQUESTS = [
    {
        "service_request_id": "NB-2026-000001",
        "status": "open",
        "description": "Hole & <crack>",
        "lat": 53.7456,
        "long": -2.4871,
        "attributes": {"size": "large", "surface": "road"},
    }
]


@pytest.mark.parametrize(
    "kind, data",
    [
        ("services", SERVICES),
        ("service_definition", DEFINITION),
        ("requests", REQUESTS),
        ("errors", [{"code": 404, "description": "not found"}]),
        ("updates", [{"update_id": "7", "service_request_id": "NB-2026-000001", "status": "FIXED"}]),
        ("discovery", {"changeset": "x", "endpoints": [{"url": "u", "formats": ["application/json", "text/xml"]}]}),
    ],
)
def test_every_kind_of_answer_reads_back_as_the_json_it_was_made_from(kind, data):
    assert open311_xml.parse(open311_xml.render(kind, data)) == data


def test_the_root_and_item_elements_are_the_ones_the_standard_names():
    assert open311_xml.render("requests", [{"service_request_id": "NB-1"}]).endswith(
        b"<service_requests><request><service_request_id>NB-1</service_request_id></request></service_requests>"
    )
    assert b"<attributes><attribute><code>size</code><value>large</value></attribute>" in open311_xml.render(
        "requests", REQUESTS
    )
    assert b"<description>Hole &amp; &lt;crack&gt;</description>" in open311_xml.render("requests", REQUESTS)


def test_an_attribute_code_made_of_digits_stays_text_and_an_error_code_is_a_number():
    data = {"service_code": "7", "attributes": [{"code": "123", "order": 2, "required": True}]}
    assert open311_xml.parse(open311_xml.render("service_definition", data)) == data
    assert open311_xml.parse(b"<errors><error><code>400</code></error></errors>") == [{"code": 400}]


def test_characters_xml_cannot_hold_become_replacement_characters_not_a_broken_document():
    document = open311_xml.render("errors", [{"code": 400, "description": "a\uffffb\x01c"}])
    assert open311_xml.parse(document) == [{"code": 400, "description": "a\ufffdb\ufffdc"}]


@pytest.mark.parametrize(
    "document",
    [
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><errors>&b;</errors>',
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><errors>&e;</errors>',
        b"<errors><error>",
        b"not xml at all",
    ],
)
def test_bombs_external_entities_and_broken_documents_are_refused(document):
    with pytest.raises(open311_xml.Open311XmlError):
        open311_xml.parse(document)


def test_open311_format_is_read_from_the_environment_and_checked():
    assert open311_xml.setting({}) == "json"
    assert open311_xml.path_in("services/pothole.json", "xml") == "services/pothole.xml"
    with pytest.raises(ValueError, match="OPEN311_FORMAT: 'yaml' must be one of: json, xml"):
        open311_xml.setting({"OPEN311_FORMAT": "yaml"})
