"""A log far bigger than the view, arriving as fast as it can be read: the view ends with
exactly the newest lines in order, and the whole log reaches the history."""

from __future__ import annotations

from typing import Any

from smtui.core.jobs import JobSummary, TrainingJob
from smtui.core.logevents import LogEvent
from smtui.services.backend import Backend, EventPage, JobPage
from smtui.tui.app import SmtuiApp
from smtui.tui.logbuffer import BACKLOG
from smtui.tui.logs import MAX_VIEW
from tests.tui.conftest import until

JOB = "flood-20261124-090000-000"
PER_HOST = 40_000
DESCRIBED = {
    "TrainingJobName": JOB,
    "TrainingJobStatus": "InProgress",  # a live job's flood: every line goes to the view
    "SecondaryStatus": "Training",
    "CreationTime": "2026-11-24T09:00:00+00:00",
    "LastModifiedTime": "2026-11-24T09:00:00+00:00",
    "ResourceConfig": {"InstanceType": "ml.g5.xlarge", "InstanceCount": 2},
}


class Jobs:
    async def list_jobs(self, *args: Any, **kwargs: Any) -> JobPage:
        return JobPage([JobSummary.from_api(DESCRIBED)])

    async def describe_job(self, name: str, *kind: Any) -> TrainingJob:
        return TrainingJob.from_api(DESCRIBED)


class Flood:
    """Two hosts' streams in pages of 10,000 events, as fast as they are asked for."""

    cheap = False

    async def streams(self, job: str) -> list[str]:
        return [f"{job}/algo-1-1", f"{job}/algo-2-1"]

    async def read(self, stream: str, token: str | None, start_ms: int | None) -> EventPage:
        host = int(stream.rsplit("/algo-", 1)[1].split("-")[0])
        start = int(token or 0)
        stop = min(PER_HOST, start + 10_000)
        events = [LogEvent(2 * i + host, f"step {i}", stream) for i in range(start, stop)]
        return EventPage(events, str(stop) if events else token)

    async def search(self, *args: Any) -> None:
        return None

    async def job_status(self, job: str) -> str:
        return "Completed"


async def test_the_view_ends_with_the_newest_lines_and_the_history_has_all() -> None:
    assert 2 * PER_HOST > BACKLOG + MAX_VIEW  # enough to fill the backlog and skip drawing
    backend = Backend("flood", Jobs(), Flood(), None, "in memory")  # type: ignore[arg-type]
    app = SmtuiApp(backend, job=JOB)
    async with app.run_test(size=(120, 36)) as pilot:
        logs = app.logs
        await until(pilot, lambda: logs.ended, "the whole log", timeout=60)
        await pilot.pause()
        assert logs.lines_received == 2 * PER_HOST
        newest = [f"[algo-{h}] step {i}" for i in range(PER_HOST - MAX_VIEW // 2, PER_HOST)
                  for h in (1, 2)]  # fmt: skip
        assert list(logs.view.lines) == newest
        assert logs.history is not None
        assert [e.timestamp for e in logs.history.events()] == list(range(1, 2 * PER_HOST + 1))


async def test_the_headers_and_the_status_line_change_without_a_layout(
    monkeypatch: Any,
) -> None:
    """A layout reflows the whole screen (40 ms on 2 cores at 160×45); the one-line
    widgets drawn from state repaint only, however often the flood and refreshes change
    them."""
    from textual.widget import Widget

    from smtui.tui.headers import StateLine

    asked: list[str] = []
    refresh = Widget.refresh

    def spy(self: Widget, *regions: Any, **kwargs: Any) -> Any:
        if kwargs.get("layout") and isinstance(self, StateLine):
            asked.append(type(self).__name__)
        return refresh(self, *regions, **kwargs)

    backend = Backend("flood", Jobs(), Flood(), None, "in memory")  # type: ignore[arg-type]
    app = SmtuiApp(backend, job=JOB)
    async with app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: app.logs.lines_received > 0, "the first lines", timeout=60)
        monkeypatch.setattr(Widget, "refresh", spy)
        status = app.main.status
        status.set_problem("jobs", "throttled; retrying in 10 s")
        status.set_problem("jobs", None)
        await pilot.press("ctrl+r")  # a refresh: the status line's time, the jobs header
        await until(pilot, lambda: app.logs.ended, "the whole log", timeout=60)
        await pilot.pause()
        assert status.refreshed is not None and app.logs.received == 2 * PER_HOST
    assert asked == []
