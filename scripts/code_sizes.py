"""The largest modules and functions, to keep modules small (docs/architecture.md).

python scripts/code_sizes.py [FOLDER]   # default: the whole project
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

SKIP = {".venv", "node_modules", "generated", "tests", "benchmarks", ".git", "dist"}


def sizes(root: Path) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    modules, functions = [], []
    for path in sorted(root.rglob("*.py")) + sorted(root.rglob("*.js")):
        if SKIP & set(path.relative_to(root).parts):
            continue
        text = path.read_text(encoding="utf-8")
        modules.append((len(text.splitlines()), str(path.relative_to(root))))
        if path.suffix == ".py":
            for node in ast.walk(ast.parse(text)):
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.end_lineno:
                    functions.append((node.end_lineno - node.lineno + 1, f"{path.relative_to(root)}:{node.name}"))
    return sorted(modules, reverse=True), sorted(functions, reverse=True)


def main() -> None:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    modules, functions = sizes(root)
    print("largest modules:", ", ".join(f"{m} ({n})" for n, m in modules[:8]))
    print("Python modules over 400 lines:", sum(n > 400 for n, m in modules if m.endswith(".py")))
    print("largest functions:", ", ".join(f"{f} ({n})" for n, f in functions[:8]))
    print("functions over 60 lines:", sum(n > 60 for n, _ in functions))


if __name__ == "__main__":
    main()
