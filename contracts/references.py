"""Service request references as residents type them: ``NB-2026-000123`` in any case,
with hyphens, spaces or nothing between the parts. The bot reads them, the relay's
masking keeps them, and the Open311 service issues them."""

from __future__ import annotations

import re

REFERENCE_IN_TEXT = re.compile(r"(?<![A-Za-z0-9])NB[-\s]?(20[0-9]{2})[-\s]?([0-9]{6})(?![0-9])", re.IGNORECASE)
