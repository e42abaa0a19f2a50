"""Read-only mode in the TUI, against moto and the local backend: every key that would
change the account (stop, resubmit, submit, sync, watch), on every screen it is on and in
the palette, does nothing and sends nothing; the header, the footer and the help say so."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import boto3
import pytest
from textual.widgets import Header, Static

from smtui.core.config import resolve_config
from smtui.core.overrides import Overrides
from smtui.services.factory import BackendSettings, make_backend
from smtui.services.home import smtui_home
from smtui.services.local import local_backend
from smtui.services.readonly import read_only
from smtui.services.submit import submit_spec
from smtui.tui.app import SmtuiApp
from smtui.tui.details import DetailsScreen
from smtui.tui.dialogs import HelpScreen
from smtui.tui.guard import MUTATING
from smtui.tui.main import MainScreen
from tests.awsfakes import add_stop_training_job, create_job, mutations, record_calls
from tests.tui.conftest import burst, shown, until
from tests.tui.test_data import keys, open_data

JOBS = 300


def many_jobs(count: int = JOBS) -> None:
    """300 jobs (or `count`), a few of them running, as a real account lists them."""
    t0 = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)
    from tests.awsfakes import sagemaker_backend

    client = boto3.client("sagemaker", region_name="us-east-1")
    for i in range(count):
        name = f"run-{i:03d}"
        create_job(name, status="InProgress" if i % 50 == 0 else "Completed", via=client)
        sagemaker_backend().training_jobs[name].creation_time = t0 + dt.timedelta(minutes=i)


async def test_every_mutating_key_does_nothing_and_sends_nothing(
    moto_aws: None, data_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stopped = add_stop_training_job(monkeypatch)
    many_jobs()
    backend = make_backend(BackendSettings("aws", region="us-east-1", readonly=True))
    app = SmtuiApp(backend, config=data_project, overrides=Overrides())
    sent = record_calls(monkeypatch)
    async with app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: app.jobs.table.row_count > 0, "the rows")
        assert "READ-ONLY" in str(app.query_one(Header).query_one("HeaderTitle").render())
        await pilot.press("down", "down")  # not the newest: run-250 is running
        await until(pilot, lambda: app.jobs.status_of(app.jobs.selected or "") is not None, "row")
        # Keys in one read, as over SSH: each would open a dialog or a form, and y answer it;
        # a mark and x too (marks are allowed: they change nothing).
        burst(app, "x", "y", "r", "s", "ctrl+s", "space", "x", "y", "K")
        await pilot.pause(0.3)
        assert isinstance(app.screen, MainScreen)
        assert app.jobs.marked == 1
        assert shown(app.query_one("#jobs-title")).strip().endswith("·  1 marked")
        for action in ("stop_job", "resubmit", "submit"):
            assert app.main.check_action(action, ()) is None  # greyed out in the footer
        assert app.main.check_action("download", ()) is True
        # The data view: plan and send, and watch mode.
        pane = await open_data(app, pilot)
        burst(app, "u", "u", "w")
        await pilot.pause(0.5)
        assert not pane.watching and keys() == []
        assert {pane.check_action(action, ()) for action in ("sync", "toggle_watch")} == {None}
        # The details screen's stop and resubmit.
        await pilot.press("1")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, DetailsScreen), "the details")
        burst(app, "x", "y", "r")
        await pilot.pause(0.3)
        assert isinstance(app.screen, DetailsScreen)
        await pilot.press("escape")
        # The palette offers none of them; the help says they are off.
        offered = {command.title for command in app.get_system_commands(app.main)}
        assert "Stop the selected job, or every marked one (asks first)" not in offered
        assert "Submit a job from the selected config" not in offered
        assert "Download the selected job's model.tar.gz to ./<job>/" in offered
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        help_text = shown(app.screen.query(Static).last())
        assert (
            "Stop the selected job, or every marked one (asks first) (off: read-only mode)"
            in help_text
        )
        # What a path that forgot to ask would do: refused by the app and the backend.
        await pilot.press("escape")
        app.stop_job("run-250", "InProgress")
        await pilot.pause(0.1)
        assert isinstance(app.screen, MainScreen)
        assert any("read-only mode: stopping a job" in n.message for n in app._notifications)
    assert stopped == [] and mutations(sent) == [] and sent
    jobs = boto3.client("sagemaker", region_name="us-east-1")
    assert len(jobs.list_training_jobs(MaxResults=100)["TrainingJobSummaries"]) == 100  # none new


def test_the_guard_names_every_mutating_binding() -> None:
    """The guard's set names actions the screens and panes bind (a typo there would leave
    a key live)."""
    from smtui.tui.data import DataPane
    from smtui.tui.jobs import JobsPane
    from smtui.tui.logs import LogPane

    actions = {
        b.action
        for node in (MainScreen, DetailsScreen, DataPane, JobsPane, LogPane)
        for b in node.BINDINGS
        if not isinstance(b, tuple)
    }
    assert {"submit", "stop_job", "resubmit", "sync", "toggle_watch"} <= actions
    assert MUTATING <= actions


async def test_a_running_local_job_is_not_stopped(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project.parent / "code-bundle" / "train.py").write_text(
        "import time\nprint('started', flush=True)\ntime.sleep(120)\n"
    )
    backend = local_backend(smtui_home())
    job = (await submit_spec(backend, resolve_config(project, None, {}))).job_name
    app = SmtuiApp(read_only(backend), config=project)
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await until(pilot, lambda: "started" in app.logs.view.lines, "the script running")
            burst(app, "x", "y", "r", "s")
            await pilot.pause(1.0)
            assert isinstance(app.screen, MainScreen)
            assert (await backend.jobs.describe_job(job)).status == "InProgress"
            assert "READ-ONLY" in app.title
    finally:
        await backend.jobs.stop_job(job)
