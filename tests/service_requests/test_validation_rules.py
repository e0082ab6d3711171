"""The Open311 service refuses what the relay refuses before acknowledging a message left:
both use contracts/contact_rules.py, so a message the chat accepted is one Open311 takes."""

from __future__ import annotations

from pathlib import Path

import pytest

from live_handoff.messages_left import MessageRefusedError, checked
from service_requests.catalogue import load_catalogue
from service_requests.errors import Open311Error
from service_requests.validation import validate_submission

CATALOGUE = load_catalogue(Path(__file__).resolve().parents[2] / "service_requests" / "services.yml")
SERVICE = CATALOGUE["contact_centre_message"]

CASES = [
    {"description": "Call me", "email": "javascript:x@example.zz"},
    {"description": "Call me", "first_name": "Jo\ud800"},
    {"description": "Call me\x00 now"},
    {"description": "<script>alert(1)</script>"},
    {"description": "Call me", "email": "jo@example"},
    {"description": "Call me", "phone": "ring me please"},
    {"description": "Call me", "first_name": "J" * 101},
    {"description": "x" * 2001},
    {"description": "Call me about my bin, it is 3 < 4 days late", "email": "jo.bloggs@example.org"},
    {"description": "Call me", "first_name": "Jo", "last_name": "Bloggs", "phone": "+44 (0)1632 960123"},
]


@pytest.mark.parametrize("form", CASES)
def test_open311_and_the_relay_refuse_and_accept_the_same_messages(form):
    try:
        validate_submission(form, SERVICE, 2000)
        open311_refuses = False
    except Open311Error as refused:
        assert refused.status == 400
        open311_refuses = True
    frame = {
        "client_id": "m1",
        "text": form["description"],
        "name": " ".join(v for v in (form.get("first_name"), form.get("last_name")) if v),
        "email": form.get("email", ""),
        "phone": form.get("phone", ""),
    }
    try:
        checked(frame)
        relay_refuses = False
    except MessageRefusedError:
        relay_refuses = True
    assert relay_refuses == open311_refuses
