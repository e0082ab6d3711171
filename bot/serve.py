"""Run the Rasa CLI with one performance fix: action-server responses are validated with a
JSON Schema validator compiled once, instead of once per action call.

Rasa 3.6's ``RemoteAction._validate_action_result`` calls ``jsonschema.validate``, which
re-checks the (large) events schema against its metaschema on every call: about 70 ms per
custom action on this machine, most of the time a reply takes. The same schema still
validates every response; only the repeated compilation is gone. Measured in
benchmarks/README.md.

Usage: ``python -m bot.serve run --model ...`` (any ``rasa`` command line).
"""

from __future__ import annotations

import functools
import sys
from typing import Any

import jsonschema
from jsonschema.exceptions import best_match
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL


@functools.lru_cache(maxsize=1)
def _response_validator() -> jsonschema.protocols.Validator:
    schema = RemoteAction.action_response_format_spec()
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    """Drop-in for ``RemoteAction._validate_action_result`` with the same errors."""
    error = best_match(_response_validator().iter_errors(result))
    if error is not None:
        error.message += (
            ". Failed to validate Action server response from API, make sure your response from the "
            f"Action endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise error
    return True


def apply() -> None:
    RemoteAction._validate_action_result = validate_action_result


if __name__ == "__main__":
    apply()
    from rasa.__main__ import main

    sys.exit(main())
