"""The case system's rules for residents' words and contact details (contracts.contact_rules),
shared by the Open311 service and the relay."""

from __future__ import annotations

import pytest

from contracts import contact_rules as rules


@pytest.mark.parametrize(
    ("value", "limit", "kind"),
    [
        ("Jo \ud800", 100, "unreadable"),
        ("\udfffa message", 2000, "unreadable"),
        ("Jo\x00Bloggs", 100, "control"),
        ("line one\x07", 2000, "control"),
        ("<script>x</script>", 2000, "web_code"),
        ("javascript:alert(1)", 100, "web_code"),
        ("x" * 101, 100, "too_long"),
    ],
)
def test_values_the_case_system_refuses_say_why(value, limit, kind):
    with pytest.raises(rules.FieldProblem) as refused:
        rules.clean(value, limit)
    assert refused.value.kind == kind


def test_short_values_become_one_line_and_descriptions_keep_their_lines():
    assert rules.clean("  Jo \t  Bloggs\n", 100) == "Jo Bloggs"
    assert rules.clean("  first line\n\tsecond line  ", 2000) == "first line\n\tsecond line"
    assert rules.clean("   ", 100) is None and rules.clean(None, 100) is None
    assert rules.clean("My bin is 3 < 4 days late", 2000) == "My bin is 3 < 4 days late"


def test_too_long_says_the_limit_and_the_length():
    with pytest.raises(rules.FieldProblem) as refused:
        rules.clean("x" * 2001, rules.DESCRIPTION_LIMIT)
    assert (refused.value.limit, refused.value.length) == (2000, 2001)


@pytest.mark.parametrize(
    ("email", "kind"),
    [("javascript:x@example.zz", "web_code"), ("jo@example", "format"), ("jo @example.com", "format")],
)
def test_emails_the_case_system_refuses(email, kind):
    with pytest.raises(rules.FieldProblem) as refused:
        rules.clean_email(email)
    assert refused.value.kind == kind


def test_ordinary_emails_and_phones_pass_cleaned():
    assert rules.clean_email(" jo.bloggs+bins@example.co.uk ") == "jo.bloggs+bins@example.co.uk"
    assert rules.clean_phone("+44 (0)1632 960123") == "+44 (0)1632 960123"
    with pytest.raises(rules.FieldProblem):
        rules.clean_phone("call me")


def test_a_name_splits_into_first_and_last_as_the_case_system_stores_it():
    assert rules.split_name("Jo Anne Bloggs") == ("Jo", "Anne Bloggs")
    assert rules.split_name("Jo") == ("Jo", None)
    assert rules.split_name("") == (None, None)
