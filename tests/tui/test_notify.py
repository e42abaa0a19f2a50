"""Notices in the TUI, against moto: when the watched job (or one submitted from the app)
ends or stalls, the app writes the bell, OSC 9 and OSC 777 to its terminal and runs the
settings' notify-command; a job neither watched nor submitted here is not told of."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from smtui.core.notify import Notice, sequences
from smtui.services.factory import BackendSettings, make_backend
from smtui.services.settings import settings_path
from smtui.tui.app import SmtuiApp
from smtui.tui.hosts import HostLines
from smtui.tui.joblist import RefreshPolicy
from tests.awsfakes import create_job, sagemaker_backend, set_status
from tests.fleet import JOB as FLEET
from tests.fleet import fleet, fleet_metrics
from tests.tui.conftest import until

T0 = dt.datetime(2026, 12, 6, 9, 0, tzinfo=dt.UTC)


def recorder(tmp_path: Path) -> Path:
    """A notify-command in the settings that appends its argv to a file, a line a run."""
    out = tmp_path / "told.txt"
    script = tmp_path / "notify.py"
    line = f"open({str(out)!r}, 'a').write(json.dumps(sys.argv[1:]) + '\\n')\n"
    script.write_text("import json, sys\n" + line)
    settings_path().parent.mkdir(parents=True, exist_ok=True)
    settings_path().write_text(json.dumps({"notify-command": [sys.executable, str(script)]}))
    return out


def told(out: Path) -> list[list[str]]:
    return [json.loads(line) for line in out.read_text().splitlines()] if out.exists() else []


def capture(app: SmtuiApp) -> list[str]:
    """What the app writes to its terminal from now on."""
    driver: Any = app._driver
    written: list[str] = []
    write = driver.write

    def spy(data: str) -> None:
        written.append(data)
        write(data)

    driver.write = spy
    return written


async def test_the_watched_job_ending_is_told_and_another_is_not(
    moto_aws: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TMUX", raising=False)
    out = recorder(tmp_path)
    for minutes, name in ((0, "other"), (1, "watched")):
        create_job(name, status="InProgress")
        job = sagemaker_backend().training_jobs[name]
        job.creation_time = T0 + dt.timedelta(minutes=minutes)
    app = SmtuiApp(make_backend(BackendSettings("aws", region="us-east-1")))
    async with app.run_test(size=(100, 30)) as pilot:
        app.jobs.model.policy = RefreshPolicy(busy=0.05, idle=0.05)
        await until(pilot, lambda: app.logs.job == "watched", "the newest job watched")
        await until(pilot, lambda: len(app.jobs.model.details) == 2, "both described")
        written = capture(app)
        set_status("other", "Completed")
        set_status("watched", "Failed")
        sagemaker_backend().training_jobs["watched"].failure_reason = "AlgorithmError: OOM"
        expected = sequences(Notice("watched", "Failed", "AlgorithmError: OOM"), {})
        await until(pilot, lambda: expected in "".join(written), "the bell and the OSC")
        await until(pilot, lambda: told(out) == [["watched", "Failed", "AlgorithmError: OOM"]],
                    "the notify command")  # fmt: skip
        await until(pilot, lambda: app.jobs.status_of("other") == "Completed", "other listed")
        await pilot.pause(0.3)
        assert "other" not in "".join(written)  # neither watched nor submitted here
        assert len(told(out)) == 1


async def test_a_stall_found_while_watching_is_told_and_one_found_on_opening_is_not(
    moto_aws: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TMUX", raising=False)
    out = recorder(tmp_path)
    fleet(metrics=False)  # no metrics yet: nothing to flag at the first read
    app = SmtuiApp(make_backend(BackendSettings("aws", region="us-east-1")))
    async with app.run_test(size=(100, 30)) as pilot:
        written = capture(app)
        metrics = app.backend.metrics
        assert metrics is not None
        metrics.period = 1  # reads a minute apart on aws: a second apart here
        lines = app.query_one(HostLines)
        await until(pilot, lambda: lines.job == FLEET and lines.series, "the first read")
        fleet_metrics()  # the job stalls while watched
        await until(pilot, lambda: told(out), "the notify command")
        ((job, status, reason),) = told(out)
        assert (job, status) == (FLEET, "Stalled")
        assert reason.startswith("algo-2 idle: GPU 2.0 %/GPU at most for 10 min · algo-3")
        assert "\a\x1b]9;smtui: " + FLEET + " Stalled: algo-2 idle" in "".join(written)
        await pilot.pause(0.6)  # more reads, the same flags: told once
        assert len(told(out)) == 1
    # Opened on a job that had stalled already: shown, not announced.
    app = SmtuiApp(make_backend(BackendSettings("aws", region="us-east-1")))
    async with app.run_test(size=(100, 30)) as pilot:
        written = capture(app)
        await until(pilot, lambda: app.jobs.flags.get(FLEET), "flagged")  # fmt: skip
        assert "\a" not in "".join(written) and len(told(out)) == 1
