import pytest

from knowledge_base.evaluation import EvaluationFileError, Example, read_examples, score


def test_scores_match_hand_computed_values():
    examples = [Example("a", "x"), Example("b", "x"), Example("c", "y"), Example("d", "z")]
    result = score(examples, ["x", "y", "y", "z"], [0.9, 0.5, 0.8, 0.7])
    assert result["accuracy"] == 0.75
    assert result["per_route"]["x"] == {"precision": 1.0, "recall": 0.5, "support": 2}
    assert result["per_route"]["y"] == {"precision": 0.5, "recall": 1.0, "support": 1}
    assert result["errors"] == [{"text": "b", "expected": "x", "predicted": "y", "confidence": 0.5}]


def test_a_route_only_predicted_has_zero_precision_and_support(tmp_path):
    result = score([Example("a", "x")], ["q"])
    assert result["per_route"]["q"] == {"precision": 0.0, "recall": 0.0, "support": 0}


def test_csv_needs_the_text_route_header(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("message,label\nhi,smalltalk:greet\n", encoding="utf-8")
    with pytest.raises(EvaluationFileError, match="text,route"):
        read_examples(path, ["smalltalk:greet"])


def test_csv_with_an_unknown_route_names_the_line(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text('text,route\nhi,smalltalk:greet\n"bye, then",smalltalk:farewell\n', encoding="utf-8")
    with pytest.raises(EvaluationFileError, match="line 3: unknown route 'smalltalk:farewell'"):
        read_examples(path, ["smalltalk:greet"])


def test_missing_csv_is_a_clear_error(tmp_path):
    with pytest.raises(EvaluationFileError, match="file not found"):
        read_examples(tmp_path / "nope.csv", [])
