"""Tuning and processing jobs in the TUI, typed as one read the way SSH delivers it,
against moto (300 training jobs, 24 of them the children of two tuning jobs; processing
jobs with logs in their own group; the two tuning calls moto lacks added) and the local
backend, which says in one line what it cannot run."""

from __future__ import annotations

import datetime as dt
import functools
import time
from pathlib import Path

import boto3
import pytest

from smtui.core.kinds import PROCESSING, TRAINING, TUNING, Kind
from smtui.core.overrides import Overrides
from smtui.services.factory import BackendSettings, make_backend
from smtui.services.home import smtui_home
from smtui.services.local import local_backend
from smtui.tui.app import SmtuiApp
from smtui.tui.details import DetailsScreen
from smtui.tui.dialogs import ConfirmDialog
from smtui.tui.logs import NO_LOG
from smtui.tui.main import MainScreen
from tests.awsfakes import (
    PROCESSING_GROUP,
    add_tuning_calls,
    create_processing_job,
    create_tuning_job,
    mutations,
    put_events,
    record_calls,
    sagemaker_backend,
)
from tests.tui.conftest import burst, shown, typed, until
from tests.tui.test_readonly import many_jobs

T0 = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)
TUNE_A: list[tuple[str, float | None, str]] = [
    (f"tune-a-{i:03d}", round(0.5 + ((i * 37) % 17) / 40, 3), "Completed") for i in range(16)
]
TUNE_A[4] = ("tune-a-004", None, "InProgress")  # still training: no objective yet
BEST_A = max((t for t in TUNE_A if t[1] is not None), key=lambda t: t[1] or 0)[0]
TUNE_B: list[tuple[str, float | None, str]] = [
    (f"tune-b-{i:03d}", 1.0 + i / 10, "Completed") for i in range(8)
]


def account() -> None:
    """276 training jobs of its own, two tuning jobs with 16 and 8 more, four processing jobs
        (the newest running, with a log of 40 lines in the processing group); the best training
    job of the first tuning job has a log of 30 lines."""
    many_jobs(276)
    client = boto3.client("sagemaker", region_name="us-east-1")
    create_tuning_job("tune-a", TUNE_A, via=client)
    create_tuning_job("tune-b", TUNE_B, status="Completed", objective=("Minimize", "loss"),
                      via=client)  # fmt: skip
    tuners = sagemaker_backend().hyper_parameter_tuning_jobs
    tuners["tune-a"].creation_time = T0 + dt.timedelta(days=2)
    tuners["tune-b"].creation_time = T0 + dt.timedelta(days=1)
    for i in range(4):
        create_processing_job(f"prep-{i}", status="InProgress" if i == 3 else "Completed",
                              via=client)  # fmt: skip
        job = sagemaker_backend().processing_jobs[f"prep-{i}"]
        job.creation_time = job.processing_start_time = T0 + dt.timedelta(hours=i)
    now = int(time.time() * 1000)
    stream = f"prep-3/algo-1-{now // 1000}"
    put_events(stream, [(now + i, f"prep row {i}") for i in range(40)], PROCESSING_GROUP)
    put_events(f"{BEST_A}/algo-1-1", [(now + i, f"epoch {i}") for i in range(30)])


def rows_of(app: SmtuiApp) -> list[str]:
    from textual.coordinate import Coordinate

    table = app.jobs.table
    return [
        str(table.coordinate_to_cell_key(Coordinate(i, 0)).row_key.value)
        for i in range(table.row_count)
    ]


def listed(app: SmtuiApp, names: list[str]) -> bool:
    return rows_of(app) == names


def listing(app: SmtuiApp, kind: Kind) -> bool:
    return app.jobs.kind is kind


def highlighted(screen: DetailsScreen) -> tuple[str, str]:
    from textual.widgets import OptionList

    listing = screen.query_one("#details-rows", OptionList)
    assert listing.highlighted is not None
    option = listing.get_option_at_index(listing.highlighted)
    assert option.id is not None
    return screen.rows[int(option.id)]


def details(app: SmtuiApp, job: str) -> bool:
    return isinstance(app.screen, DetailsScreen) and app.screen.job == job and app.screen.complete


async def test_tuning_jobs_open_on_their_training_jobs_best_first_and_link_back(
    moto_aws: None, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stopped = add_tuning_calls(monkeypatch)
    account()
    backend = make_backend(BackendSettings("aws", region="us-east-1"))
    app = SmtuiApp(backend, config=project, overrides=Overrides())
    async with app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: app.jobs.table.row_count == 50, "the first page")
        # The wide view names each training job's tuning job (from its description).
        burst(app, "W")
        await until(pilot, lambda: "tuning" in app.jobs.columns, "the wide columns")
        await until(pilot, lambda: len(app.jobs.model.details) >= 50, "the descriptions")
        tuned = {name: str(app.jobs.table.get_cell(name, "tuning")) for name in rows_of(app)}
        assert tuned["tune-a-015"] == "tune-a" and tuned["tune-b-007"] == "tune-b"
        assert tuned["run-275"] == ""
        burst(app, "W")
        typed(app, ":tun\t\r")
        await until(pilot, lambda: rows_of(app) == ["tune-a", "tune-b"], "the tuning jobs")
        assert app.jobs.kind is TUNING
        assert shown(app.query_one("#jobs-title")).startswith("Tuning jobs (2)")
        assert str(app.jobs.table.get_cell("tune-a", "secondary")) == "15/18 done, 1 running"
        await until(pilot, lambda: app.logs.job == "tune-a", "the logs pane on tune-a")
        assert app.logs.view.lines[0] == NO_LOG.format(kind="tuning job")
        # Training-job keys are dimmed here: a tuning job has no model or config to resubmit.
        main = app.screen
        assert isinstance(main, MainScreen)
        assert main.check_action("resubmit", ()) is None
        assert main.check_action("stop_job", ()) is True
        burst(app, "enter")
        await until(pilot, lambda: details(app, "tune-a"), "tune-a's details")
        screen = app.screen
        assert isinstance(screen, DetailsScreen)
        label, value = highlighted(screen)  # it opens on its best training job
        assert label == BEST_A and value.startswith("validation:accuracy = ")
        order = [name for name, _ in screen.rows if name.startswith("tune-a-")]
        values = dict((name, v) for name, v, _ in TUNE_A)
        scored = [n for n in order if values[n] is not None]
        assert scored == sorted(scored, key=lambda n: -(values[n] or 0))  # best first
        assert order[-1] == "tune-a-004"  # no value yet: after the scored ones
        assert len(order) == len(TUNE_A)
        assert "tune-a-004" in screen.text() and "lr=0.005" in screen.text()
        # enter on it: that training job, which links back to its tuning job.
        burst(app, "enter")
        await until(pilot, lambda: details(app, BEST_A), "the best training job's details")
        child = app.screen
        assert isinstance(child, DetailsScreen) and child.kind is TRAINING
        index = [label for label, _ in child.rows].index("tuning job (enter)")
        assert child.rows[index][1] == "tune-a"
        burst(app, *["down"] * index, "enter")  # the ARN row first, then down to it
        await until(pilot, lambda: app.screen is screen, "back on tune-a (the screen below)")
        # Its cursor is still on the best training job: enter, then l shows that job's log
        # beneath the tuning jobs (from the training jobs' group).
        burst(app, "enter")
        await until(pilot, lambda: details(app, BEST_A), "the best training job again")
        burst(app, "l")
        await until(pilot, lambda: app.logs.job == BEST_A and app.logs.lines_received == 30,
                    "the best training job's 30 lines")  # fmt: skip
        assert app.screen is main and app.jobs.selected == "tune-a"
        assert app.logs.kind is TRAINING and app.logs.view.lines[-1].endswith("epoch 29")
        burst(app, "x")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog), "the question")
        assert isinstance(app.screen, ConfirmDialog)
        assert app.screen.question == "Stop tuning job tune-a? (its running training jobs stop too)"
        await pilot.press("y")
        await until(pilot, lambda: stopped == ["tune-a"], "StopHyperParameterTuningJob")
        await until(pilot, lambda: app.jobs.status_of("tune-a") == "Stopping", "Stopping listed")
        # Processing jobs: listed, their logs from their own group, inputs ↔ S3 URIs.
        typed(app, ":processing\r")
        await until(pilot, lambda: rows_of(app) == ["prep-3", "prep-2", "prep-1", "prep-0"],
                    "the processing jobs")  # fmt: skip
        assert shown(app.query_one("#jobs-title")).startswith("Processing jobs (4)")
        await until(pilot, lambda: app.logs.lines_received == 40, "prep-3's 40 lines")
        assert app.logs.view.lines[-1].endswith("prep row 39")
        burst(app, "enter")
        await until(pilot, lambda: details(app, "prep-3"), "prep-3's details")
        text = app.screen.text() if isinstance(app.screen, DetailsScreen) else ""
        assert "raw: /opt/ml/processing/input ← s3://bucket/prep-3/raw/  (S3Prefix, File)" in text
        assert "train: /opt/ml/processing/output/train → s3://bucket/prep-3/train/" in text
        assert "#/processing-jobs/prep-3" in text
        burst(app, "escape")
        typed(app, ":jobs\r")
        await until(pilot, lambda: app.jobs.table.row_count == 50, "the training jobs again")
        assert shown(app.query_one("#jobs-title")).startswith("Jobs (50+)")
        assert app.jobs.kind is TRAINING and main.check_action("resubmit", ()) is True


async def test_read_only_mode_stops_no_tuning_or_processing_job(
    moto_aws: None, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_tuning_calls(monkeypatch)
    create_tuning_job("tune-r", [("tune-r-001", 0.5, "InProgress")])
    create_processing_job("prep-r")
    backend = make_backend(BackendSettings("aws", region="us-east-1", readonly=True))
    app = SmtuiApp(backend, config=project, overrides=Overrides())
    sent = record_calls(monkeypatch)
    async with app.run_test(size=(100, 30)) as pilot:
        for command, name in ((":tuning\r", "tune-r"), (":processing\r", "prep-r")):
            typed(app, command)
            await until(pilot, functools.partial(listed, app, [name]), name)
            burst(app, "x", "y", "space", "x", "y")
            await pilot.pause(0.3)
            assert isinstance(app.screen, MainScreen)
    assert mutations(sent) == []


async def test_the_local_backend_says_in_one_line_what_it_cannot_run(project: Path) -> None:
    app = SmtuiApp(local_backend(smtui_home()), config=project, overrides=Overrides())
    async with app.run_test(size=(80, 24)) as pilot:
        empty = app.query_one("#jobs-empty")
        for command, kind in ((":tuning\r", TUNING), (":processing\r", PROCESSING)):
            typed(app, command)
            await until(pilot, functools.partial(listing, app, kind), command)
            await until(pilot, lambda: empty.display, "the empty list's reason")
            said = shown(empty)
            reason = app.backend.jobs.why_not(kind)
            assert reason is not None and reason[1:] in said and "`:jobs`" in said
        typed(app, ":jobs\r")
        await until(pilot, lambda: app.jobs.kind is TRAINING, ":jobs")
        await until(pilot, lambda: "No training jobs" in shown(app.query_one("#jobs-empty")),
                    "the training jobs' own empty text")  # fmt: skip
