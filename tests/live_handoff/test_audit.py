"""The staff audit trail on a real Redis."""

from __future__ import annotations

import pytest

from live_handoff import audit


async def test_entries_are_kept_in_order_and_found_by_conversation(store):
    await audit.record(store, "sam", "advisor", "open", "c_aaaaaaaaaaaaaaaaaaaaaa")
    await audit.record(store, "lee", "supervisor", "transcript", "c_bbbbbbbbbbbbbbbbbbbbbb")
    await audit.record(store, "dana", "dpo", "export", "c_aaaaaaaaaaaaaaaaaaaaaa", detail="SAR 2026-14")

    about_a = await audit.entries(store, "c_aaaaaaaaaaaaaaaaaaaaaa")

    assert [(e["who"], e["action"], e["detail"]) for e in about_a] == [
        ("sam", "open", ""),
        ("dana", "export", "SAR 2026-14"),
    ]
    assert len(await audit.entries(store)) == 3
    assert all(e["at"].endswith("+00:00") for e in about_a)


async def test_the_trail_expires_with_the_retention_period(store):
    await audit.record(store, "sam", "advisor", "open", "c_aaaaaaaaaaaaaaaaaaaaaa")

    ttl = await store.redis.ttl(store.key("audit"))

    assert 0 < ttl <= store.ttl


async def test_an_unknown_action_is_refused(store):
    with pytest.raises(ValueError, match="unknown audit action"):
        await audit.record(store, "sam", "advisor", "peek", "c_aaaaaaaaaaaaaaaaaaaaaa")
