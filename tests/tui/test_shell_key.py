"""`!` in the TUI against moto: it asks before turning remote debug on, sends the exact
UpdateTrainingJob, and runs the session command with the app suspended (Textual cannot
suspend a headless app, so the suspension is recorded instead; the command runs for real);
the host is the one the logs pane shows. Read-only mode refuses to turn remote debug on."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from smtui.services.factory import BackendSettings, make_backend
from smtui.tui.app import SmtuiApp
from smtui.tui.dialogs import ConfirmDialog
from tests.awsfakes import add_update_training_job, create_job, set_status
from tests.tui.conftest import until


@pytest.fixture
def suspended(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Each suspension of the app, in and out."""
    seen: list[str] = []

    @contextlib.contextmanager
    def suspend(self: Any) -> Iterator[None]:
        seen.append("in")
        yield
        seen.append("out")

    monkeypatch.setattr(SmtuiApp, "suspend", suspend)
    return seen


def notes(app: SmtuiApp) -> list[str]:
    return [f"{n.title}: {n.message}" for n in app._notifications]


async def test_bang_asks_turns_remote_debug_on_and_runs_the_session_suspended(
    moto_aws: None,
    tools: Path,
    suspended: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    create_job("run-1", hosts=2)
    set_status("run-1", "InProgress", "Training")
    updates = add_update_training_job(monkeypatch)
    app = SmtuiApp(make_backend(BackendSettings("aws", region="us-east-1")))
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: app.jobs.selected == "run-1", "the job")
        await until(pilot, lambda: app.logs.hosts == 2, "its hosts")
        app.logs.action_cycle_host()  # the logs show algo-1 alone: the shell goes there
        app.logs.action_cycle_host()
        assert app.logs.host == "algo-2"
        await pilot.press("exclamation_mark")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog), "the question")
        await pilot.press("y")
        await until(pilot, lambda: suspended == ["in", "out"], "the session")
        assert updates == [{"TrainingJobName": "run-1",
                            "RemoteDebugConfig": {"EnableRemoteDebug": True}}]  # fmt: skip
        assert json.loads(tools.read_text())[:4] == [
            "ssm",
            "start-session",
            "--target",
            "sagemaker-training-job:run-1_algo-2",
        ]
        await until(pilot, lambda: any("ended (exit code 0)" in n for n in notes(app)), "end")


async def test_read_only_mode_refuses_to_turn_remote_debug_on(
    moto_aws: None,
    tools: Path,
    suspended: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    create_job("run-1")
    set_status("run-1", "InProgress", "Training")
    updates = add_update_training_job(monkeypatch)
    app = SmtuiApp(make_backend(BackendSettings("aws", region="us-east-1", readonly=True)))
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: app.jobs.selected == "run-1", "the job")
        await pilot.press("exclamation_mark")
        await until(pilot, lambda: any("read-only mode" in n for n in notes(app)), "refused")
        assert updates == [] and suspended == [] and not tools.exists()
        assert not isinstance(app.screen, ConfirmDialog)
