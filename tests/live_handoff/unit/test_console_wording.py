"""The advisor console names every urgent category as knowledge_base/urgent.py does."""

from __future__ import annotations

import re
from pathlib import Path

from knowledge_base.urgent import CATEGORIES

CONSOLE = Path(__file__).resolve().parents[3] / "advisor_console" / "console.js"


def console_reasons() -> dict[str, str]:
    block = re.search(r"const REASONS = \{(.*?)\n  \};", CONSOLE.read_text(), re.S)
    assert block, "REASONS map not found in console.js"
    return dict(re.findall(r"^\s*([a-z_]+): '([^']*)',", block.group(1), re.M))


def test_every_urgent_category_has_its_label_in_the_consoles_reasons():
    reasons = console_reasons()
    for category in CATEGORIES:
        assert reasons.get(category.name) == category.label, category.name
