"""The front door serves the widget bundle (webchat_widget/dist/widget.js, not committed):
build it once per run, as `make widget` does, when its sources changed."""

from __future__ import annotations

import subprocess

import pytest

from bot.processes import ROOT


def build_widget() -> None:
    subprocess.run(["make", "-s", "widget"], cwd=ROOT, check=True, capture_output=True)


@pytest.fixture(scope="session", autouse=True)
def widget_built() -> None:
    build_widget()
