"""Positions in text: a map link or a latitude, longitude pair names a doorstep as
precisely as an address does ("Use my location" puts one in the bot's confirmation)."""

from __future__ import annotations

import re

# A link to a map with a position in it (OpenStreetMap's mlat/mlon, #map=zoom/lat/long,
# Google's @lat,long or q=lat,long), whole: the label replaces the link's target.
_MAP_LINK = re.compile(
    r"https?://[^\s)\]]*(?:mlat=|#map=\d+/|@-?\d{1,2}\.\d{3,}|[?&](?:q|ll)=-?\d{1,2}\.\d{3,})[^\s)\]]*",
    re.IGNORECASE,
)
# "52.4521, -1.5012" or "52.4521 -1.5012": two decimals of three places or more. Fewer
# places (about 1 km) are a neighbourhood, and "1.5" is more often a price than a place.
_PAIR = re.compile(r"(?<![\d.])-?\d{1,2}\.\d{3,}\s*[,;/ ]\s*-?\d{1,3}\.\d{3,}(?![\d.])")


def mask_coordinates(text: str) -> str:
    """``text`` with map links and coordinate pairs replaced by ``[location]``."""
    return _PAIR.sub("[location]", _MAP_LINK.sub("[location]", text))
