"""Retraining after editors change questions: in the background, checked, then switched in.

One job at a time (a later request waits for it and then runs once more if content
changed again). Steps: build the training files from the content into a private copy of
bot/, train a candidate model there, check its quality on its own evaluation data
(``knowledge_base/quality/``: held-out routes and the safety set; route accuracy and urgent
recall must reach the bars), and only then ask the running Rasa
server to load it (Rasa's PUT /model; conversations continue, their trackers are in
Redis). A candidate that fails the check is not switched in and the job says why.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from knowledge_base import urgent
from knowledge_base.settings import DEFAULT_MIN_ACCURACY, DEFAULT_MODEL

ROOT = Path(__file__).resolve().parents[1]
# The retraining check's own evaluation data (knowledge_base/quality/README.md), never the
# tests' files: a deployment need not ship tests/.
QUALITY_DIR = Path(__file__).resolve().parent / "quality"
HELD_OUT = QUALITY_DIR / "heldout_routes.csv"
SAFETY_SET = QUALITY_DIR / "safety_eval.csv"
MIN_ACCURACY = DEFAULT_MIN_ACCURACY  # RETRAIN_MIN_ACCURACY, read by knowledge_base.settings
URGENT_ROUTES = urgent.URGENT_ROUTES


@dataclass
class Job:
    id: str
    requested_by: str
    state: str = "waiting"  # waiting, building, training, checking, switching, done, rejected, failed
    started: str = ""
    finished: str = ""
    message: str = ""
    accuracy: float | None = None
    urgent_recall: float | None = None
    model: str = ""
    log: list[str] = field(default_factory=list)

    def say(self, line: str) -> None:
        self.log.append(f"{dt.datetime.now().strftime('%H:%M:%S')} {line}")
        del self.log[:-40]

    def public(self) -> dict[str, Any]:
        return asdict(self)


def quality_problems(
    result: dict[str, Any], min_accuracy: float = MIN_ACCURACY, safety: dict[str, Any] | None = None
) -> list[str]:
    """Why a candidate model must not be switched in (empty when it may). Pure.

    Args:
        result: :func:`knowledge_base.evaluation.score` on the held-out routes.
        min_accuracy: the accuracy bar.
        safety: :func:`knowledge_base.safety.score_safety` on the safety set, if it was run.
    """
    problems = []
    if safety is not None:
        if safety["misses"]:
            problems.append(
                f"it no longer gives the right urgent help to {len(safety['misses'])} message(s) "
                "of the safety set; urgent messages must never be missed"
            )
        if safety["calm"]["false_alarm_rate"] > 0.02:
            problems.append(
                f"it treats {safety['calm']['false_alarm_rate']:.1%} of ordinary messages as urgent (at most 2%)"
            )
    if result["accuracy"] < min_accuracy:
        problems.append(
            f"it routes {result['accuracy']:.1%} of the held-out questions correctly; "
            f"at least {min_accuracy:.0%} is needed"
        )
    for route in URGENT_ROUTES:
        figures = result["per_route"].get(route)
        if figures and figures["recall"] < 1.0:
            problems.append(
                f"it misses some {route} messages (recall {figures['recall']:.0%}); urgent messages "
                "must never be missed"
            )
    return problems


class Retrainer:
    """Runs jobs in this process's event loop; the heavy work is in subprocesses."""

    def __init__(
        self,
        content_dir: Path,
        messages_file: Path,
        models_dir: Path,
        switch: Callable[[Path], Awaitable[None]],
        python: str = sys.executable,
        active_model: Path = DEFAULT_MODEL,
        min_accuracy: float = MIN_ACCURACY,
    ) -> None:
        """Retrain from ``content_dir`` into ``models_dir``; ``switch`` loads a passed model.

        Args:
            active_model: the model the running bot uses (``Settings.model``).
            min_accuracy: the held-out accuracy a candidate must reach (``Settings.retrain_min_accuracy``).
        """
        self.content_dir = content_dir
        self.messages_file = messages_file
        self.models_dir = models_dir
        self.switch = switch
        self.python = python
        self.jobs: dict[str, Job] = {}
        # The model the running bot uses: the trained one until a retrain switches.
        self.active_model = active_model
        self.min_accuracy = min_accuracy
        self.current: Job | None = None
        self._again = False
        self._next: Job | None = None
        self._task: asyncio.Task | None = None

    def request(self, who: str) -> Job:
        """Ask for a retrain; returns the job that will include the latest content. While
        one runs, every request joins the single job queued after it."""
        if self._again and self._next is not None:
            return self._next
        job = Job(id=dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f"), requested_by=who)
        self.jobs[job.id] = job
        if self._task and not self._task.done():
            self._again = True
            self._next = job
        else:
            self._task = asyncio.create_task(self._run(job))
        return job

    async def stop(self) -> None:
        """Stop a retrain in progress (the front door is shutting down); nothing is switched."""
        if self._task and not self._task.done():
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _run(self, job: Job) -> None:
        while True:
            self.current = job
            try:
                await self._train(job)
            except Exception as exc:  # noqa: BLE001 - the editor is told; nothing switched
                job.state, job.message = "failed", f"Retraining failed: {exc}"
                job.say(job.message)
            job.finished = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
            if not self._again or self._next is None:
                return
            self._again = False
            job, self._next = self._next, None

    async def _step(self, job: Job, state: str, *command: str, env: dict[str, str]) -> str:
        job.state = state
        job.say(" ".join(Path(c).name if i == 0 else c for i, c in enumerate(command))[:200])
        process = await asyncio.create_subprocess_exec(
            *command, cwd=str(ROOT), env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
        )
        try:
            output, _ = await process.communicate()
        except asyncio.CancelledError:  # the front door is stopping: leave nothing running
            process.kill()
            await process.wait()
            raise
        text = output.decode(errors="replace")
        if process.returncode != 0:
            raise RuntimeError(f"{state} step failed: {text.strip().splitlines()[-1] if text.strip() else '?'}")
        return text

    async def _train(self, job: Job) -> None:
        job.started = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        started = time.monotonic()
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "FRONT_DESK_CONTENT_DIR": str(self.content_dir),
            "FRONT_DESK_MESSAGES_FILE": str(self.messages_file),
            "TF_CPP_MIN_LOG_LEVEL": "3",
        }
        self.models_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="retrain-") as staging:
            bot = Path(staging) / "bot"
            shutil.copytree(ROOT / "bot" / "domain", bot / "domain", ignore=shutil.ignore_patterns("generated"))
            shutil.copytree(ROOT / "bot" / "data", bot / "data", ignore=shutil.ignore_patterns("generated"))
            await self._step(
                job, "building", self.python, "-m", "knowledge_base", "build", "--bot-dir", str(bot), env=env
            )
            name = f"front-desk-{job.id}"
            await self._step(
                job,
                "training",
                self.python,
                "-m",
                "rasa",
                "train",
                "--config",
                str(ROOT / "config.yml"),
                "--domain",
                str(bot / "domain"),
                "--data",
                str(bot / "data"),
                "--out",
                str(self.models_dir),
                "--fixed-model-name",
                name,
                env=env,
            )
        model = self.models_dir / f"{name}.tar.gz"
        job.model = str(model)
        output = await self._step(
            job,
            "checking",
            self.python,
            "-m",
            "knowledge_base",
            "evaluate",
            str(HELD_OUT),
            "--json",
            "--model",
            str(model),
            env=env,
        )
        result = json.loads(output[output.index("{") :])
        job.accuracy = result["accuracy"]
        urgent = [result["per_route"][r]["recall"] for r in URGENT_ROUTES if r in result["per_route"]]
        job.urgent_recall = min(urgent) if urgent else None
        safety = None
        if SAFETY_SET.exists():
            output = await self._step(
                job,
                "checking",
                self.python,
                "-m",
                "knowledge_base",
                "safety",
                str(SAFETY_SET),
                "--json",
                "--model",
                str(model),
                env=env,
            )
            safety = json.loads(output[output.index("{") :])
        problems = quality_problems(result, self.min_accuracy, safety=safety)
        if problems:
            job.state = "rejected"
            job.message = "The new model was not switched in: " + "; ".join(problems) + "."
            job.say(job.message)
            return
        job.state = "switching"
        job.say("asking the Rasa server to load the new model")
        await self.switch(model)
        self.active_model = model
        job.state = "done"
        job.message = (
            f"The bot now uses the new questions (held-out accuracy {result['accuracy']:.1%}; "
            f"{time.monotonic() - started:.0f} s)."
        )
        job.say(job.message)
