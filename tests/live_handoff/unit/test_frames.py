"""The relay's frame types (live_handoff.frames) mirror contracts/relay/*.schema.json, and
what its builders make is what the contract allows."""

from __future__ import annotations

import json

import pytest

from live_handoff import frames
from live_handoff.protocol import CONTRACTS, check_outgoing


def definition(schema: str, name: str) -> dict:
    """A ``$defs`` entry, following ``$ref``s into common.schema.json."""
    found = json.loads((CONTRACTS / f"{schema}.schema.json").read_text())["$defs"][name]
    while "$ref" in found:
        where, _, pointer = found["$ref"].partition("#/$defs/")
        schema = where.removesuffix(".schema.json") or schema
        found = json.loads((CONTRACTS / f"{schema}.schema.json").read_text())["$defs"][pointer]
    return found


@pytest.mark.parametrize("kind", list(frames.SCHEMAS), ids=lambda k: k.__name__)
def test_each_frame_type_has_exactly_the_contracts_fields(kind):
    schema = definition(*frames.SCHEMAS[kind])
    assert set(kind.__required_keys__) | set(kind.__optional_keys__) == set(schema["properties"])


@pytest.mark.parametrize("kind", list(frames.SCHEMAS), ids=lambda k: k.__name__)
def test_each_frame_type_requires_what_the_contract_requires_but_what_delivery_adds(kind):
    required = set(definition(*frames.SCHEMAS[kind]).get("required", []))
    assert set(kind.__required_keys__) <= required
    assert required - set(kind.__required_keys__) <= frames.DELIVERY_FIELDS


def test_every_frame_the_relay_sends_has_a_type():
    for schema in ("resident_server", "advisor_server"):
        contract = json.loads((CONTRACTS / f"{schema}.schema.json").read_text())
        named = {frames.SCHEMAS[k][1] for k in frames.SCHEMAS if frames.SCHEMAS[k][0] == schema}
        shared = {"message", "status", "ack", "error"}  # the common.schema.json types
        assert set(contract["properties"]["type"]["enum"]) - shared - {"pong"} <= named


@pytest.mark.parametrize("schema", ["resident_server", "advisor_server"])
def test_acks_errors_and_pongs_are_as_the_contract_says(schema):
    cid = "c_" + "a" * 22
    assert check_outgoing(frames.ack("m1"), schema) == []
    assert check_outgoing(frames.ack("m1", "1-0", cid), schema) == []
    assert check_outgoing(frames.error("rate_limited", "Slow down.", "m1"), schema) == []
    assert check_outgoing(frames.pong(), schema) == []


def test_a_logged_message_is_a_contract_message_once_the_log_gives_it_an_id():
    event = frames.message("system", "Hello.", buttons=[{"title": "Talk to an advisor", "action": "request_advisor"}])
    assert check_outgoing({**event, "id": "1-0"}, "resident_server") == []
    advisor = frames.message("advisor", "How can I help?", author="Sam")
    assert check_outgoing({**advisor, "id": "2-0", "conversation_id": "c_" + "b" * 22}, "advisor_server") == []


def test_a_note_is_an_advisor_frame_once_delivered():
    note = frames.note("Sam Patel", "Called back.")
    assert check_outgoing({**note, "id": "3-0", "conversation_id": "c_" + "c" * 22}, "advisor_server") == []


def test_times_are_utc_to_the_second_and_stream_ids_compare_as_numbers():
    assert frames.iso(0) == "1970-01-01T00:00:00+00:00"
    assert frames.later("10-0", "9-5") and frames.later("1-1", "") and not frames.later("1-0", "1-0")
