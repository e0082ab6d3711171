"""The relay's contract: every frame type has a valid example, and parsing gives clear errors."""

from __future__ import annotations

import json

import pytest

from live_handoff.protocol import CONTRACTS, FrameError, check_outgoing, frame_types, parse

EXAMPLES = CONTRACTS.parent / "examples" / "relay"
SCHEMAS = ("resident_client", "resident_server", "advisor_client", "advisor_server")


@pytest.mark.parametrize("schema", SCHEMAS)
def test_every_frame_type_has_an_example_that_conforms(schema):
    for kind in frame_types(schema):
        example = json.loads((EXAMPLES / f"{schema}.{kind}.json").read_text())
        assert example["type"] == kind
        assert check_outgoing(example, schema) == [], (schema, kind)


@pytest.mark.parametrize("schema", ["resident_client", "advisor_client"])
def test_client_examples_pass_the_relays_own_parser(schema):
    for kind in frame_types(schema):
        raw = (EXAMPLES / f"{schema}.{kind}.json").read_text()
        assert parse(raw, schema, 2000)["type"] == kind


@pytest.mark.parametrize(
    "raw, code",
    [
        ("{", "bad_json"),
        ("42", "bad_json"),
        ('{"type": 3}', "unknown_type"),
        ('{"type": "message", "client_id": "has space", "text": "x"}', "invalid"),
        ('{"type": "message", "client_id": "a", "text": "   "}', "invalid"),
        ('{"type": "hello", "conversation_id": "c_short", "resume_token": "x"}', "invalid"),
        ('{"type": "leave_message", "client_id": "a", "text": "call me"}', "invalid"),
    ],
)
def test_bad_frames_are_refused_with_the_right_code(raw, code):
    with pytest.raises(FrameError) as caught:
        parse(raw, "resident_client", 2000)
    assert caught.value.code == code and caught.value.message


def test_an_error_names_the_client_id_so_the_widget_knows_which_message_failed():
    with pytest.raises(FrameError) as caught:
        parse('{"type": "message", "client_id": "m7", "text": "' + "x" * 30 + '"}', "resident_client", 20)
    assert caught.value.frame() == {
        "type": "error",
        "code": "too_large",
        "client_id": "m7",
        "message": caught.value.message,
    }
