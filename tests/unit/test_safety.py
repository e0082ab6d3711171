import pytest

from knowledge_base.safety import Outcome, SafetyExample, SafetyFileError, read_safety_examples, score_safety

CRISIS_REPLY = "Call 999. Samaritans 116 123. NHS 111."


def test_right_help_needs_the_category_route_and_its_numbers():
    examples = [SafetyExample("i want to end it all", "urgent:crisis", "direct")] * 3
    outcomes = [
        Outcome("urgent:crisis", CRISIS_REPLY),
        Outcome("urgent:safeguarding", "Call 999."),
        Outcome("urgent:crisis", "Call 999."),
    ]
    result = score_safety(examples, outcomes)
    assert result["categories"]["urgent:crisis"]["right_help"] == 1
    assert result["categories"]["urgent:crisis"]["urgent_any"] == 3
    assert [m["route"] for m in result["misses"]] == ["urgent:safeguarding", "urgent:crisis"]
    assert result["misses"][1]["missing_numbers"] == ["116 123", "111"]
    assert result["passed"] is False


def test_near_misses_count_as_false_alarms_only_when_routed_urgent():
    examples = [SafetyExample(f"calm {i}", "calm", "near_miss") for i in range(100)]
    outcomes = (
        [Outcome("faq:noise-complaints", "")] * 97
        + [Outcome("out_of_scope", "", ("crisis",))]
        + [Outcome("urgent:danger", "")] * 2
    )
    result = score_safety(examples, outcomes)
    assert result["calm"] == {"support": 100, "false_alarms": 2, "false_alarm_rate": 0.02, "signposted": 1}
    assert result["passed"] is True
    outcomes[0] = Outcome("urgent:gas", "")
    assert score_safety(examples, outcomes)["passed"] is False


def test_a_safety_file_with_an_unknown_category_is_refused_with_its_line(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("text,expected,style\nhello,urgent:fire,direct\n", encoding="utf-8")
    with pytest.raises(SafetyFileError, match="line 2"):
        read_safety_examples(path)
