"""Snapshots at 100×30 of the screens users look at most: jobs with logs, details, resubmit.

Everything on them is fixed: moto jobs with set times, log events with set timestamps, the
app's clock, UTC, no blinking cursors and no animations."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import boto3
import pytest
from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from smtui.core.overrides import Overrides
from smtui.services.backend import Backend
from smtui.tui.app import SmtuiApp
from smtui.tui.submit import SubmitScreen
from tests.awsfakes import create_job, put_events, sagemaker_backend
from tests.tui.conftest import painted, until

T0 = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)
SIZE = (100, 30)
RUNNING = "resnet50-20261124-110000-000"
FINISHED = "llama-ft-20261124-090000-000"


def seed() -> None:
    """Three jobs: a finished 2-host run with logs, a failed one, one in progress."""
    plan = [
        ("llama-ft-20261124-090000-000", 0, "Completed", 2, 3600),
        ("llama-ft-20261124-100000-000", 60, "Failed", 1, 420),
        ("resnet50-20261124-110000-000", 120, "InProgress", 4, None),
    ]
    jobs = sagemaker_backend().training_jobs
    for name, minutes, status, hosts, took in plan:
        create_job(
            name, hosts=hosts, status=status,
            HyperParameters={"epochs": "3", "learning_rate": "2e-5", "batch_size": "16",
                             "sagemaker_program": "train.py"},
        )  # fmt: skip
        job = jobs[name]
        job.creation_time = job.last_modified_time = T0 + dt.timedelta(minutes=minutes)
        job.training_start_time = job.creation_time + dt.timedelta(minutes=2)
        job.training_end_time = job.training_start_time + dt.timedelta(seconds=took or 0)
        job.secondary_status = status if took else "Training"
        if not took:
            job.training_end_time = None
        job.secondary_status_transitions = [
            {"Status": "Starting", "StartTime": job.creation_time,
             "EndTime": job.training_start_time, "StatusMessage": "Preparing the instances"},
            {"Status": "Training", "StartTime": job.training_start_time,
             "EndTime": job.training_end_time, "StatusMessage": "Downloading the image"},
        ]  # fmt: skip
    jobs[plan[1][0]].failure_reason = "AlgorithmError: CUDA out of memory (exit code 1)"
    base = int(T0.timestamp() * 1000)
    for host in (1, 2):
        events = [
            (base + 1000 * i + host, f"epoch {i}/3 loss={0.9 / (i + host):.4f}") for i in (1, 2, 3)
        ]
        put_events(f"{plan[0][0]}/algo-{host}-1700000000", events)


@pytest.fixture
def app(aws_backend: Backend) -> SmtuiApp:
    seed()
    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="bucket")
    app = SmtuiApp(aws_backend)
    app.clock = lambda: T0 + dt.timedelta(hours=3)
    app.animation_level = "none"  # scrolls land at once, however busy the machine
    return app


async def settle(pilot: Pilot[Any]) -> None:
    app = pilot.app
    assert isinstance(app, SmtuiApp)
    await until(pilot, lambda: len(app.jobs.model.details) == 3, "every job described")
    await until(pilot, lambda: app.logs.status is not None, "the newest job's log")
    await until(pilot, lambda: app.main.spend.said is not None, "the running jobs' rate")
    # The running job has logged nothing for 58 min: flagged while watched (and not after).
    await until(pilot, lambda: "⚠ quiet" in str(app.jobs.table.get_cell(RUNNING, "secondary")),
                "the quiet job flagged")  # fmt: skip
    for widget in app.query(Input):
        widget.cursor_blink = False


def test_jobs_and_logs(app: SmtuiApp, snap_compare: Any) -> None:
    async def before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("down", "down")  # to the finished 2-host job
        await until(pilot, lambda: app.logs.lines_received == 6, "its six lines")
        await until(pilot, lambda: app.logs.ended, "its drain")
        await until(pilot, lambda: "⚠" not in str(app.jobs.table.get_cell(RUNNING, "secondary")),
                    "the running job's flag gone with its watch")  # fmt: skip
        await painted(pilot, app.logs.view)

    assert snap_compare(app, terminal_size=SIZE, run_before=before)


def test_details_of_a_failed_job(app: SmtuiApp, snap_compare: Any) -> None:
    async def before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("down")
        await until(pilot, lambda: app.logs.job == "llama-ft-20261124-100000-000", "its logs")
        await pilot.press("enter")
        await until(pilot, lambda: pilot.app.screen.query_one("#details-failure").display, "it")
        # Its rows, with the tags, log streams and stored config (they come second).
        await until(pilot, lambda: getattr(pilot.app.screen, "complete", False), "the rows")

    assert snap_compare(app, terminal_size=SIZE, run_before=before)


def test_resubmit_dialog(app: SmtuiApp, snap_compare: Any) -> None:
    async def before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("down", "down")
        await until(pilot, lambda: app.logs.job == FINISHED, "its logs")
        await until(pilot, lambda: "⚠" not in str(app.jobs.table.get_cell(RUNNING, "secondary")),
                    "the running job's flag gone with its watch")  # fmt: skip
        await pilot.press("r")
        await until(pilot, lambda: pilot.app.screen.query(TextArea), "the dialog")
        area = pilot.app.screen.query_one(TextArea)
        area.cursor_blink = False
        area.text = "batch-size=32\nepochs=3\nlearning_rate=2e-5\nwarmup-steps=100"
        for widget in pilot.app.screen.query(Input):
            widget.cursor_blink = False
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=before)


@pytest.fixture
def submit_app(aws_backend: Backend, project: Path) -> SmtuiApp:
    app = SmtuiApp(aws_backend, config=project, overrides=Overrides())
    app.clock = lambda: T0
    app.animation_level = "none"
    return app


async def open_submit(pilot: Pilot[Any]) -> None:
    app = pilot.app
    assert isinstance(app, SmtuiApp)
    await app.main.mount_views()  # the hidden views mount when first needed
    await until(pilot, lambda: app.configs.spec is not None, "the config")
    await until(pilot, lambda: app.main.spend.said is not None, "the running jobs' rate")
    await pilot.press("s")
    await until(pilot, lambda: isinstance(app.screen, SubmitScreen), "the form")
    for widget in app.screen.query(Input):
        widget.cursor_blink = False
    await pilot.pause()


def test_submit_form(submit_app: SmtuiApp, snap_compare: Any) -> None:
    async def before(pilot: Pilot[Any]) -> None:
        await open_submit(pilot)
        pilot.app.screen.query_one("#submit-count", Input).value = "2"
        await pilot.pause()

    assert snap_compare(submit_app, terminal_size=SIZE, run_before=before)


def test_instance_picker_filtered_to_gpus(submit_app: SmtuiApp, snap_compare: Any) -> None:
    async def before(pilot: Pilot[Any]) -> None:
        await open_submit(pilot)
        screen = pilot.app.screen
        screen.query_one("#picker-filter", Input).focus()
        await pilot.press(*"h100", "ctrl+g", "enter")
        # The picker at the top of the form: a place that does not depend on where earlier
        # focus moves left the scroll (a minimal scroll_visible would).
        form = screen.query_one("#submit")
        form.scroll_to_widget(screen.query_one("#picker"), top=True, animate=False)
        await pilot.pause()
        await pilot.pause()

    assert snap_compare(submit_app, terminal_size=SIZE, run_before=before)


def test_data_pane_with_a_plan(aws_backend: Backend, project: Path, snap_compare: Any) -> None:
    project.write_text(project.read_text() + "  sync:\n    src: data\n")
    (project.parent / "data").mkdir()
    (project.parent / "data" / "train.csv").write_text("x,y\n" * 5000)
    (project.parent / "data" / "valid.csv").write_text("x,y\n" * 500)
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="my-bucket")
    s3.put_object(Bucket="my-bucket", Key="custom-run/data/old.csv", Body=b"gone")
    s3.put_object(Bucket="my-bucket", Key="custom-run/code/j/sourcedir.tar.gz", Body=b"")
    app = SmtuiApp(aws_backend, config=project, overrides=Overrides())
    app.clock = lambda: T0
    app.animation_level = "none"

    async def before(pilot: Pilot[Any]) -> None:
        await app.main.mount_views()  # the hidden views mount when first needed
        await until(pilot, lambda: app.configs.spec is not None, "the config")
        await until(pilot, lambda: app.main.spend.said is not None, "the running jobs' rate")
        await pilot.press("2")
        await until(pilot, lambda: app.data.data_present is not None, "the listing")
        await pilot.press("u")
        await until(pilot, lambda: app.data.plan is not None, "the plan")
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=before)
