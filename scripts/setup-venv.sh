#!/usr/bin/env bash
# Create .venv with Python 3.10 (Rasa 3.6 refuses 3.11) and install the locked packages.
set -euo pipefail
cd "$(dirname "$0")/.."

find_python() {
  if [ -n "${PYTHON:-}" ]; then echo "$PYTHON"; return; fi
  if command -v python3.10 >/dev/null 2>&1 && python3.10 --version >/dev/null 2>&1; then
    command -v python3.10; return
  fi
  local root
  root=$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")
  for candidate in "$root"/versions/3.10*/bin/python3.10 /usr/bin/python3.10 /usr/local/bin/python3.10; do
    if [ -x "$candidate" ]; then echo "$candidate"; return; fi
  done
  return 1
}

if [ ! -x .venv/bin/python ]; then
  py=$(find_python) || {
    echo "Python 3.10 is needed (Rasa 3.6 does not run on 3.11+)." >&2
    echo "Install it (e.g. 'pyenv install 3.10') or set PYTHON=/path/to/python3.10." >&2
    exit 1
  }
  echo "Creating .venv with $py"
  "$py" -m venv .venv
fi

echo "Installing locked Python packages (first time: a few minutes)"
.venv/bin/python -m pip install --quiet --disable-pip-version-check pip==24.3.1 wheel==0.45.1
.venv/bin/python -m pip install --disable-pip-version-check --progress-bar off \
  -r requirements.txt -c constraints.txt
.venv/bin/python -m pip check
touch .venv/.installed
