"""bot.serve validates action-server responses exactly as strictly as Rasa, compiled once."""

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

from bot.serve import validate_action_result

VALID = {"events": [{"event": "slot", "name": "route", "value": "out_of_scope"}], "responses": [{"text": "Hello"}]}


def test_a_valid_response_passes_as_it_does_in_rasa():
    assert validate_action_result(None, VALID) is True
    assert RemoteAction(name="x", action_endpoint=None)._validate_action_result(VALID) is True


@pytest.mark.parametrize(
    "bad", [{"events": "not a list"}, {"events": [{"event": "no_such_event"}]}, {"responses": "nope"}]
)
def test_an_invalid_response_is_rejected_with_rasas_message(bad):
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        validate_action_result(None, bad)
