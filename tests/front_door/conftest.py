"""The front door serves the widget bundle (webchat_widget/dist/widget.js, not committed):
tests that start the front door build it first, as `make widget` does (only when its
sources changed); tests that start nothing (make check) do not need node."""

from __future__ import annotations

import subprocess

import pytest

from bot.processes import ROOT

_built: list[bool] = []


def build_widget() -> None:
    if not _built:
        subprocess.run(["make", "-s", "widget"], cwd=ROOT, check=True, capture_output=True)
        _built.append(True)


@pytest.fixture(autouse=True)
def widget_built(request) -> None:
    if request.node.get_closest_marker("servers"):
        build_widget()
