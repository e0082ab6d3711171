"""Train the Rasa model only when what it is trained from has changed.

The inputs (pipeline config, domain, training data, knowledge-base-derived files,
urgent phrases, custom component code, spaCy pipeline builder) are hashed; the hash is
stored next to the model. Rasa's own training cache does not see files that components
read themselves (urgent phrases), so when anything changed the model is trained with
``--force``: with this pipeline that takes well under a minute.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "models" / "front-desk.tar.gz"
STAMP = ROOT / "models" / "front-desk.inputs"
INPUTS = [
    "config.yml",
    "bot/domain",
    "bot/data",
    "knowledge_base/urgent_phrases.yml",
    "bot/components",
]


def inputs_hash() -> str:
    digest = hashlib.sha256()
    for entry in INPUTS:
        path = ROOT / entry
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            if "__pycache__" in file.parts:
                continue
            digest.update(str(file.relative_to(ROOT)).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()


def main() -> int:
    wanted = inputs_hash()
    if MODEL.exists() and STAMP.exists() and STAMP.read_text().strip() == wanted:
        print(f"Model up to date: {MODEL.relative_to(ROOT)}")
        return 0
    print("Training the model (its inputs changed)...", flush=True)
    started = time.monotonic()
    command = [
        str(ROOT / ".venv" / "bin" / "rasa"),
        "train",
        "--config",
        "config.yml",
        "--domain",
        "bot/domain",
        "--data",
        "bot/data",
        "--out",
        "models",
        "--fixed-model-name",
        "front-desk",
        "--force",
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(command, cwd=ROOT, env=env)
    if result.returncode != 0 or not MODEL.exists():
        print("Training failed; the previous model (if any) is unchanged.", file=sys.stderr)
        return result.returncode or 1
    STAMP.write_text(wanted + "\n")
    print(f"Model trained in {time.monotonic() - started:.0f} s: {MODEL.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
