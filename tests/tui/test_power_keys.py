"""k9s habits in the jobs pane, against moto with 300 jobs: marks and one confirmed stop of
them all, sorting by each column (the key again reverses), and the wide view's columns
read from DescribeTrainingJob as moto answers it. Keys go in bursts, as SSH delivers them."""

from __future__ import annotations

import datetime as dt

import boto3
import pytest
from rich.text import Text
from textual.coordinate import Coordinate

from smtui.core.jobs import TrainingJob
from smtui.services.backend import Backend
from smtui.tui.app import SmtuiApp
from smtui.tui.dialogs import ConfirmDialog
from smtui.tui.jobs import MARK
from tests.awsfakes import add_stop_training_job, create_job, put_events, sagemaker_backend
from tests.tui.conftest import burst, shown, until

T0 = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)
JOBS = 300
NOW = T0 + dt.timedelta(days=2)


def account() -> None:
    """300 jobs: one in ten running, billable times scattered, every fifth on spot."""
    jobs = sagemaker_backend().training_jobs
    client = boto3.client("sagemaker", region_name="us-east-1")
    for i in range(JOBS):
        name = f"run-{i:03d}"
        running = i % 10 == 0
        status = "InProgress" if running else "Completed"
        create_job(name, status=status, via=client, EnableManagedSpotTraining=i % 5 == 0)
        job = jobs[name]
        job.creation_time = job.training_start_time = T0 + dt.timedelta(minutes=i)
        job.last_modified_time = job.creation_time
        if running:
            job.training_end_time = None
            job.secondary_status = "Training"
        else:
            job.training_end_time = job.creation_time + dt.timedelta(seconds=(i * 7919) % 9000)
            job.billable_time_in_seconds = (i * 7919) % 9000


def rows(app: SmtuiApp) -> list[str]:
    table = app.jobs.table
    return [
        str(table.coordinate_to_cell_key(Coordinate(i, 0)).row_key.value)
        for i in range(table.row_count)
    ]


def cell(app: SmtuiApp, job: str, column: str) -> str:
    value = app.jobs.table.get_cell(job, column)
    return value.plain if isinstance(value, Text) else str(value)


def described(app: SmtuiApp) -> bool:
    return len(app.jobs.model.details) >= app.jobs.table.row_count > 0


async def test_mark_three_then_one_confirmed_stop_of_them_all(
    aws_backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    stopped = add_stop_training_job(monkeypatch)
    account()
    app = SmtuiApp(aws_backend)
    app.clock = lambda: NOW
    async with app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: app.jobs.table.row_count == 50, "the first page")
        # The newest is run-299 (Completed); run-290 and run-280 are running.
        await pilot.press("ctrl+home")
        burst(app, "space", *["down"] * 9, "space", *["down"] * 10, "space", "down", "space",
              "space")  # fmt: skip
        await until(pilot, lambda: app.jobs.marked == 3, "three marked")
        marked = ["run-299", "run-290", "run-280"]
        assert app.jobs.model.marked_in_order() == marked  # run-278 marked, then unmarked
        assert cell(app, "run-290", "name") == f"{MARK}run-290"
        assert "3 marked (x stops them)" in shown(app.query_one("#jobs-title"))
        burst(app, "x")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog), "one question")
        dialog = app.screen
        assert isinstance(dialog, ConfirmDialog)
        assert dialog.question.startswith(
            "Stop these 2 training jobs? (1 marked job has ended: left out)"
        )
        assert dialog.items == ["run-290", "run-280"]  # what will be stopped, every one
        assert stopped == []
        await pilot.press("y")
        await until(pilot, lambda: sorted(stopped) == ["run-280", "run-290"], "both stopped")
        await until(pilot, lambda: app.jobs.marked == 0, "the marks cleared")
        assert cell(app, "run-290", "name") == "run-290"
        await until(pilot, lambda: cell(app, "run-290", "status") == "Stopping", "Stopping")
        # No marks: x is the selected job's again.
        app.jobs.select("run-270")
        await pilot.press("x")
        assert isinstance(app.screen, ConfirmDialog) and app.screen.items == []
        await pilot.press("n")


async def test_sort_by_each_column_and_reverse_with_300_jobs(aws_backend: Backend) -> None:
    account()
    app = SmtuiApp(aws_backend)
    app.clock = lambda: NOW
    async with app.run_test(size=(160, 45)) as pilot:
        await until(pilot, lambda: app.jobs.table.row_count == 50, "the first page")
        while app.jobs.model.more:  # every page, as the cursor at the last row loads them
            await pilot.press("ctrl+end")
            await pilot.pause(0.05)
        await until(pilot, lambda: app.jobs.table.row_count == JOBS, "300 rows")
        await until(pilot, lambda: described(app), "every description", timeout=30)
        client = boto3.client("sagemaker", region_name="us-east-1")
        truth = {
            name: TrainingJob.from_api(client.describe_training_job(TrainingJobName=name))
            for name in app.jobs.model.summaries
        }
        names = sorted(truth)
        assert rows(app) == names[::-1]
        await pilot.press("ctrl+home", "down", "down")  # it stays on its job through the sorts
        assert app.jobs.selected == "run-297"
        burst(app, "C")
        await until(pilot, lambda: app.jobs.sort == "cost", "by cost")
        costs = {n: j.cost(NOW) for n, j in truth.items()}
        dearest = sorted(names, key=lambda n: (costs[n] or 0, truth[n].created), reverse=True)
        assert rows(app) == dearest
        assert "sorted by cost ↓" in shown(app.query_one("#jobs-title"))
        assert app.jobs.selected == "run-297"
        burst(app, "C")
        await until(pilot, lambda: not app.jobs.descending, "reversed")
        assert rows(app) == dearest[::-1]
        burst(app, "N")
        await until(pilot, lambda: app.jobs.sort == "name", "by name")
        assert rows(app) == names and app.jobs.selected == "run-297"
        burst(app, "E", "E")  # twice in one read: longest last
        await until(pilot, lambda: app.jobs.sort == "elapsed" and not app.jobs.descending, "E E")
        elapsed = [truth[n].elapsed(NOW) for n in rows(app)]
        assert elapsed == sorted(elapsed)
        burst(app, "U")
        await until(pilot, lambda: app.jobs.sort == "status", "by status")
        statuses = [truth[n].status for n in rows(app)]
        assert statuses == ["InProgress"] * 30 + ["Completed"] * 270
        burst(app, "A")
        await until(pilot, lambda: app.jobs.sort == "created", "by created")
        assert rows(app) == names[::-1]
        assert "sorted by" not in shown(app.query_one("#jobs-title"))  # the default says nothing


async def test_the_wide_view_adds_arn_role_image_spot_and_warm_pool(aws_backend: Backend) -> None:
    account()
    pool_end = T0 + dt.timedelta(hours=3)
    job = sagemaker_backend().training_jobs["run-295"]
    job.warm_pool_status = {"Status": "Available", "ResourceRetainedBillableTimeInSeconds": 60}
    job.resource_config = {**job.resource_config, "KeepAlivePeriodInSeconds": 1800}
    job.training_end_time = pool_end
    reused = sagemaker_backend().training_jobs["run-296"]
    reused.warm_pool_status = {"Status": "Reused", "ReusedByJob": "run-297"}
    app = SmtuiApp(aws_backend)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.jobs.table.row_count == 50, "the first page")
        await until(pilot, lambda: described(app), "the descriptions")
        assert "arn" not in app.jobs.columns
        burst(app, "W")
        await until(pilot, lambda: "arn" in app.jobs.columns, "the wide columns")
        client = boto3.client("sagemaker", region_name="us-east-1")
        moto = client.describe_training_job(TrainingJobName="run-295")
        assert cell(app, "run-295", "arn") == moto["TrainingJobArn"]
        assert cell(app, "run-295", "role") == moto["RoleArn"]
        assert cell(app, "run-295", "image") == moto["AlgorithmSpecification"]["TrainingImage"]
        assert cell(app, "run-295", "spot") == "yes" and cell(app, "run-294", "spot") == "no"
        until_local = (pool_end + dt.timedelta(seconds=1800)).astimezone()
        assert cell(app, "run-295", "warm_pool") == f"Available until {until_local:%H:%M}"
        assert cell(app, "run-296", "warm_pool") == "Reused by run-297"
        assert cell(app, "run-294", "warm_pool") == ""
        # The narrow columns stay, the wide ones follow; a resize keeps the wide view.
        assert app.jobs.columns[:5] == ("name", "status", "instance", "elapsed", "cost")
        await pilot.resize_terminal(160, 45)
        await until(pilot, lambda: "created" in app.jobs.columns, "the full columns")
        assert app.jobs.columns[-6:] == ("arn", "role", "image", "spot", "warm_pool", "tuning")
        burst(app, "W")
        await until(pilot, lambda: "arn" not in app.jobs.columns, "back to normal")


async def test_h_cycles_through_16_hosts_one_at_a_time_and_back_to_all(
    aws_backend: Backend,
) -> None:
    """A finished 16-host job of 16,000 lines: `h` shows algo-1's, then algo-2's … from the
    whole history (not only the lines kept on screen), a search narrows a host, and after
    algo-16 every host again."""
    hosts = 16
    create_job("wide-job", hosts=hosts, status="Completed")
    base = int(T0.timestamp() * 1000)
    for h in range(1, hosts + 1):
        put_events(f"wide-job/algo-{h}-1700000000",
                   [(base + 16 * i + h, f"host {h} step {i}") for i in range(1000)])  # fmt: skip
    app = SmtuiApp(aws_backend)
    async with app.run_test(size=(160, 45)) as pilot:
        logs = app.logs
        await until(pilot, lambda: logs.ended and logs.lines_received == 16_000, "the history")
        await pilot.press("tab")
        assert app.focused is logs.view
        burst(app, "h", "h")  # two in one read: algo-2
        await until(pilot, lambda: logs.view.lines[-1] == "[algo-2] host 2 step 999", "algo-2")
        assert logs.host == "algo-2" and len(logs.view.lines) == 1000
        assert all(line.startswith("[algo-2] host 2 step ") for line in logs.view.lines)
        assert "16 hosts (only algo-2)" in shown(app.query_one("#logs-title"))
        await pilot.press("slash", *"step 99[0-9]$", "enter")
        await until(pilot, lambda: len(logs.view.lines) == 10, "the search within the host")
        assert logs.view.lines[0] == "[algo-2] host 2 step 990" and logs.matches == 10
        await pilot.press("escape")  # the search cleared; the host stays
        await until(pilot, lambda: len(logs.view.lines) == 1000, "algo-2 again")
        burst(app, *["h"] * 14)  # algo-3 … algo-16
        await until(pilot, lambda: logs.view.lines[-1] == "[algo-16] host 16 step 999", "16")
        assert logs.host == "algo-16" and len(logs.view.lines) == 1000
        burst(app, "h")
        await until(pilot, lambda: logs.host is None, "every host")
        await until(pilot, lambda: len(logs.view.lines) == 16_000, "all lines")
        assert "16 hosts  · Completed" in shown(app.query_one("#logs-title"))
