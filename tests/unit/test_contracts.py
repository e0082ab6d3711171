"""Examples in contracts/ are valid against their schemas."""

import json
from pathlib import Path

import jsonschema
import pytest

CONTRACTS = Path(__file__).resolve().parents[2] / "contracts"


@pytest.mark.parametrize("name", ["bot_route", "bot_handoff", "bot_case"])
def test_example_is_valid_against_its_schema(name):
    schema = json.loads((CONTRACTS / "schemas" / f"{name}.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(json.loads((CONTRACTS / "examples" / f"{name}.json").read_text()), schema)


def test_a_route_outside_the_list_is_rejected():
    schema = json.loads((CONTRACTS / "schemas" / "bot_route.schema.json").read_text())
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"route": {"name": "faq:Bad Id", "intent": "x", "confidence": 0.5}}, schema)
