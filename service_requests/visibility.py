"""Who may read which service request, and what an anonymous reader sees. Pure: no I/O.

Open311's GET is public: anything that leaves through it without a staff key can be read
by anyone, and references are sequential, so they can be walked. Hence:

- a private service's requests (``public: false`` in services.yml) are shown only to a
  staff key; to everyone else they do not exist (the same 404 as an unknown id);
- a public request's description, status notes and free-text answers are masked
  (``contracts.masking``), and answers marked ``public: false`` (a vehicle registration,
  a chat's id) are left out. Contact details never leave the store at all;
- ``lat``/``long`` are rounded to :data:`PUBLIC_COORDINATE_PLACES` decimal places (about
  110 m north-south, 70 m east-west here). FixMyStreet publishes report pins, but its
  reporters place the pin themselves on a map they know is public; "Use my location" in the
  chat is where the resident's phone is, often their doorstep. The street is public, the
  house is not. Staff keys read the exact position.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from contracts.masking import mask
from service_requests.catalogue import Service

# Text a resident or an officer wrote freely; everything else comes from fixed lists,
# dates or the catalogue.
FREE_TEXT = ("description", "status_notes")
PUBLIC_COORDINATE_PLACES = 3
# What a client sent beyond the service's questions and the first photo (FixMyStreet's
# ``attribute[uprn]``, ``attribute[easting]``..., further ``media_url`` values): nobody has
# said it may be published, so only staff keys see it.
STAFF_ONLY = ("extra_attributes", "extra_media_urls")


def readable(service: Service | None, staff: bool) -> bool:
    """Whether a reader may know that a request of ``service`` exists.

    A request whose service is no longer in the catalogue is treated as private: nobody has
    said its cases may be published.
    """
    if staff:
        return True
    return service is not None and service.public


def visible_codes(catalogue: Mapping[str, Service], staff: bool) -> tuple[str, ...] | None:
    """Service codes a reader's lists are limited to; ``None`` means no limit (staff)."""
    if staff:
        return None
    return tuple(code for code, service in catalogue.items() if service.public)


def for_reader(request: dict[str, Any], service: Service | None, staff: bool) -> dict[str, Any] | None:
    """The request as this reader may see it, or ``None`` if they may not see it at all."""
    if not readable(service, staff):
        return None
    if staff:
        return request
    assert service is not None  # readable() is false for an unknown service without a staff key
    shown = {k: v for k, v in request.items() if k not in STAFF_ONLY}
    for field in FREE_TEXT:
        if shown.get(field):
            shown[field] = mask(shown[field])
    questions = {a.code: a for a in service.attributes}
    attributes = {}
    for code, answer in (request.get("attributes") or {}).items():
        question = questions.get(code)
        if question is None or not question.public:
            continue  # an answer nobody has said may be published
        attributes[code] = (
            mask(answer) if question.datatype in ("string", "text") and isinstance(answer, str) else answer
        )
    shown["attributes"] = attributes
    for field in ("lat", "long"):
        if isinstance(shown.get(field), (int, float)):
            shown[field] = round(shown[field], PUBLIC_COORDINATE_PLACES)
    return shown
