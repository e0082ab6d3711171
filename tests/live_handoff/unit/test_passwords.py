"""Staff passwords must be long and hard to guess: not common, not built from the person's
username or name or the council's name; the refusal says what is wrong and what to do."""

from __future__ import annotations

import pytest

from live_handoff import auth, passwords
from tests.passwords import STAFF_PASSWORD


@pytest.mark.parametrize(
    "weak",
    [
        "aaaaaaaaaaaa",
        "password1234",
        "Password123!",
        "qwertyuiop12",
        "abcdefghijkl",
        "samsamsamsam",
        "sampatelsampatel",
        "SamPatel2026!!",
        "S4mP4t3l2026!!",
        "patelsam1234",
        "northbridge2026!",
        "Northbridge Council 2026",
        "frontdesk2026!",
        "198019801980",
        "0102198001021980",
    ],
)
def test_common_patterned_and_personal_passwords_are_refused(weak):
    assert passwords.problem(weak, "sam", "Sam Patel") is not None


@pytest.mark.parametrize(
    "strong", ["tulip quarry mitten velvet", "orbit lantern pickle meadow", "ferret blanket ocean cobbler"]
)
def test_a_passphrase_of_four_random_words_is_accepted(strong):
    assert passwords.problem(strong, "sam", "Sam Patel") is None


def test_a_strong_passphrase_may_contain_a_name_by_chance():
    assert passwords.problem("tulip quarry mitten velvet sam", "sam", "Sam Patel") is None


def test_short_passwords_are_refused_with_the_minimum():
    message = passwords.problem("Xq7!vR2#", "sam", "Sam Patel")
    assert message is not None and "shorter than 12 characters" in message


def test_the_refusal_says_what_is_wrong_and_how_to_choose_better():
    personal = passwords.problem("SamPatel2026!!", "sam", "Sam Patel") or ""
    assert "built from your username or name" in personal and "passphrase" in personal
    common = passwords.problem("password1234", "sam", "Sam Patel") or ""
    assert "commonly used password" in common and "four or more" in common
    council = passwords.problem("northbridge2026!", "sam", "Sam Patel") or ""
    assert "council's name" in council


def test_the_username_with_its_parts_counts_as_personal():
    assert passwords.problem("sam.patel.1234", "sam.patel", "Samuel Patel") is not None


def test_very_long_passwords_are_judged_on_their_start_and_capped_at_what_logins_accept():
    assert passwords.problem("tulip quarry mitten velvet " * 5, "sam", "Sam Patel") is None
    assert passwords.problem("a" * 200, "sam", "Sam Patel") is not None
    assert "longer than 1000" in (passwords.problem("tulip quarry " * 100, "sam", "Sam Patel") or "")


def test_generated_passwords_always_pass():
    made = {passwords.generate("sam", "Sam Patel") for _ in range(200)}
    assert len(made) == 200
    assert all(passwords.problem(p, "sam", "Sam Patel") is None for p in made)


def test_hashing_refuses_a_weak_password_with_the_reason():
    with pytest.raises(auth.WeakPasswordError, match="built from your username or name"):
        auth.hash_password("samsamsamsam", "sam", "Sam Patel")


def test_the_tests_shared_staff_password_passes_the_rules():
    people = [
        ("sam", "Sam Patel"),
        ("priya", "Priya Shah"),
        ("eve", "Eve Jones"),
        ("mina", "Mina Okafor"),
        ("olu", "Olu Bello"),
    ]
    for username, name in people:
        assert passwords.problem(STAFF_PASSWORD, username, name) is None
