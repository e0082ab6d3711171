"""How a handoff the resident starts is classified: after an urgent route, that category's
reason and queue band (knowledge_base/urgent.py), so an urgent conversation stays urgent."""

from __future__ import annotations

import pytest

from knowledge_base.urgent import CATEGORIES
from live_handoff.handoff import REASONS, ROUTE_URGENCY, checked_handoff
from live_handoff.protocol import CONTRACTS
from live_handoff.queueing import PRIORITY_RANK


@pytest.mark.parametrize("category", CATEGORIES, ids=[c.name for c in CATEGORIES])
def test_after_an_urgent_route_the_handoff_carries_the_categorys_reason_and_priority(category):
    assert ROUTE_URGENCY[category.route] == (category.name, category.priority)
    assert category.name in REASONS and category.priority in PRIORITY_RANK


def test_crisis_domestic_abuse_safeguarding_and_danger_go_to_the_top_band():
    top = {reason for route, (reason, priority) in ROUTE_URGENCY.items() if priority == "urgent"}
    high = {reason for route, (reason, priority) in ROUTE_URGENCY.items() if priority == "high"}
    assert top == {"crisis", "domestic_abuse", "safeguarding", "danger"}
    assert high == {"gas", "power", "emergency"}


def test_the_relay_knows_exactly_the_reasons_in_the_contract():
    import json

    common = json.loads((CONTRACTS / "common.schema.json").read_text())
    assert REASONS == set(common["$defs"]["reason"]["enum"])


def test_an_off_contract_handoff_keeps_an_urgent_reason_it_recognises():
    reason, priority, summary = checked_handoff({"reason": "crisis", "priority": "urgent", "summary": "not a dict"})
    assert (reason, priority, summary) == ("crisis", "urgent", None)
