"""The packages' boundaries (docs/architecture.md, "The folders"): every import of one
project package by another must be an allowed edge; the test names any that is not."""

from __future__ import annotations

import ast
from pathlib import Path

from bot.processes import ROOT

PACKAGES = (
    "actions",
    "bot",
    "contracts",
    "front_door",
    "insight",
    "knowledge_base",
    "live_handoff",
    "service_requests",
)
# package -> the module prefixes of other packages it may import. A prefix ending in
# "." allows the package's modules; without it only the package itself (its __init__,
# the public interface).
ALLOWED: dict[str, tuple[str, ...]] = {
    "contracts": (),
    "service_requests": ("contracts.",),  # a council CRM replaces it: it knows nothing else
    "knowledge_base": ("contracts.", "bot.components.", "bot.processes"),
    "bot": ("contracts.", "knowledge_base."),
    "actions": ("contracts.", "knowledge_base", "bot.components."),
    "live_handoff": ("contracts.", "knowledge_base", "bot.components."),
    "insight": ("contracts.", "knowledge_base"),
    # The front door combines the packages, through their public interfaces only.
    "front_door": ("contracts.", "live_handoff", "service_requests", "knowledge_base", "insight"),
}
# Packages whose modules are their interface (libraries of pure parts) for the front door.
OPEN_PACKAGES = ("knowledge_base", "insight", "contracts")


def allowed(package: str, module: str) -> bool:
    if module.split(".")[0] == package:
        return True
    for prefix in ALLOWED[package]:
        if prefix.endswith("."):
            if module == prefix[:-1] or module.startswith(prefix):
                return True
        elif module == prefix or (prefix in OPEN_PACKAGES and module.startswith(prefix + ".")):
            return True
    return False


def project_imports(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return [(line, module) for line, module in found if module.split(".")[0] in PACKAGES]


def forbidden_edges() -> list[str]:
    problems = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "generated" in path.parts:
                continue
            for line, module in project_imports(path):
                if not allowed(package, module):
                    problems.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    return problems


def test_every_import_between_packages_is_an_allowed_edge():
    assert forbidden_edges() == []


def test_a_forbidden_edge_is_found(tmp_path):
    assert not allowed("service_requests", "bot.components.patterns")
    assert not allowed("front_door", "live_handoff.store")
    assert not allowed("actions", "live_handoff")
    assert allowed("front_door", "live_handoff") and allowed("front_door", "knowledge_base.articles")
    path = tmp_path / "x.py"
    path.write_text("import live_handoff.store\nfrom service_requests import app\nimport json\n")
    assert project_imports(path) == [(1, "live_handoff.store"), (2, "service_requests")]
