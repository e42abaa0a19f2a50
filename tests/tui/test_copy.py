"""`y` copies the focused thing with OSC 52: the job's name (its ARN on details), the log
line, the S3 URI under the data tree's cursor, and on the request screen the request's
JSON (`a`: the entry point's argv). moto behind the aws backend."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import boto3
from textual.widgets import Checkbox, Tree

from smtui.core.overrides import Overrides
from smtui.services.backend import Backend
from smtui.tui.app import SmtuiApp
from smtui.tui.details import DetailsScreen
from tests.awsfakes import create_job, put_events
from tests.tui.conftest import shown, until
from tests.tui.test_data import open_data
from tests.tui.test_submit import open_form, open_request


async def test_y_copies_the_job_its_arn_and_the_log_line_on_screen(
    aws_backend: Backend, copied: list[str]
) -> None:
    now = int(time.time() * 1000)
    create_job("run-1", status="Completed")
    put_events("run-1/algo-1-1", [(now + i, f"step {i} \x1b]0;x\x07") for i in range(50)])
    app = SmtuiApp(aws_backend)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: app.logs.lines_received == 50, "the log")
        await pilot.press("y")
        assert copied == ["run-1"]
        app.logs.view.focus()
        await pilot.press("y")
        assert copied[-1] == "step 49 ^[]0;x^G"  # as shown: others' escapes stay visible
        await pilot.press("g", "y")  # the first line, now the view's top
        rows = app.logs.view.scrollable_content_region.height
        assert copied[-1] == f"step {rows - 1} ^[]0;x^G"
        app.jobs.table.focus()
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, DetailsScreen), "the details")
        details = app.screen
        assert isinstance(details, DetailsScreen)
        await until(pilot, lambda: details.complete, "described, with its tags and config")
        await pilot.press("y")
        assert copied[-1].startswith("arn:aws:sagemaker:") and copied[-1].endswith("/run-1")


async def test_y_copies_the_s3_uri_under_the_cursor_and_u_syncs(
    aws_backend: Backend, data_project: Path, copied: list[str]
) -> None:
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.put_object(Bucket="my-bucket", Key="custom-run/data/old.csv", Body=b"1")
    app = SmtuiApp(aws_backend, config=data_project, overrides=Overrides())
    async with app.run_test(size=(120, 36)) as pilot:
        pane = await open_data(app, pilot)
        tree: Tree[Any] = pane.query_one("#data-tree", Tree)
        tree.focus()
        await pilot.press("y")
        assert copied == ["s3://my-bucket/custom-run/"]
        await pilot.press("down", "y")
        assert copied[-1] == "s3://my-bucket/custom-run/data/"
        # The sync moved to `u`; the plan says what happens to what has no local file.
        await pilot.press("u")
        plan = pane.query_one("#data-plan")
        await until(pilot, lambda: "3 to upload" in shown(plan), "the plan")
        assert "1 only on S3, kept" in shown(plan) and "old.csv (no local file: kept)" in shown(
            plan
        )
        pane.query_one("#data-delete", Checkbox).value = True
        await until(pilot, lambda: "1 to delete" in shown(plan), "the plan with deletes")
        assert "old.csv (no local file: deleted)" in shown(plan)


async def test_the_request_screen_copies_the_request_and_the_argv(
    aws_backend: Backend, project: Path, copied: list[str]
) -> None:
    app = SmtuiApp(aws_backend, config=project, overrides=Overrides())
    async with app.run_test(size=(120, 40)) as pilot:
        await open_form(app, pilot)
        screen = await open_request(app, pilot)
        await pilot.press("y")
        assert json.loads(copied[-1]) == screen.request
        await pilot.press("a")
        assert copied[-1].startswith("train.py --") and "--batch_size 64" in copied[-1]
