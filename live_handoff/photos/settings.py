"""The photo settings (``PHOTOS_*``), read with ``Settings.from_env``'s ``read`` so a bad
value stops start-up naming the variable."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from live_handoff.photos.images import Limits

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "var" / "photos"


@dataclass(frozen=True)
class PhotoSettings:
    """Where photos are kept and how big they may be.

    Attributes:
        directory: PHOTOS_DIR, where photos are kept (files 0600, the folder 0700).
        limits: PHOTOS_MAX_MB (10), PHOTOS_MAX_MEGAPIXELS (40), PHOTOS_MAX_SIDE (2048 px kept).
        per_report: PHOTOS_PER_REPORT (3): photos a resident may add to one report.
        pending_minutes: PHOTOS_PENDING_MINUTES (60): a photo never sent with a report is
            deleted this long after it was added.
        public_url: PHOTOS_PUBLIC_URL, the front door's address as the council's case
            system reaches it, for ``media_url`` (default: the address the upload came to).
    """

    directory: Path = DEFAULT_DIR
    limits: Limits = field(default_factory=Limits)
    per_report: int = 3
    pending_minutes: float = 60.0
    public_url: str = ""


def read_photo_settings(read: Callable[..., Any]) -> PhotoSettings:
    """The photo settings from the environment, through ``Settings.from_env``'s ``read``."""
    at_least_one = "must be at least 1"
    public_url = read(
        "PHOTOS_PUBLIC_URL",
        "",
        str,
        lambda v: v == "" or v.startswith(("https://", "http://")),
        "must start with https:// or http://",
    )
    return PhotoSettings(
        directory=read("PHOTOS_DIR", DEFAULT_DIR, Path),
        limits=Limits(
            max_bytes=int(
                read("PHOTOS_MAX_MB", 10.0, float, lambda v: 0.1 <= v <= 50, "must be 0.1 to 50") * 1_048_576
            ),
            max_pixels=int(
                read("PHOTOS_MAX_MEGAPIXELS", 40.0, float, lambda v: 1 <= v <= 150, "must be 1 to 150") * 1_000_000
            ),
            max_side=read("PHOTOS_MAX_SIDE", 2048, int, lambda v: 320 <= v <= 8192, "must be 320 to 8192"),
        ),
        per_report=read("PHOTOS_PER_REPORT", 3, int, lambda v: 1 <= v <= 10, "must be 1 to 10"),
        pending_minutes=read("PHOTOS_PENDING_MINUTES", 60.0, float, lambda v: v >= 1, at_least_one),
        public_url=public_url.rstrip("/"),
    )
