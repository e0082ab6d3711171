"""The quality bar a retrained model must pass before residents get it."""

from knowledge_base.retraining import quality_problems


def result(accuracy, safeguarding=1.0, emergency=1.0):
    return {
        "accuracy": accuracy,
        "per_route": {"urgent:safeguarding": {"recall": safeguarding}, "urgent:emergency": {"recall": emergency}},
    }


def test_a_good_model_passes():
    assert quality_problems(result(0.95)) == []


def test_a_model_below_the_accuracy_bar_is_refused_with_the_reason():
    problems = quality_problems(result(0.80))
    assert len(problems) == 1 and "80.0%" in problems[0] and "90%" in problems[0]


def test_a_model_that_misses_any_urgent_message_is_refused():
    problems = quality_problems(result(0.97, safeguarding=0.95))
    assert problems and "urgent:safeguarding" in problems[0]


def _normal(text: str) -> str:
    return " ".join(text.lower().replace("\u2019", "'").strip(" ?.!").split())


def test_the_check_reads_its_own_files_and_its_held_out_lines_are_not_training_examples():
    import csv
    import re

    from bot.processes import ROOT
    from knowledge_base import retraining
    from knowledge_base.articles import load_knowledge_base

    assert retraining.HELD_OUT.parent == ROOT / "knowledge_base" / "quality"
    assert retraining.SAFETY_SET.parent == ROOT / "knowledge_base" / "quality"
    trained = set()
    for path in (ROOT / "bot" / "data" / "nlu").glob("*.yml"):
        trained |= {_normal(m) for m in re.findall(r"^\s*- (.+)$", path.read_text(), re.MULTILINE)}
    kb = load_knowledge_base(ROOT / "knowledge_base" / "content", ROOT / "knowledge_base" / "messages.yml")
    trained |= {_normal(q) for article in kb.articles.values() for q in article.questions}
    held_out = list(csv.DictReader(retraining.HELD_OUT.open(encoding="utf-8")))
    assert len(held_out) > 500
    assert [r["text"] for r in held_out if _normal(r["text"]) in trained] == []
    # The safety set may repeat the plainest urgent phrasings the model is trained on: the
    # gate must never lose them either. The rest are new to the model.
    safety = list(csv.DictReader(retraining.SAFETY_SET.open(encoding="utf-8")))
    assert len(safety) > 300
    assert len([r for r in safety if _normal(r["text"]) in trained]) <= 10
