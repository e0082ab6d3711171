"""`python -m knowledge_base try` reports exactly what the running bot does."""

import csv
import json
import random
import subprocess
import sys

from knowledge_base import load_knowledge_base
from knowledge_base.nlu_model import preview
from tests.integration.conftest import ROOT, Conversation, route_of, text_of


def sample_messages(n: int = 40) -> list[str]:
    with (ROOT / "tests" / "data" / "heldout_routes.csv").open(encoding="utf-8") as handle:
        rows = [row["text"] for row in csv.DictReader(handle)]
    return random.Random(2026).sample(rows, n)


def test_try_route_and_answer_equal_the_bots_for_a_sample_of_messages(servers, route_parser):
    kb = load_knowledge_base()
    for text in sample_messages():
        messages = Conversation(servers.rasa_url).say(text)  # a fresh conversation: a first message
        routing = route_parser.route(text, kb)
        bot_route = route_of(messages)
        assert (routing.route, round(routing.confidence, 4)) == (bot_route["name"], bot_route["confidence"]), text
        # Rasa splits paragraphs into separate messages unless there are buttons. Reports go on
        # with the form's first question, and tracking with the live status, after this reply.
        expected = " ".join(preview(routing, kb).text.split())
        said = " ".join(text_of(messages).split())
        if routing.route.startswith("request:") or routing.route == "track_request":
            assert said.startswith(expected), text
        else:
            assert said == expected, text


def test_try_command_prints_route_confidence_and_answer():
    result = subprocess.run(
        [sys.executable, "-m", "knowledge_base", "try", "--json", "how do I pay my council tax"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    output = json.loads(result.stdout)
    assert output["route"] == "faq:council-tax-pay"
    assert 0.4 <= output["confidence"] <= 1
    assert output["answer"]["text"].startswith("You can pay your council tax")


def test_evaluate_command_reports_json_figures_and_misrouted_lines(tmp_path):
    path = tmp_path / "few.csv"
    path.write_text(
        "text,route\nwhen is bin day,faq:bin-collection-day\nhello there,smalltalk:greet\n"
        "how do I pay my council tax,faq:recycling\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        [sys.executable, "-m", "knowledge_base", "evaluate", "--json", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    output = json.loads(result.stdout)
    assert output["accuracy"] == round(2 / 3, 4)
    assert output["per_route"]["faq:recycling"] == {"precision": 0.0, "recall": 0.0, "support": 1}
    assert [e["text"] for e in output["errors"]] == ["how do I pay my council tax"]


def test_evaluate_command_rejects_a_malformed_file_clearly(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("message,label\nhi,greet\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "knowledge_base", "evaluate", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "first line must be exactly 'text,route'" in result.stderr


def test_kb_check_with_routing_finds_nothing_to_improve_in_the_shipped_content():
    result = subprocess.run(
        [sys.executable, "-m", "knowledge_base", "check", "--routing", "--strict"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no problems found (questions, links, review dates, readability, routing)" in result.stdout
