"""Photos with a report: the offer the widget turns into "Add a photo", and the photos the
relay says are waiting, sent with the case as ``media_url``. Pure: no I/O.

The widget uploads photos to the front door, not through the bot; the relay adds the
conversation's waiting photos to every message's metadata (``{"photos": [{"id", "url"}]}``,
contracts/README.md, "Photos"), so the report form needs no slot or intent of its own.
"""

from __future__ import annotations

from typing import Any

# A button the widget shows as its photo picker instead of sending it (contracts/README.md).
ADD_PHOTO = {"title": "Add a photo", "payload": "/add_photo"}
MAX_PHOTOS = 3


def waiting(metadata: Any) -> list[dict[str, str]]:
    """The photos in a message's metadata (the relay's), at most ``MAX_PHOTOS``, each
    ``{"id", "url"}``; anything malformed is left out."""
    photos = metadata.get("photos") if isinstance(metadata, dict) else None
    out = []
    for photo in photos if isinstance(photos, list) else []:
        if (
            isinstance(photo, dict)
            and isinstance(photo.get("id"), str)
            and isinstance(photo.get("url"), str)
            and photo["url"].startswith(("https://", "http://"))
        ):
            out.append({"id": photo["id"], "url": photo["url"]})
    return out[:MAX_PHOTOS]


def with_photos(form: dict[str, str], photos: list[dict[str, str]]) -> dict[str, str]:
    """The Open311 form with ``media_url``: GeoReport v2 carries one, so the first photo
    goes there; every photo stays with the conversation for advisors (the case payload
    lists them all)."""
    if not photos:
        return form
    return {**form, "media_url": photos[0]["url"]}


def summary_line(photos: list[dict[str, str]]) -> str | None:
    """ "- **Photos**: 2" for the summary before sending, or None without photos."""
    return f"- **Photos**: {len(photos)}" if photos else None


def is_offer(text: Any) -> bool:
    """The photo button's payload arriving as if typed (a widget without photos)."""
    return isinstance(text, str) and text.strip() == ADD_PHOTO["payload"]
