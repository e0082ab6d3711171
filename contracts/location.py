"""A resident's shared location: the wire shape, checks and words, shared by the relay,
the actions and the tests (the widget follows ``contracts/schemas/location.schema.json``).

The widget offers "Use my location" when a bot message carries a button whose payload is
:data:`LOCATION_PAYLOAD`. Only after the resident presses it does the browser ask for the
position; the widget then sends that button's message with
``"location": {"lat", "long", "accuracy"}`` (degrees WGS84, metres), the relay passes it to
Rasa in the message's metadata, and the report form reads it from there.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

__all__ = [
    "COUNCIL_AREA",
    "LOCATION_PAYLOAD",
    "MAX_ACCURACY_METRES",
    "Area",
    "Location",
    "LocationError",
    "accuracy_in_words",
    "map_url",
    "parse_location",
]

# The payload of the bot's "Use my location" button. A widget that does not know it (or a
# browser without geolocation) sends it as a plain message, which the form answers by
# asking for the street: it never fails silently.
LOCATION_PAYLOAD = "use my location"

# Past this a position names a neighbourhood, not a pothole: the resident is asked for the
# street instead (a phone on wi-fi indoors is often 1-2 km out).
MAX_ACCURACY_METRES = 500.0


class LocationError(ValueError):
    """A location that cannot be used; ``kind`` is one of ``invalid``, ``imprecise``, ``outside``."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class Area:
    """A bounding box in degrees; ``margin`` degrees either side still count as "near"."""

    name: str
    south: float
    west: float
    north: float
    east: float
    margin: float = 0.05  # about 5 km north-south, 3.5 km east-west at UK latitudes

    def near(self, lat: float, long: float) -> bool:
        """Whether the point lies within the box or its margin."""
        return (
            self.south - self.margin <= lat <= self.north + self.margin
            and self.west - self.margin <= long <= self.east + self.margin
        )


# Northbridge is fictional: this box is a documented stand-in in the English Midlands so
# that the demo and the tests have an area to check against. A council replaces it with
# the bounding box of its own boundary (contracts/README.md, "Shared location").
COUNCIL_AREA = Area("Northbridge", south=52.30, west=-1.75, north=52.60, east=-1.30)


@dataclass(frozen=True)
class Location:
    """A checked position: degrees WGS84 and the browser's accuracy radius in metres."""

    lat: float
    long: float
    accuracy: float

    def as_metadata(self) -> dict[str, float]:
        """The ``location`` object of the contract (rounded to 6 decimals, about 10 cm)."""
        return {"lat": round(self.lat, 6), "long": round(self.long, 6), "accuracy": round(self.accuracy, 1)}


def _number(value: Any, name: str, low: float, high: float) -> float:
    # bool is an int in Python; true/false from the wire is not a coordinate.
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise LocationError("invalid", f"{name} must be a number")
    if not low <= value <= high:
        raise LocationError("invalid", f"{name} must be between {low:g} and {high:g}")
    return float(value)


def parse_location(raw: Any, area: Area = COUNCIL_AREA) -> Location:
    """Check a ``location`` object from the wire.

    Args:
        raw: The decoded JSON value (``{"lat", "long", "accuracy"}``).
        area: Where reports are expected; a point well outside is refused.

    Returns:
        The location.

    Raises:
        LocationError: ``invalid`` (not numbers, out of range), ``imprecise`` (accuracy
            worse than :data:`MAX_ACCURACY_METRES`) or ``outside`` (not near ``area``).
    """
    if not isinstance(raw, dict):
        raise LocationError("invalid", "location must be an object")
    lat = _number(raw.get("lat"), "lat", -90, 90)
    long = _number(raw.get("long"), "long", -180, 180)
    accuracy = _number(raw.get("accuracy"), "accuracy", 0, 1_000_000)
    if accuracy > MAX_ACCURACY_METRES:
        raise LocationError("imprecise", f"accuracy {accuracy:.0f} m is worse than {MAX_ACCURACY_METRES:.0f} m")
    if not area.near(lat, long):
        raise LocationError("outside", f"not in or near {area.name}")
    return Location(lat, long, accuracy)


def accuracy_in_words(metres: float) -> str:
    """ "about 20 m", "about 150 m", "about 1.5 km": rounded as a person would say it."""
    if metres < 10:
        return "about 10 m"  # a phone's "3 m" is optimism; never promise better than this
    if metres < 100:
        return f"about {int(round(metres / 5) * 5)} m"
    if metres < 1000:
        return f"about {int(round(metres / 10) * 10)} m"
    return f"about {metres / 1000:.1f} km"


def map_url(lat: float, long: float) -> str:
    """An OpenStreetMap link with a marker at the point (no key, no tracking parameters)."""
    return f"https://www.openstreetmap.org/?mlat={lat:.5f}&mlon={long:.5f}#map=18/{lat:.5f}/{long:.5f}"
