"""What the outbox makes of Open311's answers (live_handoff.cases): only an outage holds it up."""

from __future__ import annotations

import re

import pytest

from live_handoff.cases import (
    CaseRejectedError,
    CaseUnavailableError,
    case_form,
    encoded,
    reference_in,
    retry_after,
)

MESSAGE = {"conversation_id": "c_x", "text": "Call me", "name": "Jo Anne Bloggs", "phone": "01632 960001"}


def test_a_created_case_gives_its_reference():
    assert reference_in(201, [{"service_request_id": "NB-2026-000001"}]) == "NB-2026-000001"


@pytest.mark.parametrize("status", [500, 502, 503, 504, 408, 429])
def test_a_5xx_a_time_out_or_a_rate_limit_means_the_case_system_is_down(status):
    with pytest.raises(CaseUnavailableError):
        reference_in(status, None)


@pytest.mark.parametrize(
    ("status", "body", "why"),
    [
        (400, [{"code": 400, "description": "email must not contain HTML or script"}], "refused"),
        (403, [{"code": 403, "description": "api_key is not valid"}], "refused"),
        (201, None, "bad_answer"),
        (201, [{}], "bad_answer"),
        (200, [{"service_request_id": "NB-1"}], "bad_answer"),
        (302, None, "bad_answer"),
    ],
)
def test_anything_else_sets_that_one_message_aside_with_its_reason(status, body, why):
    with pytest.raises(CaseRejectedError) as rejected:
        reference_in(status, body)
    assert rejected.value.why == why
    if status == 400:
        assert "email must not contain HTML" in str(rejected.value)


def test_a_lone_surrogate_is_named_and_cannot_be_sent_rather_than_taken_for_an_outage():
    form = case_form({**MESSAGE, "name": "Jo \ud800"}, "key")
    with pytest.raises(CaseRejectedError) as rejected:
        encoded(form)
    assert rejected.value.why == "unsendable" and "last_name" in str(rejected.value)
    assert not isinstance(rejected.value, CaseUnavailableError)


def test_the_form_splits_the_name_and_encodes_as_a_browser_would():
    form = case_form(MESSAGE, "key")
    assert (form["first_name"], form["last_name"]) == ("Jo", "Anne Bloggs") and "email" not in form
    assert b"first_name=Jo&last_name=Anne+Bloggs" in encoded(form)


def test_the_outbox_backs_off_while_the_case_system_is_down_and_not_when_it_is_up():
    assert retry_after(0, 60) == 60
    assert [retry_after(n, 60) for n in range(1, 8)] == [15, 30, 60, 120, 240, 480, 600]


def test_a_message_left_is_sent_with_a_submission_key_that_is_the_same_on_every_try():
    first = case_form({**MESSAGE, "key": "c_abc:l1"}, "key")["client_request_key"]
    again = case_form({**MESSAGE, "key": "c_abc:l1"}, "key")["client_request_key"]
    other = case_form({**MESSAGE, "key": "c_abc:l2"}, "key")["client_request_key"]
    assert first == again != other
    assert re.fullmatch(r"[A-Za-z0-9._:-]{8,100}", first)  # what Open311's request_keys accepts
