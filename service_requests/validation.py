"""Check a submitted service request against its service definition. Pure: no I/O."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from contracts import contact_rules as rules
from contracts.postcodes import normalise_postcode
from service_requests.catalogue import Service
from service_requests.errors import Open311Error

ATTRIBUTE_FIELD = re.compile(r"^attribute\[([a-z0-9_]+)\]$")
SHORT_TEXT = rules.SHORT_TEXT


@dataclass(frozen=True)
class NewRequest:
    service_code: str
    description: str
    address: str | None
    zipcode: str | None
    lat: float | None
    long: float | None
    attributes: dict[str, str] = field(default_factory=dict)
    email: str | None = None
    phone: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    # GeoReport v2's one photo address (the chat sends its first photo here: live_handoff/photos).
    media_url: str | None = None


def _clean(name: str, value: str | None, limit: int) -> str | None:
    # The rules are shared with the relay (contracts/contact_rules.py), which checks a
    # message left in the chat the same way before it tells the resident it is saved.
    try:
        return rules.clean(value, limit)
    except rules.FieldProblem as problem:
        raise Open311Error(400, _problem(name, problem)) from None


def _problem(name: str, problem: rules.FieldProblem) -> str:
    if problem.kind == "unreadable":
        return f"{name} holds an unpaired surrogate (half a character); send it as valid UTF-8"
    if problem.kind == "control":
        return f"{name} must not contain control characters"
    if problem.kind == "web_code":
        return f"{name} must not contain HTML or script; please use plain text"
    if problem.kind == "too_long":
        return f"{name} is too long: at most {problem.limit} characters, got {problem.length}"
    return f"{name} is not valid"


def _coordinate(name: str, value: str | None, low: float, high: float) -> float | None:
    if value in (None, ""):
        return None
    try:
        number = float(value)
    except ValueError:
        raise Open311Error(400, f"{name} must be a decimal number") from None
    if not low <= number <= high:
        raise Open311Error(400, f"{name} must be between {low} and {high}")
    return number


def validate_submission(form: Mapping[str, str], service: Service, max_description: int) -> NewRequest:
    """Return the cleaned request, or raise Open311Error(400) naming the first problem."""
    description = _clean("description", form.get("description"), max_description)
    if not description:
        raise Open311Error(400, "description is required: say briefly what the problem is")

    address = _clean("address_string", form.get("address_string"), SHORT_TEXT)
    raw_postcode = _clean("zipcode", form.get("zipcode"), 10)
    zipcode = None
    if raw_postcode:
        zipcode = normalise_postcode(raw_postcode)
        if not zipcode:
            raise Open311Error(400, f"zipcode {raw_postcode!r} is not a valid UK postcode")
    lat = _coordinate("lat", form.get("lat"), -90, 90)
    long = _coordinate("long", form.get("long"), -180, 180)
    if (lat is None) != (long is None):
        raise Open311Error(400, "lat and long must be given together")
    if service.needs_location and not (address or zipcode or lat is not None):
        raise Open311Error(400, "a location is required: address_string, zipcode, or lat and long")

    given = {}
    for key, value in form.items():
        match = ATTRIBUTE_FIELD.match(key)
        if match:
            given[match.group(1)] = value
    known = {a.code for a in service.attributes}
    unknown = sorted(set(given) - known)
    if unknown:
        raise Open311Error(400, f"attribute[{unknown[0]}] is not a question of service {service.service_code}")
    attributes: dict[str, str] = {}
    for attribute in service.attributes:
        limit = max_description if attribute.datatype == "text" else SHORT_TEXT
        answer = _clean(f"attribute[{attribute.code}]", given.get(attribute.code), limit)
        if answer is None:
            if attribute.required:
                raise Open311Error(400, f"attribute[{attribute.code}] is required: {attribute.description}")
            continue
        if attribute.values and answer not in {k for k, _ in attribute.values}:
            allowed = ", ".join(k for k, _ in attribute.values)
            raise Open311Error(400, f"attribute[{attribute.code}] must be one of: {allowed}")
        if attribute.datatype == "number":
            try:
                float(answer)
            except ValueError:
                raise Open311Error(400, f"attribute[{attribute.code}] must be a number") from None
        attributes[attribute.code] = answer

    email = _checked("email", rules.clean_email, form.get("email"), "email is not a valid email address")
    phone = _checked("phone", rules.clean_phone, form.get("phone"), "phone is not a valid phone number")
    return NewRequest(
        service_code=service.service_code,
        description=description,
        address=address,
        zipcode=zipcode,
        lat=lat,
        long=long,
        attributes=attributes,
        email=email,
        phone=phone,
        first_name=_clean("first_name", form.get("first_name"), rules.NAME_LIMIT),
        last_name=_clean("last_name", form.get("last_name"), rules.NAME_LIMIT),
        media_url=_media_url(form.get("media_url")),
    )


def _media_url(value: str | None) -> str | None:
    """An http(s) address of at most 500 characters, or None when not given."""
    url = _clean("media_url", value, 500)
    if url is not None and (not url.startswith(("https://", "http://")) or any(c.isspace() for c in url)):
        raise Open311Error(400, "media_url must be one http:// or https:// address")
    return url


def _checked(name: str, check: Callable[[str | None], str | None], value: str | None, wrong: str) -> str | None:
    try:
        return check(value)
    except rules.FieldProblem as problem:
        raise Open311Error(400, wrong if problem.kind == "format" else _problem(name, problem)) from None


def parse_datetime(name: str, value: str) -> dt.datetime:
    """An ISO-8601 date-time with zone (a date alone means midnight UTC)."""
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise Open311Error(400, f"{name} must be an ISO 8601 date-time, e.g. 2026-11-01T00:00:00Z") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)
