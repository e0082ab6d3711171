"""Rasa's own checks: the training data validates and the conversation test stories pass."""

import os
import subprocess

from tests.integration.conftest import ROOT

ENV = {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "3"}
RASA = str(ROOT / ".venv" / "bin" / "rasa")


def test_rasa_data_validate_is_clean():
    result = subprocess.run(
        [
            RASA,
            "data",
            "validate",
            "--config",
            "config.yml",
            "--domain",
            "bot/domain",
            "--data",
            "bot/data",
            "--fail-on-warnings",
        ],
        cwd=ROOT,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "UserWarning" not in result.stdout + result.stderr


def test_conversation_test_stories_pass_with_no_prediction_errors(tmp_path):
    result = subprocess.run(
        [
            RASA,
            "test",
            "core",
            "--e2e",
            "--model",
            "models/front-desk.tar.gz",
            "--stories",
            "bot/tests",
            "--fail-on-prediction-errors",
            "--out",
            str(tmp_path),
        ],
        cwd=ROOT,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "None of the test stories failed" in (tmp_path / "failed_test_stories.yml").read_text()
