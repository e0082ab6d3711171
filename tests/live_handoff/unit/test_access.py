"""Who among staff may read a conversation and add notes to it (live_handoff.access):
every mode, every relation of the reader to the chat, with and without the supervisor role."""

from __future__ import annotations

import pytest

from live_handoff.access import NONE, Access, held_by, may_read
from live_handoff.auth import effective_roles

ADVISOR = effective_roles("advisor")
SUPERVISOR = effective_roles("supervisor")
MODES = ("bot", "queued", "advisor", "closed")


def chat(mode: str, relation: str) -> dict[str, str]:
    """A conversation in ``mode`` whose relation to "sam" is one of: none (never his),
    current (his now), past (he had it before), other (another advisor's now)."""
    conversation = {"mode": mode}
    if relation == "current":
        conversation.update(advisor="sam", held_by="sam")
    elif relation == "past":
        conversation.update(held_by="sam,priya")
        if mode == "advisor":
            conversation["advisor"] = "priya"
    elif relation == "other":
        conversation.update(held_by="priya")
        if mode == "advisor":
            conversation["advisor"] = "priya"
    return conversation


# (mode, relation) -> what an advisor may do. "current" exists only in advisor mode: once a
# chat leaves it, its advisor field is cleared and it is a past chat.
ADVISOR_RULE = {
    **{(mode, "none"): NONE for mode in ("bot", "advisor", "closed")},
    **{(mode, "other"): NONE for mode in ("bot", "advisor", "closed")},
    ("queued", "none"): Access("read_only"),
    ("queued", "other"): Access("read_only"),
    ("queued", "past"): Access("read_only"),
    **{(mode, "past"): Access("read_only") for mode in ("bot", "advisor", "closed")},
    ("advisor", "current"): Access("full", may_note=True),
}


@pytest.mark.parametrize(("mode", "relation"), sorted(ADVISOR_RULE))
def test_an_advisor_reads_only_queued_chats_their_own_and_their_past_ones(mode, relation):
    assert may_read(chat(mode, relation), "sam", ADVISOR) == ADVISOR_RULE[(mode, relation)]


@pytest.mark.parametrize(("mode", "relation"), sorted(ADVISOR_RULE))
def test_a_supervisor_reads_every_chat_and_may_add_notes(mode, relation):
    got = may_read(chat(mode, relation), "sam", SUPERVISOR)

    assert got.readable and got.may_note
    assert got.level == ("full" if relation == "current" else "read_only")


@pytest.mark.parametrize(("mode", "relation"), sorted(ADVISOR_RULE))
def test_a_supervisor_is_audited_as_one_only_when_an_advisor_could_not_read_it(mode, relation):
    got = may_read(chat(mode, relation), "sam", SUPERVISOR)

    expected = "advisor" if ADVISOR_RULE[(mode, relation)].readable else "supervisor"
    assert got.role == expected


@pytest.mark.parametrize("roles", [ADVISOR, SUPERVISOR, []])
def test_nobody_reads_a_conversation_that_does_not_exist(roles):
    assert may_read({}, "sam", roles) == NONE


@pytest.mark.parametrize("mode", MODES)
def test_a_past_advisor_never_adds_notes(mode):
    assert not may_read(chat(mode, "past"), "sam", ADVISOR).may_note


def test_a_manager_or_editor_without_the_advisor_role_is_not_a_supervisor():
    assert may_read(chat("closed", "none"), "sam", ["manager", "editor", "dpo"]) == NONE


def test_holders_are_read_from_the_comma_separated_field():
    assert held_by({"held_by": "sam,priya"}) == {"sam", "priya"}
    assert held_by({"held_by": ""}) == frozenset()
    assert held_by({}) == frozenset()


def test_a_username_that_merely_contains_a_past_holder_is_not_one():
    assert may_read({"mode": "closed", "held_by": "sam.smith"}, "sam", ADVISOR) == NONE
