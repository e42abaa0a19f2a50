"""The logs pane's host lines: each host's GPU, GPU memory and CPU as sparklines with the
current value (GPU values per GPU), and what is wrong with a job in Training.

Metrics are read only while a job is watched (shown in the logs pane): one GetMetricData
call a period for every host (a minute on aws, a few seconds locally), backing off while
CloudWatch throttles; a job that has ended is read once. What is wrong (`core/hostmetrics.
flags`: an idle host, a quiet log, a straggler) is posted as `HostLines.Flagged` for the
jobs row and the status line.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable

from rich.text import Text
from textual import work
from textual.message import Message
from textual.widgets import Static

from smtui.core.backoff import Backoff, retrying
from smtui.core.hostmetrics import (
    Flag,
    HostSeries,
    Thresholds,
    hardware,
    has_points,
    host_line,
    job_flags,
    read_results,
)
from smtui.core.jobs import TrainingJob
from smtui.services.backend import Backend
from smtui.services.errors import ServiceError
from smtui.tui.clock import app_now

log = logging.getLogger("smtui.tui")
WINDOW = dt.timedelta(minutes=30)
"""How far back each read goes: the sparklines, and more than the flags' windows."""
MAX_LINES = 4
"""Host lines shown at most (flagged hosts first); the details show every host."""
BACKOFF = Backoff(first=30.0, ceiling=300.0)


class HostLines(Static):
    """One line per host (up to `MAX_LINES`), for the job the logs pane shows."""

    DEFAULT_CSS = """
    HostLines {
        height: auto;
        max-height: 5;
        padding: 0 1;
        background: $boost;
    }
    """

    class Flagged(Message):
        """What is wrong with `job` now (empty: nothing, or no longer watched: a flag is
        only said of a job whose metrics are being read)."""

        def __init__(self, job: str, found: list[Flag], first: bool = False) -> None:
            super().__init__()
            self.job = job
            self.found = found
            self.first = first
            """Whether this is the first read since the job was shown: what it finds was
            so before the user looked, and is shown, not announced."""

    def __init__(self, backend: Backend, last_line: Callable[[], dt.datetime | None],
                 thresholds: Thresholds, id: str | None = None) -> None:  # noqa: A002  # fmt: skip
        super().__init__("", id=id, markup=False)
        self.backend = backend
        self.last_line = last_line
        """The time of the newest log line of the job watched (for the quiet flag)."""
        self.thresholds = thresholds
        self.job: str | None = None
        self.series: HostSeries = {}
        self._drawn: tuple[int, int, list[Flag]] | None = None
        """(GPUs, vCPUs, flags) of the last read: drawn again for a new width."""
        self.known: Callable[[str], TrainingJob | None] = lambda job: None
        """A description already at hand (the jobs list keeps one per listed job, new
        whenever the job changes), so a read costs GetMetricData alone."""

    def on_mount(self) -> None:
        self.display = False

    def watch_job(self, job: str | None) -> None:
        """Read `job`'s metrics while it is shown (None: none)."""
        self.workers.cancel_group(self, "host-metrics")
        if self.job is not None and self.job != job:
            # Not watched: nothing is said of it. Made in this widget's own turn: a message
            # made while the logs pane runs has it as sender, and would stop there.
            self.call_later(self._unflag, self.job)
        self.job, self.series, self._drawn = job, {}, None
        self.display = False
        if job is not None and self.backend.metrics is not None:
            self._read(job)

    def _unflag(self, job: str) -> None:
        self.post_message(self.Flagged(job, []))

    @work(exclusive=True, group="host-metrics", exit_on_error=False)
    async def _read(self, job: str) -> None:
        metrics = self.backend.metrics
        assert metrics is not None
        failures = 0
        first = True
        while True:
            try:
                described = self.known(job) or await self.backend.jobs.describe_job(job)
                now = app_now(self.app)
                results = await metrics.host_metrics(
                    job, described.instance_count, now - WINDOW, now + dt.timedelta(seconds=1)
                )
            except ServiceError as exc:
                failures += 1
                wait = BACKOFF.wait(failures)
                log.info("%s: instance metrics: %s", job, retrying(exc, wait))
                await asyncio.sleep(wait)
                continue
            failures = 0
            self.series = read_results(results, described.instance_count)
            found = job_flags(described, self.series, now=now, thresholds=self.thresholds,
                              last_log=self.last_line(), log_watched=True)  # fmt: skip
            self._show(*hardware(described.instance_type), found)
            self.post_message(self.Flagged(job, found, first))
            first = False
            if described.is_terminal:
                return
            await asyncio.sleep(metrics.period)

    def on_resize(self) -> None:
        if self._drawn is not None:
            self._show(*self._drawn)

    def _show(self, gpus: int, vcpus: int, found: list[Flag]) -> None:
        self._drawn = (gpus, vcpus, found)
        flagged = {flag.host for flag in found}
        hosts = sorted(self.series, key=lambda h: (h not in flagged, int(h.split("-")[1])))
        width = max(self.size.width or self.app.size.width, 40) - 2
        lines = [host_line(h, self.series[h], gpus, vcpus, width) for h in hosts[:MAX_LINES]]
        if len(hosts) > MAX_LINES:
            lines[-1] = f"… {len(hosts) - MAX_LINES + 1} more hosts: the details (enter) show each"
        if not has_points(self.series):
            self.display = False
            return
        text = Text("\n".join(lines), no_wrap=True, overflow="ellipsis")  # a line a host
        self.update(text)
        self.display = True
