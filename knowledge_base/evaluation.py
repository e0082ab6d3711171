"""Route accuracy figures: pure functions over (expected, predicted) pairs."""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from knowledge_base.routes import OUT_OF_SCOPE

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def shared_eval_file(name: str, eval_dir: Path | None = None) -> Path:
    """A file of the shared evaluation data (``eval_dir``, i.e. ``FRONT_DESK_EVAL_DIR``, or
    ``../shared/eval`` next to the project); the first candidate if none exists, so errors
    name a path. Without ``eval_dir`` the settings are read now (command-line callers)."""
    if eval_dir is None:
        from knowledge_base.settings import Settings

        eval_dir = Settings.from_env().eval_dir
    candidates = [eval_dir] if eval_dir is not None else []
    candidates += [PROJECT_ROOT.parent / "shared" / "eval", Path("/work/shared/eval")]
    return next((d / name for d in candidates if (d / name).exists()), candidates[0] / name)


class EvaluationFileError(Exception):
    """The evaluation CSV is missing, unreadable or not in the ``text,route`` shape."""


@dataclass(frozen=True)
class Example:
    text: str
    route: str


def read_examples(path: Path | str, known_routes: Iterable[str]) -> list[Example]:
    """Read a ``text,route`` CSV, checking every route is one the bot knows."""
    path = Path(path)
    known = set(known_routes)
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            if reader.fieldnames is None or [f.strip() for f in reader.fieldnames] != ["text", "route"]:
                raise EvaluationFileError(f"{path}: the first line must be exactly 'text,route'")
            examples = []
            for line_no, row in enumerate(reader, start=2):
                text, route = (row.get("text") or "").strip(), (row.get("route") or "").strip()
                if not text or not route:
                    raise EvaluationFileError(f"{path}, line {line_no}: both text and route are needed")
                if route not in known:
                    raise EvaluationFileError(f"{path}, line {line_no}: unknown route {route!r}")
                examples.append(Example(text, route))
    except FileNotFoundError:
        raise EvaluationFileError(f"{path}: file not found") from None
    except UnicodeDecodeError:
        raise EvaluationFileError(f"{path}: not UTF-8 text") from None
    if not examples:
        raise EvaluationFileError(f"{path}: no examples")
    return examples


def score(examples: list[Example], predicted: list[str], confidences: list[float] | None = None) -> dict:
    """Accuracy, per-route precision/recall/support and the misrouted lines.

    Returns:
        ``{"accuracy": float, "cant_help": float, "out_of_scope_accepted": float, "per_route": {route: {"precision", "recall", "support"}},
        "errors": [{"text", "expected", "predicted", "confidence"}]}``
    """
    if len(examples) != len(predicted):
        raise ValueError("one prediction per example is needed")
    confidences = confidences or [None] * len(examples)  # type: ignore[list-item]
    support = Counter(e.route for e in examples)
    predicted_count = Counter(predicted)
    correct = Counter(e.route for e, p in zip(examples, predicted) if e.route == p)
    routes = sorted(set(support) | set(predicted_count))
    per_route = {
        r: {
            "precision": round(correct[r] / predicted_count[r], 4) if predicted_count[r] else 0.0,
            "recall": round(correct[r] / support[r], 4) if support[r] else 0.0,
            "support": support[r],
        }
        for r in routes
    }
    errors = [
        {"text": e.text, "expected": e.route, "predicted": p, "confidence": c}
        for e, p, c in zip(examples, predicted, confidences)
        if e.route != p
    ]
    council = [p for e, p in zip(examples, predicted) if e.route != OUT_OF_SCOPE]
    not_council = [p for e, p in zip(examples, predicted) if e.route == OUT_OF_SCOPE]
    return {
        "accuracy": round(sum(correct.values()) / len(examples), 4),
        # Council questions refused with "I can't help" (a suggestion or an honest "no answer
        # yet" is not a refusal), and non-council questions given anything but the refusal.
        "cant_help": round(council.count(OUT_OF_SCOPE) / len(council), 4) if council else 0.0,
        "out_of_scope_accepted": (
            round(sum(p != OUT_OF_SCOPE for p in not_council) / len(not_council), 4) if not_council else 0.0
        ),
        "per_route": per_route,
        "errors": errors,
    }
