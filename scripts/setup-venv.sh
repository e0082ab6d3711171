#!/usr/bin/env bash
# Create .venv with Python 3.10 (Rasa 3.6 refuses 3.11) and install the locked packages.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x .venv/bin/python ]; then
  py=$(bash scripts/find-python310.sh)
  echo "Creating .venv with $py"
  "$py" -m venv .venv
fi

echo "Installing locked Python packages (first time: a few minutes)"
.venv/bin/python -m pip install --quiet --disable-pip-version-check pip==24.3.1 wheel==0.45.1
.venv/bin/python -m pip install --disable-pip-version-check --progress-bar off \
  -r requirements.txt -c constraints.txt
.venv/bin/python -m pip check
touch .venv/.installed
