"""The TUI against moto: jobs listed and updated in place, two hosts' logs merged, stop,
resubmit with an edited hyperparameter, details, and an unreachable endpoint."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path
from typing import Any, cast

import boto3
import pytest
from rich.text import Text
from textual.coordinate import Coordinate
from textual.widgets import Input, Static, TextArea

from smtui.services.aws.jobs import AwsJobs
from smtui.services.backend import Backend
from smtui.services.factory import BackendSettings, make_backend
from smtui.tui.app import SmtuiApp
from smtui.tui.details import DetailsScreen
from smtui.tui.dialogs import ConfirmDialog, HelpScreen, ResubmitDialog
from smtui.tui.joblist import RefreshPolicy
from smtui.tui.jobs import PAGE
from tests.awsfakes import (
    MotoEndpoint,
    add_stop_training_job,
    create_job,
    put_events,
    sagemaker_backend,
    set_status,
)
from tests.tui.conftest import follows_new_job, matches, painted, shown, until

T0 = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)


def make_job(name: str, minutes: int, status: str, hosts: int = 1, **extra: Any) -> None:
    """A moto job created `minutes` after T0, in `status`."""
    create_job(name, hosts=hosts, status=status, **extra)
    job = sagemaker_backend().training_jobs[name]
    job.creation_time = job.training_start_time = T0 + dt.timedelta(minutes=minutes)
    job.last_modified_time = job.creation_time
    if status not in ("Completed", "Failed", "Stopped"):
        job.training_end_time = None
        job.secondary_status = "Training"


def cell(app: SmtuiApp, job: str, column: str) -> str:
    value = app.jobs.table.get_cell(job, column)
    return value.plain if isinstance(value, Text) else str(value)


def names(app: SmtuiApp) -> list[str]:
    table = app.jobs.table
    return [
        str(table.coordinate_to_cell_key(Coordinate(i, 0)).row_key.value)
        for i in range(table.row_count)
    ]


async def test_jobs_newest_first_and_a_job_completes_while_watched(aws_backend: Backend) -> None:
    make_job("old-run", 0, "Completed")
    make_job("live-run", 30, "InProgress", hosts=2)
    app = SmtuiApp(aws_backend)
    async with app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: app.jobs.table.row_count == 2, "two rows")
        assert names(app) == ["live-run", "old-run"]
        await until(pilot, lambda: cell(app, "live-run", "instance") != "…", "the description")
        assert cell(app, "live-run", "instance") == "g5.xlarge×2"
        assert cell(app, "live-run", "status") == "InProgress"
        assert cell(app, "live-run", "secondary") == "Training"
        assert app.jobs.selected == "live-run"  # the cursor starts on the newest
        await pilot.press("down")
        assert app.jobs.selected == "old-run"
        set_status("live-run", "Completed", "Completed")
        await pilot.press("ctrl+r")
        await until(pilot, lambda: cell(app, "live-run", "status") == "Completed", "Completed")
        # Updated in place: same rows, same order, the cursor still on the job it was on.
        assert names(app) == ["live-run", "old-run"] and app.jobs.selected == "old-run"
        assert "refreshed" in shown(app.query_one("#status"))


async def test_a_narrow_screen_gets_the_compact_columns(aws_backend: Backend) -> None:
    job = "run-20261124-090000-000"
    make_job(job, 0, "Stopped")
    set_status(job, "Stopped", "MaxRuntimeExceeded")
    app = SmtuiApp(aws_backend)
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.jobs.table
        await until(pilot, lambda: table.row_count == 1, "the row")
        await until(pilot, lambda: cell(app, job, "instance") != "…", "the description")
        assert app.jobs.columns == ("name", "status", "instance", "elapsed", "cost")
        assert cell(app, job, "status") == "MaxRuntimeExceeded"  # the secondary, in its place
        await pilot.pause()
        assert sum(c.get_render_width(table) for c in table.ordered_columns) <= 80
        await pilot.resize_terminal(120, 30)
        await until(pilot, lambda: "created" in app.jobs.columns, "the wide columns")
        await pilot.pause()
        assert (cell(app, job, "status"), cell(app, job, "secondary")) == (
            "Stopped", "MaxRuntimeExceeded"
        )  # fmt: skip
        # Painted in the new widths at once, not in header-wide columns until a key press.
        assert f"{job}  Stopped  MaxRuntimeExceeded" in table.render_line(1).text
        assert app.jobs.selected == job


async def test_two_hosts_merged_in_time_order_with_host_prefixes(aws_backend: Backend) -> None:
    make_job("two-hosts", 0, "Completed", hosts=2)
    base = int(T0.timestamp() * 1000)
    put_events("two-hosts/algo-1-1700000000", [(base + 10 * i, f"one {i}") for i in range(50)])
    put_events("two-hosts/algo-2-1700000000", [(base + 10 * i + 5, f"two {i}") for i in range(50)])
    app = SmtuiApp(aws_backend)
    async with app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: app.logs.lines_received == 100, "100 lines")
        lines = list(app.logs.view.lines)
        assert lines[:3] == ["[algo-1] one 0", "[algo-2] two 0", "[algo-1] one 1"]
        assert lines[-1] == "[algo-2] two 49"
        await until(pilot, lambda: app.logs.status == "Completed", "the tail's status")


async def test_a_hosts_late_lines_are_put_in_their_place(
    aws_backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_job("late-host", 0, "InProgress", hosts=2)
    base = int(T0.timestamp() * 1000)
    ones = [(base + 10 * i, f"one {i}") for i in range(50)]
    ones[-1] = (ones[-1][0], "one 49\n  and its second line")  # a multi-line event
    put_events("late-host/algo-1-1700000000", ones)
    app = SmtuiApp(aws_backend)
    async with app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: app.logs.lines_received == 50, "algo-1's lines")
        rewrites: list[None] = []
        monkeypatch.setattr(app.logs, "_rewrite", lambda: rewrites.append(None))
        # algo-2's lines reach CloudWatch after algo-1's were shown, though written between.
        put_events(
            "late-host/algo-2-1700000000", [(base + 10 * i + 5, f"two {i}") for i in range(50)]
        )
        await until(pilot, lambda: app.logs.lines_received == 100, "algo-2's lines", timeout=10)
        await pilot.pause()
        lines = list(app.logs.view.lines)
        assert lines[:3] == ["[algo-1] one 0", "[algo-2] two 0", "[algo-1] one 1"]
        assert lines[-4:] == [
            "[algo-2] two 48", "[algo-1] one 49", "  and its second line", "[algo-2] two 49"
        ]  # fmt: skip
        assert len(lines) == 101
        assert rewrites == []  # only the displaced lines were written again, not the view
        await painted(pilot, app.logs.view)
        assert app.logs.follow and app.logs.view.scroll_y == app.logs.view.max_scroll_y


async def test_log_keys_follow_wrap_times_search_and_save(
    aws_backend: Backend, tmp_path: Path
) -> None:
    make_job("chatty", 0, "Completed")
    base = int(T0.timestamp() * 1000)
    lines = [(base + i, f"step {i} loss={1 / (i + 1):.4f}") for i in range(300)]
    lines.append((base + 400, "x" * 300))
    put_events("chatty/algo-1-1700000000", lines)
    app = SmtuiApp(aws_backend)
    async with app.run_test(size=(100, 30)) as pilot:
        logs = app.logs
        await until(pilot, lambda: logs.lines_received == 301, "the history")
        await pilot.press("tab")  # to the log view
        assert app.focused is logs.view
        await pilot.press("t")
        assert logs.view.lines[0] == "2026-11-24T09:00:00.000+00:00 step 0 loss=1.0000"
        await pilot.press("t", "w")
        assert len(logs.view.lines) > 301  # the long line wrapped to the view's width
        assert max(len(line) for line in logs.view.lines) < 100
        await pilot.press("w", "g")
        assert logs.follow is False and logs.view.scroll_y == 0
        await pilot.press("G")
        assert logs.follow is True
        await pilot.press("f")
        assert logs.follow is False
        await pilot.press("slash")
        await pilot.press(*"step 29[0-9] ")
        await until(pilot, lambda: len(logs.view.lines) == 10, "the search's matches")
        assert logs.view.lines[0].startswith("step 290 ")
        await pilot.press("escape")
        await until(pilot, lambda: len(logs.view.lines) == 301, "all lines again")
        await pilot.press("ctrl+s")
        saved = tmp_path / "chatty.log"
        await until(pilot, saved.exists, "the saved file")
        await until(pilot, lambda: len(saved.read_text().splitlines()) == 301, "all lines saved")
        second = saved.read_text().splitlines()[1]
        assert second == "2026-11-24T09:00:00.001+00:00 step 1 loss=0.5000"


async def test_filter_and_status_filter(aws_backend: Backend) -> None:
    make_job("bert-base", 0, "Completed")
    make_job("bert-large", 1, "Failed")
    make_job("resnet", 2, "InProgress")
    app = SmtuiApp(aws_backend)
    async with app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: app.jobs.table.row_count == 3, "three rows")
        await pilot.press("slash", *"bert", "enter")
        await until(pilot, lambda: names(app) == ["bert-large", "bert-base"], "the name filter")
        await pilot.press("S", "S", "S")  # all → InProgress → Completed → Failed
        assert app.jobs.status_filter == "Failed"
        await until(pilot, lambda: names(app) == ["bert-large"], "the status filter")
        assert "status: Failed" in shown(app.query_one("#jobs-title"))
        await pilot.press("slash")
        app.query_one("#jobs-filter", Input).value = ""
        await pilot.press("enter", "S", "S", "S")  # → Stopping → Stopped → all
        assert app.jobs.status_filter is None
        await until(pilot, lambda: app.jobs.table.row_count == 3, "no filters")


async def test_stop_asks_then_stops(aws_backend: Backend, monkeypatch: pytest.MonkeyPatch) -> None:
    stopped = add_stop_training_job(monkeypatch)
    make_job("to-stop", 0, "InProgress")
    app = SmtuiApp(aws_backend)
    async with app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: app.jobs.selected == "to-stop", "the job")
        await pilot.press("x")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        assert stopped == [] and not isinstance(app.screen, ConfirmDialog)
        await pilot.press("x", "y")
        await until(pilot, lambda: stopped == ["to-stop"], "StopTrainingJob")
        await until(pilot, lambda: cell(app, "to-stop", "status") == "Stopping", "Stopping")
        # A second stop is refused by SageMaker once the job ended: shown, not a crash.
        set_status("to-stop", "Stopped")
        await pilot.press("x", "y")
        await until(pilot, lambda: len(app._notifications) > 1, "the refusal")
        assert any("Stopped" in n.message for n in app._notifications)


async def test_resubmit_with_an_edited_hyperparameter(aws_backend: Backend) -> None:
    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="bucket")  # its outputs
    make_job(
        "base-20261124-090000-000",
        0,
        "Completed",
        HyperParameters={"batch_size": "64", "epochs": "5", "sagemaker_program": "train.py"},
    )
    app = SmtuiApp(aws_backend)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: app.jobs.selected is not None, "the job")
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, ResubmitDialog), "the dialog")
        dialog = app.screen
        assert isinstance(dialog, ResubmitDialog)
        area = dialog.query_one("#resubmit-params", TextArea)
        assert area.text == "batch_size=64\nepochs=5"
        area.text = "batch-size=128\nepochs=5\nlearning-rate=0.1"
        await pilot.pause()
        assert dialog.edit is not None and dialog.edit.ok
        preview = shown(dialog.query_one("#resubmit-preview"))
        assert "learning_rate" in preview and "--batch_size 128" in preview
        dialog.query_one("#resubmit-count", Input).value = "0"
        await pilot.pause()
        assert dialog.edit is not None and not dialog.edit.ok
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, ResubmitDialog)  # refused: nothing sent
        dialog.query_one("#resubmit-count", Input).value = "2"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.jobs.table.row_count == 2, "the new job listed")
        new = next(n for n in sagemaker_backend().training_jobs if n != "base-20261124-090000-000")
        assert new.startswith("base-")
        described = await follows_new_job(pilot, new)
        assert described["HyperParameters"]["batch_size"] == json.dumps("128")
        assert described["HyperParameters"]["learning_rate"] == json.dumps("0.1")
        assert described["ResourceConfig"]["InstanceCount"] == 2


async def test_details_help_and_quit(aws_backend: Backend) -> None:
    make_job("failed-run", 0, "Failed", HyperParameters={"lr": "0.1"})
    sagemaker_backend().training_jobs["failed-run"].failure_reason = "AlgorithmError: CUDA OOM"
    app = SmtuiApp(aws_backend)
    async with app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: app.jobs.selected == "failed-run", "the job")
        await pilot.press("enter")
        details = app.screen
        assert isinstance(details, DetailsScreen)
        failure = details.query_one("#details-failure")
        await until(pilot, lambda: failure.display, "the failure reason")
        assert "CUDA OOM" in shown(failure)
        await until(pilot, lambda: "--lr 0.1" in details.text(), "the rows")
        assert "instances: ml.g5.xlarge × 1" in details.text()
        await pilot.press("escape", "question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape", "q")
    assert app.return_code == 0


async def test_details_say_why_the_stored_config_is_not_shown(
    aws_backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    from smtui.services.errors import AccessDenied

    make_job("plain-run", 0, "Completed")
    app = SmtuiApp(aws_backend)
    async with app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: app.jobs.selected == "plain-run", "the job")
        await pilot.press("enter")
        details = app.screen
        assert isinstance(details, DetailsScreen)
        await until(pilot, lambda: "none stored" in details.text(), "no config (never stored)")

        async def denied(uri: str) -> bytes:
            raise AccessDenied("access denied: your credentials may not call s3:GetObject")

        monkeypatch.setattr(aws_backend.storage, "read_bytes", denied)
        await pilot.press("escape", "enter")
        again = app.screen
        assert isinstance(again, DetailsScreen)  # a new one
        await until(pilot, lambda: "cannot read it: access denied" in again.text(), "why")


async def test_an_unreachable_endpoint_is_shown_and_the_app_keeps_running(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import socket

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    backend = make_backend(
        BackendSettings("aws", region="us-east-1", endpoint_url=f"http://127.0.0.1:{port}")
    )
    app = SmtuiApp(backend)
    async with app.run_test(size=(100, 30)) as pilot:
        status = app.query_one("#status")
        await until(pilot, lambda: "cannot reach" in shown(status), "the problem")
        assert "retrying in" in shown(status)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)  # still answering keys


def count_calls(backend: Backend) -> Counter[str]:
    """SageMaker operations the backend sends, counted as they go out."""
    calls: Counter[str] = Counter()

    def count(request: Any, **kwargs: Any) -> None:
        target = request.headers.get("X-Amz-Target", b"")
        calls[(target.decode() if isinstance(target, bytes) else target).split(".")[-1]] += 1

    cast(AwsJobs, backend.jobs).clients.on("before-send.sagemaker", count)
    return calls


async def test_refreshes_describe_only_jobs_that_changed(aws_backend: Backend) -> None:
    for i in range(12):
        make_job(f"done-{i:02d}", i, "Completed")
    make_job("running", 20, "InProgress")
    calls = count_calls(aws_backend)
    app = SmtuiApp(aws_backend)
    async with app.run_test(size=(120, 36)) as pilot:
        app.jobs.model.policy = RefreshPolicy(busy=0.05, idle=0.05)
        await until(pilot, lambda: len(app.jobs.model.details) == 13, "every job described")
        await until(pilot, lambda: app.logs.status is not None, "the log tail under way")
        described, listed = calls["DescribeTrainingJob"], calls["ListTrainingJobs"]
        assert described <= 13 + 2  # each job once, and the tail's host count and status
        await until(pilot, lambda: calls["ListTrainingJobs"] >= listed + 5, "five refreshes")
        # Nothing changed, so a refresh is one ListTrainingJobs call and no describes.
        assert calls["DescribeTrainingJob"] == described, calls
        set_status("running", "Completed", "Completed")
        before = calls["DescribeTrainingJob"]
        await until(pilot, lambda: cell(app, "running", "status") == "Completed", "Completed")
        await until(
            pilot, lambda: app.jobs.model.details["running"].status == "Completed", "described"
        )
        assert calls["DescribeTrainingJob"] - before == 1


async def test_paging_loads_older_jobs_at_the_last_row(aws_backend: Backend) -> None:
    for i in range(PAGE + 7):
        make_job(f"job-{i:03d}", i, "Completed")
    app = SmtuiApp(aws_backend)
    async with app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: app.jobs.table.row_count == PAGE, "the first page")
        assert "Jobs (50+)" in shown(app.query_one("#jobs-title"))
        await pilot.press("ctrl+end")
        await until(pilot, lambda: app.jobs.table.row_count == PAGE + 7, "the next page")
        assert names(app)[0] == f"job-{PAGE + 6:03d}" and names(app)[-1] == "job-000"
        assert "Jobs (57)" in shown(app.query_one("#jobs-title"))


async def test_moving_to_another_job_switches_the_tail(aws_backend: Backend) -> None:
    make_job("first", 0, "Completed")
    make_job("second", 1, "InProgress")
    base = int(T0.timestamp() * 1000)
    put_events("first/algo-1-1700000000", [(base + i, f"first {i}") for i in range(5)])
    put_events("second/algo-1-1700000000", [(base + i, f"second {i}") for i in range(3)])
    app = SmtuiApp(aws_backend)
    async with app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: app.logs.lines_received == 3, "the newest job's lines")
        tail = next(w for w in app.logs.workers if w.group == "tail")
        await pilot.press("down")
        await until(pilot, lambda: app.logs.job == "first", "the switch")
        await until(pilot, lambda: app.logs.lines_received == 5, "the other job's lines")
        assert list(app.logs.view.lines) == [f"first {i}" for i in range(5)]
        assert tail.is_cancelled  # the InProgress job's tail stopped with the switch


async def test_the_command_palette_runs_actions(aws_backend: Backend) -> None:
    make_job("palette", 0, "InProgress")
    app = SmtuiApp(aws_backend)
    async with app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: app.jobs.selected == "palette", "the job")
        await pilot.press("ctrl+p", *"stop the selected")
        await until(
            pilot,
            lambda: matches(app) == ["Stop the selected job, or every marked one (asks first)"],
            "the palette's one match",
        )
        await pilot.press("down", "enter")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog), "the confirm dialog")
        await pilot.press("n")


async def test_a_palette_action_of_a_view_not_yet_shown_mounts_it_first(
    aws_backend: Backend,
) -> None:
    app = SmtuiApp(aws_backend)
    async with app.run_test(size=(120, 36)) as pilot:
        assert not app.data.is_mounted
        await pilot.press("ctrl+p", *"reload the s3 tree")
        await until(pilot, lambda: matches(app) == ["Reload the S3 tree"], "the one match")
        await pilot.press("down", "enter")
        await until(pilot, lambda: app.data.is_mounted, "the data view mounted")
        assert not app.data.display  # mounted hidden: the jobs view stays on screen


async def test_the_palette_and_the_help_name_every_key_of_the_main_screen(
    aws_backend: Backend,
) -> None:
    """Both are built from the bindings: a key added to a pane shows in both."""
    app = SmtuiApp(aws_backend)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+p", *"sync")
        await until(pilot, lambda: any("sync" in m for m in matches(app)), "the sync command")
        await pilot.press("escape")
        commands = [c.title for c in app.get_system_commands(app.main)]
        for _node, binding in app.main.key_bindings():
            if binding.tooltip and not binding.action.startswith("app."):
                assert binding.tooltip in commands, binding
        assert any("S3 data" in c for c in commands) and any("Watch" in c for c in commands)
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen), "the help")
        help_text = shown(app.screen.query(Static).last())
        for _node, binding in app.main.key_bindings():
            assert (binding.tooltip or binding.description) in " ".join(help_text.split())


async def test_the_endpoint_goes_away_and_comes_back(
    moto_server: MotoEndpoint, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    make_job("steady", 0, "InProgress")
    backend = make_backend(BackendSettings("aws", region="us-east-1", endpoint_url=moto_server.url))
    app = SmtuiApp(backend)
    async with app.run_test(size=(100, 30)) as pilot:
        status = app.query_one("#status")
        await until(pilot, lambda: app.jobs.selected == "steady", "the job")
        moto_server.stop()
        await pilot.press("ctrl+r")
        await until(pilot, lambda: "cannot reach" in shown(status), "the outage shown")
        assert app.jobs.selected == "steady"  # what was listed stays on screen
        moto_server.start()
        await pilot.press("ctrl+r")
        await until(pilot, lambda: "⚠ jobs" not in shown(status), "the outage cleared")
        assert cell(app, "steady", "status") == "InProgress"


async def test_a_filter_that_hides_the_watched_job_clears_the_logs(aws_backend: Backend) -> None:
    make_job("kept", 0, "Completed")
    make_job("hidden", 1, "InProgress")
    app = SmtuiApp(aws_backend)
    async with app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: app.logs.job == "hidden", "the newest job's logs")
        await pilot.press("S", "S")  # Completed only
        await until(pilot, lambda: names(app) == ["kept"], "the filtered list")
        await until(pilot, lambda: app.logs.job == "kept", "the logs of a listed job")
        await pilot.press("S", "S", "S")  # Stopped: nothing
        await until(pilot, lambda: app.jobs.table.row_count == 0, "an empty list")
        await until(pilot, lambda: app.logs.job is None, "no logs")
