"""Every conversation in tests/scenarios/ played through the real bot, action server and
Open311 service (the same runner as `python -m knowledge_base converse`)."""

from pathlib import Path

import pytest

from knowledge_base import converse, scenarios

FOLDER = Path(__file__).resolve().parents[1] / "scenarios"
ALL = [s for path in converse.scenario_files([str(FOLDER)]) for s in scenarios.load(path)]


def test_there_are_at_least_120_scenarios_with_unique_names():
    names = [s.name for s in ALL]
    assert len(names) >= 120
    assert len(set(names)) == len(names)


@pytest.mark.parametrize("scenario", ALL, ids=[s.name for s in ALL])
def test_scenario(servers, scenario):
    result = converse.play(scenario, servers.rasa_url, servers.rasa_token)
    assert result.passed, "\n".join(
        [f"turn {f.turn}: expected {f.expected}; got {f.got}" for f in result.failures] + result.transcript
    )
