"""A shared location: checks on the wire shape, the words the bot uses, and the report form."""

from __future__ import annotations

import json
import math

import jsonschema
import pytest

from actions.reports import flow
from actions.reports import location as shared
from contracts.location import (
    COUNCIL_AREA,
    LOCATION_PAYLOAD,
    Location,
    LocationError,
    accuracy_in_words,
    map_url,
    parse_location,
)
from live_handoff.protocol import CONTRACTS, parse

INSIDE = {"lat": 52.4521, "long": -1.5012, "accuracy": 20}
EXAMPLE = (CONTRACTS.parent / "examples" / "relay" / "resident_client.message_location.json").read_text()


def test_a_point_in_the_council_area_is_taken_with_its_accuracy():
    assert parse_location(INSIDE) == Location(52.4521, -1.5012, 20.0)


def test_a_point_just_outside_the_box_still_counts_as_near():
    assert parse_location({**INSIDE, "lat": COUNCIL_AREA.north + 0.03}).lat == pytest.approx(52.63)


@pytest.mark.parametrize(
    "raw",
    [
        None,
        [52.4, -1.5],
        {"lat": "52.4", "long": -1.5, "accuracy": 20},
        {"lat": True, "long": -1.5, "accuracy": 20},
        {"lat": math.nan, "long": -1.5, "accuracy": 20},
        {"lat": 91, "long": -1.5, "accuracy": 20},
        {"lat": 52.4, "long": -181, "accuracy": 20},
        {"lat": 52.4, "long": -1.5, "accuracy": -1},
        {"lat": 52.4, "long": -1.5},
    ],
)
def test_anything_but_numbers_in_range_is_refused_as_invalid(raw):
    with pytest.raises(LocationError) as refused:
        parse_location(raw)
    assert refused.value.kind == "invalid"


def test_a_point_far_from_the_council_is_refused_as_outside():
    with pytest.raises(LocationError) as refused:
        parse_location({"lat": 51.5007, "long": -0.1246, "accuracy": 15})  # Westminster
    assert refused.value.kind == "outside"


def test_a_position_known_only_to_a_kilometre_is_refused_as_imprecise():
    with pytest.raises(LocationError) as refused:
        parse_location({**INSIDE, "accuracy": 1200})
    assert refused.value.kind == "imprecise"


@pytest.mark.parametrize(
    "metres, words",
    [(3, "about 10 m"), (19.6, "about 20 m"), (152, "about 150 m"), (1540, "about 1.5 km")],
)
def test_accuracy_is_said_as_a_person_would_say_it(metres, words):
    assert accuracy_in_words(metres) == words


def test_the_map_link_is_openstreetmap_with_a_marker_at_the_point():
    assert map_url(52.4521, -1.5012) == (
        "https://www.openstreetmap.org/?mlat=52.45210&mlon=-1.50120#map=18/52.45210/-1.50120"
    )


def test_the_bot_confirms_in_words_not_numbers_alone():
    said = shared.confirmation(Location(52.4521, -1.5012, 19.6))
    assert said.startswith("I'll use your current location (accuracy about 20 m).")
    assert "openstreetmap.org" in said


@pytest.mark.parametrize(
    "metadata, words",
    [
        ({}, "couldn't get a location"),
        ({"location": {"lat": 51.5007, "long": -0.1246, "accuracy": 15}}, "outside Northbridge"),
        ({"location": {**INSIDE, "accuracy": 2000}}, "within about 2.0 km"),
        ({"location": {"lat": "x"}}, "couldn't get a location"),
    ],
)
def test_a_location_that_cannot_be_used_is_explained_and_a_street_asked_for(metadata, words):
    found, problem = shared.read_location({"text": LOCATION_PAYLOAD, "metadata": metadata})
    assert found is None and words in problem and "type the street" in problem


def test_the_button_message_is_recognised_with_or_without_a_position():
    assert shared.is_location_message({"text": "Use my location"})
    assert shared.is_location_message({"text": "anything", "metadata": {"location": INSIDE}})
    assert not shared.is_location_message({"text": "outside the library", "metadata": {"channel": "web"}})


def slots_with_location(where: str) -> dict:
    answers = shared.with_location({"report_answers": {"surface": "road"}}, Location(52.4521, -1.5012, 20))
    return {
        "report_postcode": flow.POSTCODE_NOT_KNOWN,
        "report_location": where,
        "report_description": "deep pothole",
        "report_answers": answers,
        "report_contact": flow.NO_CONTACT,
    }


def test_a_report_by_location_alone_sends_lat_and_long_and_no_address():
    form = flow.submission("pothole", slots_with_location(shared.LOCATION_ONLY))
    assert form["lat"] == "52.452100" and form["long"] == "-1.501200"
    assert "address_string" not in form and "zipcode" not in form
    assert "attribute[_location]" not in form and form["attribute[surface]"] == "road"


def test_a_landmark_typed_as_well_goes_as_the_address():
    form = flow.submission("pothole", slots_with_location("outside the library"))
    assert form["address_string"] == "outside the library" and "lat" in form


def test_the_summary_says_where_in_words_with_a_map_link():
    lines = flow.summary_lines("Pothole", slots_with_location(shared.LOCATION_ONLY), {"attributes": []})
    assert "- **Map location**: Your current location (accuracy about 20 m), [see map](" in "\n".join(lines)
    assert not any(line.startswith("- **Where**") for line in lines)


def test_the_summary_keeps_a_typed_street_beside_the_location():
    lines = flow.summary_lines("Pothole", slots_with_location("Mill Lane"), {"attributes": []})
    assert lines[2] == "- **Where**: Mill Lane" and lines[3].startswith("- **Map location**")


def test_a_report_without_a_location_is_unchanged():
    slots = {**slots_with_location("Mill Lane"), "report_answers": {"surface": "road"}}
    assert "lat" not in flow.submission("pothole", slots)
    assert shared.summary_line(slots) is None


def test_the_widgets_frame_passes_the_relays_parser_and_a_bad_position_does_not():
    assert parse(EXAMPLE, "resident_client", 2000)["location"] == {"lat": 52.4521, "long": -1.5012, "accuracy": 20}
    frame = json.loads(EXAMPLE)
    for bad in ({**INSIDE, "lat": 120}, {**INSIDE, "long": "east"}, {"lat": 52.4}, {**INSIDE, "extra": 1}):
        with pytest.raises(Exception) as refused:
            parse(json.dumps({**frame, "location": bad}), "resident_client", 2000)
        assert getattr(refused.value, "code", "") == "invalid"


def test_what_the_actions_keep_is_valid_against_the_contract():
    schema = json.loads((CONTRACTS.parent / "schemas" / "bot_metadata.schema.json").read_text())
    kept = Location(52.4521, -1.5012, 20).as_metadata()
    jsonschema.validate({"channel": "web", "page_url": "https://x.example/", "location": kept}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"channel": "web", "location": {"lat": 52.4}}, schema)


def test_the_metadata_example_is_valid_against_its_schema():
    schema = json.loads((CONTRACTS.parent / "schemas" / "bot_metadata.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(json.loads((CONTRACTS.parent / "examples" / "bot_metadata.json").read_text()), schema)


@pytest.mark.parametrize(
    "text, masked",
    [
        ("I'm at 52.4521, -1.5012 by the gate", "I'm at [location] by the gate"),
        ("see https://www.openstreetmap.org/?mlat=52.45210&mlon=-1.50120#map=18/52.45210/-1.50120", "see [location]"),
        ("https://www.google.com/maps/@52.4521,-1.5012,17z", "[location]"),
        ("it cost 1.50, 2.75 and pi is 3.14159", "it cost 1.50, 2.75 and pi is 3.14159"),
    ],
)
def test_positions_in_text_are_masked_like_an_address(text, masked):
    from contracts.masking import mask

    assert mask(text) == masked


def test_the_bots_confirmation_keeps_its_words_when_masked_for_the_logs():
    from contracts.masking import mask

    assert mask(shared.confirmation(Location(52.4521, -1.5012, 20))) == (
        "I'll use your current location (accuracy about 20 m). You can [check it on a map]([location])."
    )


def test_switching_to_another_kind_of_report_keeps_the_shared_position_with_the_place():
    from rasa_sdk import Tracker

    from actions.reports.actions import switch_report

    slots = {**slots_with_location(shared.LOCATION_ONLY), "report_service": "pothole"}
    tracker = Tracker("c1", slots, {}, [], False, None, {}, "action_listen")
    events = {e["name"]: e["value"] for e in switch_report(tracker, "fly_tipping") if e.get("event") == "slot"}
    assert events["report_service"] == "fly_tipping"
    assert events["report_location"] == shared.LOCATION_ONLY
    assert events["report_answers"] == {shared.KEY: {"lat": 52.4521, "long": -1.5012, "accuracy": 20.0}}
