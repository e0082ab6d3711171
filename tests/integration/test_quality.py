"""Quality bars on data the model never trained on (tests/data/heldout_routes.csv and the
CLINC150 out-of-scope dev lines in ../shared/eval)."""

from pathlib import Path

import pytest

from knowledge_base import load_knowledge_base
from knowledge_base.evaluation import read_examples, score, shared_eval_file
from knowledge_base.routes import all_routes
from tests.integration.conftest import ROOT

HELDOUT = ROOT / "tests" / "data" / "heldout_routes.csv"
CLINC_OOS = shared_eval_file("clinc150_oos_dev.txt")


@pytest.fixture(scope="module")
def heldout_result(route_parser):
    kb = load_knowledge_base()
    examples = read_examples(HELDOUT, all_routes(kb.articles))
    return score(examples, [route_parser.route(e.text, kb).route for e in examples])


def test_held_out_route_accuracy_is_at_least_90_percent(heldout_result):
    assert heldout_result["accuracy"] >= 0.90, heldout_result["errors"]


@pytest.mark.parametrize("route", ["urgent:safeguarding", "urgent:emergency"])
def test_every_held_out_urgent_message_takes_its_urgent_route(heldout_result, route):
    assert heldout_result["per_route"][route]["recall"] == 1.0, [
        e for e in heldout_result["errors"] if e["expected"] == route
    ]


def test_no_held_out_message_is_trained_on():
    kb = load_knowledge_base()
    trained = {" ".join(q.lower().split()) for a in kb.articles.values() for q in a.questions}
    for path in (ROOT / "bot" / "data" / "nlu").glob("*.yml"):
        trained |= {
            " ".join(line.strip()[2:].lower().split())
            for line in path.read_text().splitlines()
            if line.strip().startswith("- ")
        }
    examples = read_examples(HELDOUT, all_routes(kb.articles))
    oos = [line.strip() for line in CLINC_OOS.read_text().splitlines() if line.strip()]
    leaked = [t for t in [e.text for e in examples] + oos if " ".join(t.lower().split()) in trained]
    assert leaked == []


def test_at_most_5_percent_of_clinc150_out_of_scope_lines_get_another_route(route_parser):
    kb = load_knowledge_base()
    lines = [line.strip() for line in Path(CLINC_OOS).read_text(encoding="utf-8").splitlines() if line.strip()]
    accepted = [t for t in lines if route_parser.route(t, kb).route != "out_of_scope"]
    assert len(accepted) / len(lines) <= 0.05, accepted
