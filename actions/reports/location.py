"""The report form's "Use my location" step, as pure functions.

The postcode and street questions carry a "Use my location" button
(``contracts.location.LOCATION_PAYLOAD``); the widget answers it with the browser's
position in the message metadata (``metadata.location``). A checked position is kept in
``report_answers`` under :data:`KEY` (no new slot, so no retraining), sent to Open311 as
``lat``/``long``, and said back in words. The resident may still type a street or landmark,
instead or as well: it goes as ``address_string``.
"""

from __future__ import annotations

from typing import Any

from contracts.location import (
    COUNCIL_AREA,
    LOCATION_PAYLOAD,
    Area,
    Location,
    LocationError,
    accuracy_in_words,
    map_url,
    parse_location,
)

KEY = "_location"  # in report_answers; "_" keeps it apart from the service's question codes
LOCATION_ONLY = "your shared location"  # report_location when no street was typed
BUTTON = {"title": "Use my location", "payload": LOCATION_PAYLOAD}
ASKED_AT = frozenset({"report_postcode", "report_location"})  # the questions offering the button
SKIP_WORDS = {"skip", "no", "none", "no thanks", "nothing", "not sure", "don't know", "dont know"}

ASK_LANDMARK = (
    "Thanks. Is there a street name or landmark that would help the crew find it (a house number, "
    'shop or bus stop)? It\'s optional: press "Skip" if not.'
)
CONSENT_HINT = (
    'Or press "Use my location" to share where you are now from this device (optional; only used for this report).'
)
NOT_RECEIVED = (
    "I couldn't get a location from this device. Please type the street, or a landmark such as a shop or bus stop."
)
IMPRECISE = (
    "Your device only knows where you are to within {accuracy}, which isn't close enough for the crew to find "
    "it. Please type the street, or a landmark such as a shop or bus stop."
)
OUTSIDE = (
    "That location seems to be outside {area}, so it may not be something {area} council looks after. If the "
    "problem is in {area}, please type the street or a landmark instead (you may be somewhere else just now)."
)


def is_location_message(message: dict[str, Any]) -> bool:
    """Whether the message is the "Use my location" button (with a position or without one)."""
    text = " ".join(str(message.get("text") or "").lower().split())
    return text == LOCATION_PAYLOAD or "location" in (message.get("metadata") or {})


def outcome(message: dict[str, Any], area: Area = COUNCIL_AREA) -> str:
    """What the form makes of a "Use my location" message, for the route metadata:
    ``used``, ``missing`` (no position came), ``invalid``, ``imprecise`` or ``outside``."""
    raw = (message.get("metadata") or {}).get("location")
    if raw is None:
        return "missing"
    try:
        parse_location(raw, area)
    except LocationError as error:
        return error.kind
    return "used"


def read_location(message: dict[str, Any], area: Area = COUNCIL_AREA) -> tuple[Location | None, str | None]:
    """The position shared with the message, or what to tell the resident instead."""
    raw = (message.get("metadata") or {}).get("location")
    if raw is None:
        return None, NOT_RECEIVED
    try:
        return parse_location(raw, area), None
    except LocationError as error:
        if error.kind == "imprecise":
            return None, IMPRECISE.format(accuracy=accuracy_in_words(float(raw["accuracy"])))
        if error.kind == "outside":
            return None, OUTSIDE.format(area=area.name)
        return None, NOT_RECEIVED


def stored(slots: dict[str, Any]) -> Location | None:
    """The position kept with the report, if one was shared."""
    raw = (slots.get("report_answers") or {}).get(KEY)
    if not isinstance(raw, dict):
        return None
    return Location(float(raw["lat"]), float(raw["long"]), float(raw["accuracy"]))


def with_location(slots: dict[str, Any], location: Location | None) -> dict[str, Any]:
    """``report_answers`` with the position kept (or dropped, for ``None``)."""
    answers = dict(slots.get("report_answers") or {})
    answers.pop(KEY, None)
    if location is not None:
        answers[KEY] = location.as_metadata()
    return answers


def in_words(location: Location) -> str:
    """ "your current location (accuracy about 20 m)"."""
    return f"your current location (accuracy {accuracy_in_words(location.accuracy)})"


def confirmation(location: Location) -> str:
    """What the bot says when it takes the position: in words, with a map to check it on."""
    return f"I'll use {in_words(location)}. You can [check it on a map]({map_url(location.lat, location.long)})."


def summary_line(slots: dict[str, Any]) -> str | None:
    """The summary's line for the position, or None when none was shared."""
    location = stored(slots)
    if location is None:
        return None
    return f"- **Map location**: {in_words(location).capitalize()}, [see map]({map_url(location.lat, location.long)})"


def form_fields(slots: dict[str, Any]) -> dict[str, str]:
    """Open311 ``lat``/``long`` for the shared position (none if nothing was shared)."""
    location = stored(slots)
    if location is None:
        return {}
    return {"lat": f"{location.lat:.6f}", "long": f"{location.long:.6f}"}


def is_skip(text: str) -> bool:
    """The resident has no street to add to a shared position."""
    return " ".join((text or "").lower().split()).strip(".! ") in SKIP_WORDS
