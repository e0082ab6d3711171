"""Check a submitted service request against its service definition. Pure: no I/O."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from contracts import contact_rules as rules
from contracts.postcodes import normalise_postcode
from service_requests.catalogue import Service
from service_requests.errors import Open311Error

ATTRIBUTE_FIELD = re.compile(r"^attribute\[(.*)\]$", re.DOTALL)
SHORT_TEXT = rules.SHORT_TEXT
# Answers to questions the service definition does not ask. FixMyStreet adds some to every
# report it sends (perllib/Open311.pm ``_populate_service_request_params``: the report's
# extra fields and ``attribute[uprn]``; FixMyStreet::SendReport::Open311: ``fixmystreet_id``,
# ``closest_address``, ``easting``, ``northing``; cobrands: ``report_url``, ``title``,
# ``description``...). They are kept for staff, never published, and bounded: the body
# limit alone would let a client fill the case with thousands of them.
EXTRA_ATTRIBUTE_CODE = re.compile(r"^[A-Za-z0-9_.:-]{1,100}$")
EXTRA_ATTRIBUTES_LIMIT = 50
# FixMyStreet sends as many ``media_url`` fields as the report has photos when a council's
# set-up asks for all of them (``multi_photos``); a report holds a handful.
MEDIA_URLS_LIMIT = 10


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
    media_url: str | None = None
    # Staff only: answers the service did not ask for, and photos after the first.
    extra_attributes: dict[str, str] = field(default_factory=dict)
    extra_media_urls: tuple[str, ...] = ()


MEDIA_URL = re.compile(r"^https?://[^\s<>\"]+$")
MEDIA_URL_LIMIT = 500


def _media_url(value: str | None) -> str | None:
    """A photo's address as FixMyStreet sends it (``media_url``): an http(s) URL, or nothing."""
    url = _clean("media_url", value, MEDIA_URL_LIMIT)
    if url and not MEDIA_URL.match(url):
        raise Open311Error(400, "media_url must be an http:// or https:// address")
    return url


def split_media_urls(values: Sequence[str]) -> tuple[str | None, tuple[str, ...]]:
    """The first photo address (the request's ``media_url``) and the others, each checked.

    Raises:
        Open311Error: 400 (reason ``media_urls``) for more than ``MEDIA_URLS_LIMIT``, or
            one that is not an http(s) address.
    """
    urls = [url for url in (_media_url(v) for v in values) if url]
    if len(urls) > MEDIA_URLS_LIMIT:
        raise Open311Error(
            400, f"too many media_url values: at most {MEDIA_URLS_LIMIT}, got {len(urls)}", reason="media_urls"
        )
    return (urls[0] if urls else None), tuple(urls[1:])


def _extra_attributes(given: Mapping[str, str], limit: int) -> dict[str, str]:
    """Answers to questions the service does not ask, checked like the free-text ones.

    Raises:
        Open311Error: 400 (reason ``extra_attributes``) for a code that is not 1-100
            letters, digits or ``_.:-``, for more than ``EXTRA_ATTRIBUTES_LIMIT`` answers,
            or for a value the case system refuses (``limit`` characters at most).
    """
    extra: dict[str, str] = {}
    for code, value in given.items():
        if not EXTRA_ATTRIBUTE_CODE.match(code):
            shown = code.encode("utf-8", "backslashreplace").decode("ascii", "replace")[:40]
            raise Open311Error(
                400,
                f"attribute[{shown}]: an attribute code must be 1-100 letters, digits or _.:-",
                reason="extra_attributes",
            )
        try:
            answer = rules.clean(value, limit)
        except rules.FieldProblem as problem:
            raise Open311Error(400, _problem(f"attribute[{code}]", problem), reason="extra_attributes") from None
        if answer is not None:
            extra[code] = answer
    if len(extra) > EXTRA_ATTRIBUTES_LIMIT:
        raise Open311Error(
            400,
            f"too many attributes this service does not ask for: at most {EXTRA_ATTRIBUTES_LIMIT}, got {len(extra)}",
            reason="extra_attributes",
        )
    return extra


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


def validate_submission(
    form: Mapping[str, str], service: Service, max_description: int, media_urls: Sequence[str] | None = None
) -> NewRequest:
    """Return the cleaned request, or raise Open311Error(400) naming the first problem.

    Args:
        form: The submitted fields (one value each).
        service: The service asked for.
        max_description: The most characters in ``description``, a ``text`` answer or an
            answer the service does not ask for.
        media_urls: Every ``media_url`` given, in order, when the field was repeated;
            None to read the one in ``form``.
    """
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
    extra_attributes = _extra_attributes({k: v for k, v in given.items() if k not in known}, max_description)
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
    media_url, extra_media_urls = split_media_urls([form.get("media_url") or ""] if media_urls is None else media_urls)
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
        media_url=media_url,
        extra_attributes=extra_attributes,
        extra_media_urls=extra_media_urls,
    )


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
