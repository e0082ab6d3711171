"""The community GeoReport v2 Swagger description (vendored), as response schemas for tests.

Where the description and the GeoReport v2 specification disagree, the specification wins
and this module says so:

- it names one request ``/request/{service_request_id}`` and answers it with one object;
  the specification's path is ``/requests/{service_request_id}`` and its answer a list
  of one, so that answer is checked item by item against the same ``Request``;
- it gives no schema for errors: those are checked against ours only.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema

SWAGGER_FILE = Path(__file__).resolve().parents[2] / "contracts" / "open311" / "vendor" / "georeport-v2.swagger.json"
SWAGGER: dict[str, Any] = json.loads(SWAGGER_FILE.read_text())
_PATHS = SWAGGER["paths"]

# Our schema's kind -> the Swagger response schema for a 200.
RESPONSE_SCHEMAS: dict[str, dict[str, Any]] = {
    "services": _PATHS["/services.{response_format}"]["get"]["responses"]["200"]["schema"],
    "service_definition": _PATHS["/services/{service_code}.{response_format}"]["get"]["responses"]["200"]["schema"],
    "requests": _PATHS["/requests.{response_format}"]["get"]["responses"]["200"]["schema"],
    "request_created": _PATHS["/requests.{response_format}"]["post"]["responses"]["200"]["schema"],
    "token": _PATHS["/tokens/{token_id}.{response_format}"]["get"]["responses"]["200"]["schema"],
}


def swagger_conforms(kind: str, body: Any) -> None:
    """Check ``body`` against the Swagger description's schema for ``kind`` (no-op for errors).

    Raises:
        jsonschema.ValidationError: the body breaks the community description.
    """
    schema = RESPONSE_SCHEMAS.get(kind)
    if schema is None:
        return
    document = {**schema, "definitions": SWAGGER["definitions"]}
    jsonschema.Draft4Validator(document, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER).validate(body)
