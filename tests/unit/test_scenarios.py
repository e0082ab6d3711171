import subprocess
import sys

import pytest

from bot.processes import ROOT
from knowledge_base import scenarios as sc


def test_a_malformed_file_names_the_scenario_and_the_key():
    with pytest.raises(sc.ScenarioFileError, match='scenario "bins", turn 1, key "rout"'):
        sc.parse([{"name": "bins", "turns": [{"user": "hi", "rout": "x"}]}], "f.yml")


def test_a_turn_needs_text_or_a_button_and_names_must_be_unique():
    with pytest.raises(sc.ScenarioFileError, match='scenario "a", turn 1'):
        sc.parse([{"name": "a", "turns": [{"route": "x"}]}], "f.yml")
    with pytest.raises(sc.ScenarioFileError, match="used twice"):
        sc.parse([{"name": "a", "turns": [{"user": "x"}]}, {"name": "a", "turns": [{"user": "y"}]}], "f.yml")


def test_route_prefixes_lists_and_text_checks():
    turn = sc.parse(
        [
            {
                "name": "a",
                "turns": [
                    {
                        "user": "x",
                        "route": ["urgent:", "handoff"],
                        "not_route": ["faq:"],
                        "says": ["999"],
                        "not_says": "sorry",
                        "buttons": ["Talk to an advisor"],
                        "handoff": False,
                    }
                ],
            }
        ]
    )[0].turns[0]
    good = sc.BotTurn(route="urgent:crisis", text="Call 999", buttons=[{"title": "talk to an ADVISOR"}])
    assert sc.check(turn, 1, good) == []
    bad = sc.BotTurn(route="faq:x", text="Sorry", buttons=[], handoff=True)
    expected = [f.expected for f in sc.check(turn, 1, bad)]
    assert expected == [
        "route urgent: or handoff",
        "route not faq:",
        "says '999'",
        "does not say 'sorry'",
        "button 'Talk to an advisor'",
        "handoff false",
    ]


def test_a_bot_turn_without_route_metadata_first_fails():
    turn = sc.Turn("hi", None, {})
    got = sc.bot_turn([{"text": "hello"}, {"custom": {"route": {"name": "smalltalk:greet"}}}])
    assert [f.got for f in sc.check(turn, 1, got)] == ["no route metadata"]


def test_slots_compare_with_null_meaning_unset():
    turn = sc.Turn("x", None, {"slots": {"report_postcode": "NB4 2QT", "report_service": None}})
    got = sc.BotTurn(route="request:pothole", slots={"report_postcode": "NB4 2QT"})
    assert sc.check(turn, 1, got) == []


def test_the_command_exits_2_for_a_malformed_file(tmp_path):
    path = tmp_path / "bad.yml"
    path.write_text("- name: x\n  turns:\n    - user: hi\n      says: 3\n")
    done = subprocess.run(
        [sys.executable, "-m", "knowledge_base", "converse", str(path), "--rasa-url", "http://127.0.0.1:9"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2 and 'scenario "x", turn 1, key "says"' in done.stderr
