"""Build the spaCy pipeline Rasa loads: blank English plus an entity ruler.

spaCy's pretrained English models are not on PyPI, and Front Desk needs only
rule-based entities (UK postcodes and request references), so the pipeline is built
from code and saved to ``bot/generated/spacy_en_frontdesk``.

Run: ``python -m bot.components.spacy_pipeline [output-folder]``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import spacy

from bot.components.patterns import INWARD, OUTWARD

DEFAULT_OUTPUT = Path(__file__).resolve().parents[1] / "generated" / "spacy_en_frontdesk"


def entity_patterns() -> list[dict]:
    """Token patterns for the entity ruler (case-insensitive)."""
    outward = {"TEXT": {"REGEX": rf"(?i)^{OUTWARD}$"}}
    inward = {"TEXT": {"REGEX": rf"(?i)^{INWARD}$"}}
    whole = {"TEXT": {"REGEX": rf"(?i)^{OUTWARD}{INWARD}$"}}
    ref_whole = {"TEXT": {"REGEX": r"(?i)^NB-?20[0-9]{2}-?[0-9]{6}$"}}
    return [
        {"label": "postcode", "pattern": [outward, inward]},
        {"label": "postcode", "pattern": [whole]},
        {"label": "reference", "pattern": [ref_whole]},
        # The tokenizer may split on hyphens: NB - 2026 - 000123.
        {
            "label": "reference",
            "pattern": [
                {"TEXT": {"REGEX": r"(?i)^NB$"}},
                {"TEXT": "-", "OP": "?"},
                {"TEXT": {"REGEX": r"^20[0-9]{2}$"}},
                {"TEXT": "-", "OP": "?"},
                {"TEXT": {"REGEX": r"^[0-9]{6}$"}},
            ],
        },
        {
            "label": "reference",
            "pattern": [
                {"TEXT": {"REGEX": r"(?i)^NB-20[0-9]{2}$"}},
                {"TEXT": "-", "OP": "?"},
                {"TEXT": {"REGEX": r"^-?[0-9]{6}$"}},
            ],
        },
    ]


def build(output: Path = DEFAULT_OUTPUT) -> Path:
    """Create and save the pipeline; returns the folder written."""
    nlp = spacy.blank("en")
    nlp.meta["name"] = "en_frontdesk"
    nlp.meta["version"] = "1.0.0"
    nlp.meta["description"] = "Blank English with an entity ruler for UK postcodes and NB- references."
    ruler: Any = nlp.add_pipe("entity_ruler")
    ruler.add_patterns(entity_patterns())
    output.parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(output)
    return output


if __name__ == "__main__":
    path = build(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUTPUT)
    print(f"spaCy pipeline written to {path}")
