"""Score masking on a corpus of residents' messages.

Usage: ``python -m contracts.masking_score tests/data/masking_corpus.yml``

The corpus is a YAML list of ``{kind, text, hide: [...], keep: [...]}``. A line passes when
every ``hide`` substring is gone from ``mask(text)`` and every ``keep`` substring is still
there. Prints the score per kind and overall, then each failing line with its output.
Exits 1 when the overall score is below ``PASS_MARK``.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from contracts.masking import mask

PASS_MARK = 0.97


@dataclass(frozen=True)
class Line:
    """One corpus line and what masking made of it."""

    kind: str
    text: str
    masked: str
    shown: tuple[str, ...]  # hide substrings still in the output
    lost: tuple[str, ...]  # keep substrings no longer in it

    @property
    def passed(self) -> bool:
        """True when nothing to hide is shown and nothing to keep is lost."""
        return not self.shown and not self.lost


@dataclass
class Score:
    """A scored corpus."""

    lines: list[Line] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        """The share of lines that pass (0 for an empty corpus)."""
        return sum(line.passed for line in self.lines) / len(self.lines) if self.lines else 0.0

    def by_kind(self) -> dict[str, tuple[int, int]]:
        """``kind -> (passed, total)``, kinds in order of first appearance."""
        counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for line in self.lines:
            counts[line.kind][0] += line.passed
            counts[line.kind][1] += 1
        return {kind: (passed, total) for kind, (passed, total) in counts.items()}

    def report(self) -> str:
        """The per-kind scores, the overall score and every failing line, as text."""
        out = [
            f"{kind:<16} {passed:>4}/{total:<4} {passed / total:7.1%}"
            for kind, (passed, total) in self.by_kind().items()
        ]
        passed = sum(line.passed for line in self.lines)
        out.append(f"{'all':<16} {passed:>4}/{len(self.lines):<4} {self.ratio:7.1%}")
        for line in self.lines:
            if not line.passed:
                out += [f"\nFAIL [{line.kind}] {line.text}", f"  masked: {line.masked}"]
                out += [f"  still shown: {item!r}" for item in line.shown]
                out += [f"  lost: {item!r}" for item in line.lost]
        return "\n".join(out)


def score(entries: list[dict[str, Any]]) -> Score:
    """Mask each entry's text and check its ``hide`` and ``keep`` substrings.

    Args:
        entries: Corpus entries (``kind``, ``text``, ``hide``, ``keep``).

    Returns:
        The scored lines.
    """
    result = Score()
    for entry in entries:
        text = str(entry["text"])
        masked = mask(text)
        result.lines.append(
            Line(
                kind=str(entry.get("kind") or "unknown"),
                text=text,
                masked=masked,
                shown=tuple(str(item) for item in entry.get("hide") or [] if str(item) in masked),
                lost=tuple(str(item) for item in entry.get("keep") or [] if str(item) not in masked),
            )
        )
    return result


def load(path: Path) -> list[dict[str, Any]]:
    """Read a corpus file: a YAML list of mappings."""
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(entries, list) or not all(isinstance(entry, dict) and "text" in entry for entry in entries):
        raise ValueError(f"{path}: expected a YAML list of {{kind, text, hide, keep}}")
    return entries


def main(argv: list[str]) -> int:
    """Print the score of the corpus named on the command line."""
    if len(argv) != 1:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    result = score(load(Path(argv[0])))
    print(result.report())
    return 0 if result.ratio >= PASS_MARK else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
