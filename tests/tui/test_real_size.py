"""The TUI on an account the size of a real one (300 jobs on moto), typed at as fast hands
type: the logs stay in view, keys act on the row they moved to, a resize keeps the row."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from textual.widgets import Static

from smtui.services.backend import Backend
from smtui.tui.app import SmtuiApp
from smtui.tui.dialogs import ConfirmDialog
from tests.awsfakes import create_job, sagemaker_backend
from tests.tui.conftest import burst, until

T0 = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)
JOBS = 300


def make_account(count: int = JOBS, status: str = "Completed") -> list[str]:
    """`count` jobs in `status`, a minute apart; their names newest first."""
    backend = sagemaker_backend()
    for i in range(count):
        name = f"run-{i:03d}"
        create_job(name, status=status)
        job = backend.training_jobs[name]
        job.creation_time = job.last_modified_time = T0 + dt.timedelta(minutes=i)
    return [f"run-{i:03d}" for i in reversed(range(count))]


def question(app: SmtuiApp) -> str | None:
    """What the stop dialog asks, once it is up (None before)."""
    screen = app.screen
    if not isinstance(screen, ConfirmDialog):
        return None
    asked = screen.query("#confirm-question")
    return str(asked.first(Static).render()) if asked else None


def visible(app: SmtuiApp, selector: str) -> int:
    """How many rows of the widget are on screen."""
    region = app.query_one(selector).region.intersection(app.screen.region)
    return region.height


async def test_with_300_jobs_the_logs_pane_keeps_its_room(aws_backend: Backend) -> None:
    make_account()
    app = SmtuiApp(aws_backend)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: app.jobs.table.row_count >= 50, "the first page")
        await pilot.pause()
        assert visible(app, "#logs-title") == 1
        assert visible(app, "#logs-view") >= 6
        assert app.query_one("#jobs").region.height <= 30 * 0.4 + 2  # table cap + title


async def test_a_key_right_after_a_move_acts_on_the_row_moved_to(aws_backend: Backend) -> None:
    newest = make_account(status="InProgress")
    app = SmtuiApp(aws_backend)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: app.jobs.table.row_count >= 50, "the first page")
        burst(app, "ctrl+home", "down", "down", "down", "x")
        await until(pilot, lambda: question(app) is not None, "the stop dialog")
        assert newest[3] in str(question(app))
        burst(app, "n", "up", "x")
        await until(
            pilot,
            lambda: newest[2] in str(question(app)),
            "the stop dialog for the row above",
        )


async def test_stop_on_a_finished_job_says_so_without_asking(aws_backend: Backend) -> None:
    newest = make_account(3)
    app = SmtuiApp(aws_backend)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: app.jobs.selected == newest[0], "the newest job")
        await pilot.press("x")
        await until(pilot, lambda: app._notifications, "a notification")
        assert not isinstance(app.screen, ConfirmDialog)
        (note,) = list(app._notifications)
        assert note.message == f"{newest[0]} has ended (Completed): nothing to stop"


async def test_a_resize_keeps_the_selected_row(aws_backend: Backend) -> None:
    newest = make_account()
    app = SmtuiApp(aws_backend)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.jobs.table.row_count >= 50, "the first page")
        await until(pilot, lambda: app.jobs.selected == newest[0], "the top row selected")
        for width in (120, 80, 160, 80):
            await pilot.resize_terminal(width, 24)
            await pilot.pause()
            assert app.jobs.selected == newest[0], width
            assert app.jobs.table.cursor_row == 0, width
            assert app.logs.job == newest[0], width


async def test_an_empty_account_says_what_to_do(aws_backend: Backend) -> None:
    app = SmtuiApp(aws_backend)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.jobs.model.listed, "the first list")
        await pilot.pause()
        empty = app.query_one("#jobs-empty", Static)
        assert empty.display and visible(app, "#jobs-empty") >= 2
        assert "No training jobs on" in str(empty.render()) and "`s` submits" in str(empty.render())
        make_account(1)
        await pilot.press("ctrl+r")
        await until(pilot, lambda: app.jobs.table.row_count == 1, "the new job")
        assert not empty.display


async def test_a_finished_16_host_job_opens_at_its_end(
    aws_backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first screen is the job's end, read with one call a stream; the history then
    fills from the head (in pages of 500 here, so the head alone would take 64 calls)."""
    from smtui.tui.logview import LogView
    from tests.awsfakes import put_events

    hosts, per_host = 16, 2000
    create_job("long-run", hosts=hosts, status="Completed")
    base = int(dt.datetime.now(dt.UTC).timestamp() * 1000)
    for host in range(1, hosts + 1):
        put_events(
            f"long-run/algo-{host}-1700000000",
            [(base + 16 * i + host, f"h{host} step {i}") for i in range(per_host)],
        )
    aws_backend.logs.page_size = 500  # type: ignore[attr-defined]
    calls: list[str] = []
    clients = aws_backend.jobs.clients  # type: ignore[attr-defined]
    clients.on("before-call.logs", lambda model, **_: calls.append(model.name))
    first: dict[str, Any] = {}
    write_lines, write_rows = LogView.write_lines, LogView.write_rows

    def first_write(view: LogView, lines: Any, *args: Any, **kwargs: Any) -> Any:
        first.setdefault("last line", list(lines)[-1])
        first.setdefault("calls", len(calls))
        return write_lines(view, lines, *args, **kwargs)

    def first_rows(view: LogView, rows: Any, *args: Any, **kwargs: Any) -> Any:
        first.setdefault("last line", view.render_row(rows[-1]))
        first.setdefault("calls", len(calls))
        return write_rows(view, rows, *args, **kwargs)

    monkeypatch.setattr(LogView, "write_lines", first_write)
    monkeypatch.setattr(LogView, "write_rows", first_rows)
    app = SmtuiApp(aws_backend, job="long-run")
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: "last line" in first, "the first screen")
        assert first["last line"] == f"[algo-{hosts}] h{hosts} step {per_host - 1}"
        assert first["calls"] <= hosts + 1  # DescribeLogStreams, then one GetLogEvents each
        await until(pilot, lambda: app.logs.ended, "the whole history", timeout=60)
        assert app.logs.lines_received == hosts * per_host
        assert app.logs.view.lines[-1] == f"[algo-{hosts}] h{hosts} step {per_host - 1}"
        assert len(app.logs.view.lines) == min(hosts * per_host, 20_000)


async def test_after_a_resize_sparklines_and_wrapped_lines_fit_the_new_width(
    aws_backend: Backend,
) -> None:
    from rich.cells import cell_len

    from tests.awsfakes import put_events

    create_job("metered", status="Completed")
    job = sagemaker_backend().training_jobs["metered"]
    job.algorithm_specification["MetricDefinitions"] = [
        {"Name": "loss", "Regex": r"loss=([0-9.]+)"},
        {"Name": "accuracy", "Regex": r"accuracy=([0-9.]+)"},
    ]
    base = int(dt.datetime.now(dt.UTC).timestamp() * 1000)
    lines = [f"epoch {i} loss={1 / (i + 1):.4f} accuracy=0.{i:02d} " + "·" * 150 for i in range(40)]
    put_events("metered/algo-1-1700000000", [(base + i, line) for i, line in enumerate(lines)])
    app = SmtuiApp(aws_backend, job="metered")
    async with app.run_test(size=(160, 45)) as pilot:
        await until(pilot, lambda: app.logs.ended, "the log")
        app.logs.view.focus()
        await pilot.press("w")
        for width in (80, 120, 80):
            await pilot.resize_terminal(width, 45)
            await pilot.pause()
            assert app.query_one("#logs-metrics").region.height == 2, width
            longest = max(cell_len(line) for line in app.logs.view.lines)
            assert longest < width, width


async def test_metric_regexes_run_off_the_event_loop_and_a_bad_one_is_switched_off(
    aws_backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from smtui.core.metrics import MetricTracker
    from tests.awsfakes import put_events

    fed_on: set[str] = set()
    feed = MetricTracker.feed

    def recorded(tracker: MetricTracker, lines: Any) -> bool:
        fed_on.add(threading.current_thread().name)
        return feed(tracker, lines)

    monkeypatch.setattr(MetricTracker, "feed", recorded)
    create_job("redos", status="Completed")
    job = sagemaker_backend().training_jobs["redos"]
    job.algorithm_specification["MetricDefinitions"] = [
        {"Name": "bad", "Regex": "(a|a)*$"},
        {"Name": "loss", "Regex": r"loss=([0-9.]+)"},
    ]
    base = int(dt.datetime.now(dt.UTC).timestamp() * 1000)
    lines = ["a" * 29 + "b", "loss=0.5", "a" * 29 + "b", "loss=0.25"]
    put_events("redos/algo-1-1700000000", [(base + i, line) for i, line in enumerate(lines)])
    app = SmtuiApp(aws_backend, job="redos")
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: app.logs.ended, "the log")
        await until(
            pilot,
            lambda: any("bad" in n.message for n in app._notifications),
            "the notice that the pattern was switched off",
        )
        await until(pilot, lambda: "0.25" in str(app.query_one("#logs-metrics").render()), "loss")
    assert fed_on and threading.main_thread().name not in fed_on
