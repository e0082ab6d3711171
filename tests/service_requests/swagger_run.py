"""A bounded, seeded property-based run of the community GeoReport v2 Swagger description.

What schemathesis does, with what is installed (no schemathesis release fits our pins:
3.19 and older need pytest < 8, 3.20 and newer jsonschema >= 4.18): every operation in the
vendored description, for each ``response_format`` we serve, gets requests generated from
its parameters (values from the description's types and enums, the service's real codes
and references, and hostile strings), sent over HTTP to a running service; each answer must

- not be a server error (5xx),
- have the content type of its format,
- conform: a 2xx to the description's response schema (XML read back with
  ``contracts.open311_xml``), a 4xx to the standard error shape in its format.

Our extensions (the updates extension, discovery), which the description does not name, get
generated requests too, checked for the first two and the error shape.

POSTs carry their fields in the query string as the description says, in a form body as
clients do, or in a broken ``multipart/form-data`` body. Run it alone with
``python -m tests.service_requests.swagger_run URL``.
"""

from __future__ import annotations

import asyncio
import json
import random
import sys
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import jsonschema
from yarl import URL

from contracts import open311_xml
from tests.service_requests.swagger import SWAGGER, swagger_conforms

ERRORS_SCHEMA = json.loads(
    (Path(__file__).resolve().parents[2] / "contracts" / "open311" / "errors.schema.json").read_text()
)
# The description's one-request path is a typo for the specification's (see swagger.py).
PATH_FIXES = {"/request/{service_request_id}.{response_format}": "/requests/{service_request_id}.{response_format}"}
# Which of our schema kinds a 2xx of each operation is.
KINDS = {
    ("get", "/requests.{response_format}"): "requests",
    ("post", "/requests.{response_format}"): "request_created",
    ("get", "/request/{service_request_id}.{response_format}"): "requests",
    ("get", "/services.{response_format}"): "services",
    ("get", "/services/{service_code}.{response_format}"): "service_definition",
    ("get", "/tokens/{token_id}.{response_format}"): "token",
}
NASTY = [
    "",
    " ",
    "0",
    "-1",
    "1e309",
    "NaN",
    "../services",
    "a/b",
    "%00",
    "\x00",
    "\u202e",
    "é" * 40,
    "<b>x</b>",
    "javascript:alert(1)",
    "' OR 1=1 --",
    "🙂",
    "x" * 3000,
    "\ud7ff",
    "a\uffffb\ufffe",
    "2026-13-45T99:99:99Z",
]


@dataclass
class Figures:
    """What a run sent and found, per format."""

    cases: Counter = field(default_factory=Counter)
    statuses: Counter = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)


def _resolve(parameter: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in parameter:
        resolved: dict[str, Any] = SWAGGER["parameters"][parameter["$ref"].rsplit("/", 1)[1]]
        return resolved
    return parameter


class Generator:
    """Values for parameters, from a seeded random source and what the service holds."""

    def __init__(self, rng: random.Random, known: dict[str, list[str]], keys: list[str]):
        self.rng = rng
        self.known = known
        self.keys = keys

    def text(self) -> str:
        rng = self.rng
        choice = rng.random()
        if choice < 0.4:
            return rng.choice(NASTY)
        alphabet = "abcXYZ019 _-.,:/\t\n&<>\"'é€\u00a0"
        return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))

    def value(self, parameter: dict[str, Any]) -> str | list[str]:
        rng = self.rng
        name, kind = parameter["name"], parameter.get("type", "string")
        if name == "jurisdiction_id":
            return "northbridge.example" if rng.random() < 0.8 else self.text()
        if parameter.get("enum") and rng.random() < 0.7:
            return str(rng.choice(parameter["enum"]))
        if name in self.known and rng.random() < 0.7:
            picks = self.known[name]
            return ",".join(rng.sample(picks, rng.randint(1, min(3, len(picks))))) if picks else ""
        if name.endswith("_date") and rng.random() < 0.6:
            return rng.choice(["2026-01-01T00:00:00Z", "2099-12-31T23:59:59+01:00", "2026-11-23", "yesterday"])
        if kind == "number":
            return rng.choice([str(rng.uniform(-200, 200)), str(rng.uniform(53.6, 53.9)), "1e400", "abc"])
        if kind == "array":
            return [self.text() for _ in range(rng.randint(0, 3))]
        return self.text()

    def api_key(self) -> str | None:
        roll = self.rng.random()
        if roll < 0.75:
            return self.rng.choice(self.keys)
        return None if roll < 0.9 else self.text()


def _check(fmt: str, kind: str, response_status: int, content_type: str, body: bytes) -> str | None:
    """The first check an answer fails, or None."""
    if response_status >= 500:
        return f"server error {response_status}"
    expected = "text/xml" if fmt == "xml" else "application/json"
    if content_type != expected:
        return f"content type {content_type!r}, expected {expected!r}"
    try:
        data = open311_xml.parse(body) if fmt == "xml" else json.loads(body)
        if 200 <= response_status < 300:
            swagger_conforms(kind, data)
        else:
            jsonschema.Draft202012Validator(ERRORS_SCHEMA).validate(data)
            if data[0]["code"] != response_status:
                return f"error code {data[0]['code']} in a {response_status} answer"
    except (ValueError, jsonschema.ValidationError) as exc:
        return f"{response_status} answer does not conform: {str(exc)[:300]}"
    return None


async def _seed_cases(session: aiohttp.ClientSession, base: str, api_key: str) -> list[str]:
    """Make a few real cases, so generated ids and filters also hit requests that exist."""
    ids = []
    for postcode in ("NB4 2QT", "NB1 1AA"):
        form = {
            "api_key": api_key,
            "service_code": "graffiti",
            "description": "Tags on the wall",
            "zipcode": postcode,
            "attribute[surface]": "wall",
            "attribute[offensive]": "no",
        }
        async with session.post(base + "requests.json", data=form) as response:
            body = await response.json()
            if response.status != 201:
                raise RuntimeError(f"could not make a case to test with: {body}")
            ids.append(body[0]["service_request_id"])
    return ids


async def run(
    base: str, keys: list[str], seed: int = 311, per_operation: int = 60, formats: tuple[str, ...] = ("json", "xml")
) -> dict[str, Figures]:
    """Send ``per_operation`` generated requests to each operation in each format.

    Args:
        base: The service's base URL, ending in ``/`` (e.g. ``http://127.0.0.1:8311/open311/v2/``).
        keys: API keys to send (a submission key first; a staff key may follow).
        seed: The random seed: the same seed sends the same requests.
        per_operation: Requests per operation and format.
        formats: The ``response_format`` values served.

    Returns:
        Figures per format.
    """
    rng = random.Random(seed)
    figures = {fmt: Figures() for fmt in formats}
    timeout = aiohttp.ClientTimeout(total=10)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        ids = await _seed_cases(session, base, keys[0])
        async with session.get(base + "services.json") as response:
            codes = [s["service_code"] for s in await response.json()]
        known = {"service_code": codes, "service_request_id": ids, "token_id": ["abc", "1"]}
        generate = Generator(rng, known, keys)
        for fmt in formats:
            for template, operations in SWAGGER["paths"].items():
                for method, operation in operations.items():
                    kind = KINDS[(method, template)]
                    for _ in range(per_operation):
                        failure = await _one(session, base, fmt, template, method, operation, kind, generate)
                        name = f"{method.upper()} {template}"
                        figures[fmt].cases[name] += 1
                        status, problem = failure
                        figures[fmt].statuses[status] += 1
                        if problem:
                            figures[fmt].failures.append(f"{name} [{fmt}]: {problem}")
            for name, send in EXTENSIONS.items():  # ours, not in the description: no 5xx, right format
                for _ in range(per_operation):
                    status, problem = await send(session, base, fmt, generate)
                    figures[fmt].cases[name] += 1
                    figures[fmt].statuses[status] += 1
                    if problem:
                        figures[fmt].failures.append(f"{name} [{fmt}]: {problem}")
    return figures


async def _updates_get(session, base, fmt, generate) -> tuple[int, str | None]:
    rng = generate.rng
    query = [(k, str(generate.value({"name": k}))) for k in ("start_date", "end_date") if rng.random() < 0.7]
    if rng.random() < 0.5:
        query.append(("api_key", generate.api_key() or ""))
    url = URL(f"{base}servicerequestupdates.{fmt}?{urllib.parse.urlencode(query)}", encoded=True)
    async with session.get(url) as response:
        return response.status, _check(fmt, "updates", response.status, response.content_type, await response.read())


async def _updates_post(session, base, fmt, generate) -> tuple[int, str | None]:
    rng = generate.rng
    form = {
        "api_key": generate.api_key() or "",
        "service_request_id": str(generate.value({"name": "service_request_id"})),
        "description": generate.text(),
        "status": rng.choice(["OPEN", "CLOSED", "FIXED", generate.text()]),
        "updated_datetime": str(generate.value({"name": "updated_date"})),
        "update_id": rng.choice([str(rng.randint(1, 50)), generate.text()]),
        "media_url": rng.choice(["", "https://fixmystreet.example/p/1.jpeg", generate.text()]),
        "email": generate.text(),
    }
    form = {k: v for k, v in form.items() if rng.random() < 0.85}
    async with session.post(f"{base}servicerequestupdates.{fmt}", data=form) as response:
        return response.status, _check(fmt, "updates", response.status, response.content_type, await response.read())


async def _discovery(session, base, fmt, generate) -> tuple[int, str | None]:
    async with session.get(f"{base}discovery.{fmt}") as response:
        return response.status, _check(fmt, "discovery", response.status, response.content_type, await response.read())


EXTENSIONS = {
    "GET /servicerequestupdates.{response_format}": _updates_get,
    "POST /servicerequestupdates.{response_format}": _updates_post,
    "GET /discovery.{response_format}": _discovery,
}


async def _one(session, base, fmt, template, method, operation, kind, generate) -> tuple[int, str | None]:
    rng = generate.rng
    path = PATH_FIXES.get(template, template)
    query: list[tuple[str, str]] = []
    for raw in operation.get("parameters", []):
        parameter = _resolve(raw)
        name = parameter["name"]
        if parameter["in"] == "path":
            value = fmt if name == "response_format" else str(generate.value(parameter))
            path = path.replace("{" + name + "}", urllib.parse.quote(value, safe="") or "%20")
            continue
        if not parameter.get("required") and rng.random() < 0.4:
            continue
        value = generate.value(parameter)
        for one in value if isinstance(value, list) else [value]:
            query.append((name, one))
    key = generate.api_key() if method == "post" or rng.random() < 0.3 else None
    if key is not None:
        query.append(("api_key", key))
    data: Any = None
    headers = {}
    if method == "post":
        roll = rng.random()
        if roll < 0.3:  # a whole report as a client sends it, with some generated fields kept
            replaced = ("service_code", "lat", "long", "api_key", "jurisdiction_id", "address_string", "address_id")
            query = [(k, v) for k, v in query if k not in replaced]
            query += [
                ("api_key", generate.keys[0]),
                ("jurisdiction_id", "northbridge.example"),
                ("service_code", "pothole"),
                ("description", rng.choice(["Deep hole by the kerb", generate.text().strip() or "Hole"])),
                ("attribute[surface]", "road"),
                ("attribute[size]", rng.choice(["small", "large", "medium", "huge"])),
                ("lat", f"{rng.uniform(53.6, 53.9):.6f}"),
                ("long", f"{rng.uniform(-2.6, -2.3):.6f}"),
            ]
        elif roll < 0.5:  # answers to questions, some not asked
            query += [("description", generate.text()), (f"attribute[{generate.text()[:10]}]", generate.text())]
        style = rng.random()
        if style < 0.4:  # in the body, as clients send them
            data, query = aiohttp.FormData(query), []
        elif style < 0.5:  # a broken multipart body
            headers["Content-Type"] = rng.choice(
                ["multipart/form-data", "multipart/form-data; boundary=xyz", "multipart/form-data; boundary="]
            )
            data = rng.choice([b"--xyz\r\nContent-Disposition: form-data\r\n\r\n", b"\xff\xfe", b"--xyz--"])
    url = URL(base + path.lstrip("/"), encoded=True)
    if query:
        encoded = urllib.parse.urlencode(query, encoding="utf-8", errors="surrogatepass")
        url = URL(str(url) + "?" + encoded, encoded=True)
    async with session.request(method.upper(), url, data=data, headers=headers) as response:
        body = await response.read()
        return response.status, _check(fmt, kind, response.status, response.content_type, body)


def summary(figures: dict[str, Figures]) -> str:
    """One line per format: requests sent, answers by status, failures."""
    lines = []
    for fmt, found in figures.items():
        statuses = ", ".join(f"{s}: {n}" for s, n in sorted(found.statuses.items()))
        lines.append(
            f"{fmt}: {sum(found.cases.values())} requests over {len(found.cases)} operations "
            f"({statuses}); {len(found.failures)} failures"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    # python -m tests.service_requests.swagger_run http://127.0.0.1:8311/open311/v2/ SUBMISSION_KEY [STAFF_KEY]
    result = asyncio.run(run(sys.argv[1], sys.argv[2:]))
    print(summary(result))
    for problem in [p for f in result.values() for p in f.failures][:20]:
        print(problem)
    sys.exit(1 if any(f.failures for f in result.values()) else 0)
