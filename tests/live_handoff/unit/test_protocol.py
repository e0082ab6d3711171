"""The relay's contract: every frame type has a valid example, and parsing gives clear errors."""

from __future__ import annotations

import json

import pytest

from live_handoff.protocol import CONTRACTS, FrameError, check_outgoing, decode, frame_types, parse

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


@pytest.mark.parametrize(
    "raw, code, said",
    [
        ("[" * 5000, "bad_json", "nested more than"),
        ('{"a":' * 5000, "bad_json", "nested more than"),
        ('{"type": "message", "client_id": "m1", "text": ' + "[" * 20 + "]" * 20 + "}", "bad_json", "nested"),
        ('{"type": "rating", "score": NaN}', "bad_json", "NaN is not a JSON number"),
        ('{"type": "rating", "score": -Infinity}', "bad_json", "-Infinity is not a JSON number"),
        ('{"type": "rating", "score": 1e400}', "bad_json", "too large"),
        ('{"type": "rating", "score": ' + "9" * 5000 + "}", "bad_json", "more than 30 digits"),
        ('{"type": "ping", "type": "ping"}', "bad_json", "'type' appears twice"),
        ("[]", "bad_json", "JSON object"),
        ('"hello"', "bad_json", "JSON object"),
        ('{"type": "rating", "score": true}', "invalid", "score"),
        ('{"type": "rating", "score": 4.5}', "invalid", "score"),
        (
            '{"type": "message", "client_id": "m1", "text": "\\ud800"}',
            "invalid",
            "Your message has a character we cannot read",
        ),
        ('{"type": "message", "client_id": "m1", "text": "ok", "\\udc00": 1}', "invalid", "a key"),
        (
            '{"type": "leave_message", "client_id": "m1", "text": "hi", "email": "a@b.zz", "name": "\\udfff"}',
            "invalid",
            "Your name has a character we cannot read",
        ),
    ],
)
def test_json_nothing_downstream_can_use_is_refused_with_a_message_saying_why(raw, code, said):
    with pytest.raises(FrameError) as caught:
        parse(raw, "resident_client", 2000)
    assert caught.value.code == code and said in caught.value.message, caught.value.message


def test_a_refused_surrogate_names_the_message_so_the_widget_can_mark_it_unsent():
    with pytest.raises(FrameError) as caught:
        parse('{"type": "message", "client_id": "m9", "text": "half an emoji \\ud83d"}', "resident_client", 2000)
    assert caught.value.client_id == "m9"
    assert caught.value.frame()["field"] == "text"


def test_a_client_id_holding_a_surrogate_is_not_echoed_back():
    with pytest.raises(FrameError) as caught:
        parse('{"type": "message", "client_id": "\\ud800", "text": "\\ud800"}', "resident_client", 2000)
    assert caught.value.client_id is None
    json.dumps(caught.value.frame(), ensure_ascii=False).encode("utf-8")  # can be sent


@pytest.mark.parametrize("written", ["5", "5.0", "5e0", "0.5e1", "5.000"])
def test_a_score_written_as_a_float_with_no_fraction_is_the_integer(written):
    frame = parse('{"type": "rating", "score": ' + written + "}", "resident_client", 2000)
    assert frame["score"] == 5 and type(frame["score"]) is int


def test_a_surrogate_pair_is_one_good_character():
    frame = parse('{"type": "message", "client_id": "m1", "text": "\\ud83d\\ude00"}', "resident_client", 2000)
    assert frame["text"] == "\U0001f600"


def test_an_error_quoting_a_long_value_stays_short():
    with pytest.raises(FrameError) as caught:
        parse('{"type": "rating", "score": "' + "x" * 5000 + '"}', "resident_client", 2000)
    assert len(caught.value.message) < 300


@pytest.mark.parametrize(
    "raw", ["[" * 5000, '{"u": "\\ud800"}', '{"u": NaN}', '{"u": 1, "u": 2}', "\x00", '{"u": 1e999}']
)
def test_decode_refuses_for_http_bodies_what_parse_refuses_for_frames(raw):
    with pytest.raises(FrameError):
        decode(raw)


def test_schemas_say_integer_for_every_whole_number_clients_send():
    # The only number a client sends is a rating's score; JSON Schema counts 5.0 as an
    # integer and the parser makes it one, so the schema and Python agree.
    schema = json.loads((CONTRACTS / "resident_client.schema.json").read_text())
    assert schema["$defs"]["rating"]["properties"]["score"]["type"] == "integer"
    numbers = [
        name
        for file in ("resident_client", "advisor_client")
        for name, spec in _properties(json.loads((CONTRACTS / f"{file}.schema.json").read_text()))
        if spec.get("type") in ("number", "integer")
    ]
    assert numbers == ["score"]


def _properties(schema: dict):
    for definition in schema.get("$defs", {}).values():
        yield from definition.get("properties", {}).items()
