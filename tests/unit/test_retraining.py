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
