"""/metrics is never open on the residents' port: it needs a bearer token, or lives on a
listener of its own, or both."""

from __future__ import annotations

import pytest

from live_handoff.metrics_access import bearer_matches, decide

TOKEN = "s3cret-metrics-token-0123"


def test_the_token_must_match_exactly_after_the_bearer_scheme():
    assert bearer_matches(f"Bearer {TOKEN}", TOKEN)
    assert bearer_matches(f"bearer  {TOKEN} ", TOKEN)
    assert not bearer_matches(f"Bearer {TOKEN}x", TOKEN)
    assert not bearer_matches(f"Bearer {TOKEN[:-1]}", TOKEN)
    assert not bearer_matches(f"Basic {TOKEN}", TOKEN)
    assert not bearer_matches(TOKEN, TOKEN)
    assert not bearer_matches(None, TOKEN)
    assert not bearer_matches("Bearer ", "")
    assert not bearer_matches("Bearer \udc80", TOKEN)  # not even valid text: refused, no crash


def test_with_nothing_set_the_residents_port_has_no_metrics():
    assert decide("", False, False, None) == "not_found"
    assert decide("", False, False, f"Bearer {TOKEN}") == "not_found"


def test_with_a_token_the_residents_port_serves_metrics_only_to_its_holder():
    assert decide(TOKEN, False, False, f"Bearer {TOKEN}") == "serve"
    assert decide(TOKEN, False, False, None) == "unauthorised"
    assert decide(TOKEN, False, False, "Bearer wrong") == "unauthorised"


@pytest.mark.parametrize("token", ["", TOKEN])
def test_with_a_separate_address_the_residents_port_has_no_metrics(token):
    assert decide(token, True, False, f"Bearer {TOKEN}") == "not_found"


def test_the_separate_listener_serves_metrics_and_still_wants_a_token_when_one_is_set():
    assert decide("", True, True, None) == "serve"
    assert decide(TOKEN, True, True, None) == "unauthorised"
    assert decide(TOKEN, True, True, f"Bearer {TOKEN}") == "serve"
