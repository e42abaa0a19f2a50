"""The logs pane: the selected job's hosts merged, live, one colour per host.

Lines arrive from the `LogTailer` in batches, and a drain writes them to the history and
the view in slices of `SLICE` seconds with a turn of the event loop between them, giving
way while a key press is on its way to the focused widget, so a key never waits behind a
flood. What is held, and where each chunk goes, is the `LogBuffer`'s to say
(`tui/logbuffer.py`); the view (`tui/logview.py`) holds the newest `MAX_VIEW` lines, plain
ones as the events themselves, drawn when first on screen. Every line also goes to a
`LogHistory` file, so search and save see the whole log while memory stays flat however
long the job runs: when the view falls `BACKLOG` lines behind, the tail waits for it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import queue
import re
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from rich.cells import cell_len, chop_cells
from rich.style import Style
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import reactive, var
from textual.timer import Timer
from textual.widgets import Input, Static
from textual.worker import Worker, WorkerState, get_current_worker

from smtui.core.backoff import retrying
from smtui.core.hostmetrics import Thresholds
from smtui.core.jobs import TrainingJob
from smtui.core.kinds import TRAINING, Kind
from smtui.core.logevents import (
    LogEvent,
    host_of,
    plain_width,
    render_event,
    render_events,
    time_order,
)
from smtui.core.metrics import MetricSeries, MetricTracker, sparkline
from smtui.core.safetext import clean
from smtui.services.backend import Backend, LogSource
from smtui.services.errors import ServiceError
from smtui.services.loghistory import LogHistory
from smtui.services.logtail import LogTailer, TailPolicy
from smtui.tui.colours import host_colours
from smtui.tui.fields import OrderedInput, focus_now
from smtui.tui.headers import LogsHeader
from smtui.tui.hosts import HostLines
from smtui.tui.logbuffer import KEEP, LogBuffer
from smtui.tui.logview import LogView

log = logging.getLogger("smtui.tui")
MAX_VIEW = KEEP
SLICE = 0.008
"""Seconds of writing arrived lines to the history and the view before the event loop takes
a turn."""
YIELDS = 20
"""Turns of the event loop the drain gives, at most, to messages on their way to or from
the focused widget before it writes its next slice."""
MetricLines = list[tuple[str, str]] | None
"""(host, message) pairs for the metrics worker; [] asks for a redraw, None ends it."""
_HOST = re.compile(r"\[algo-(\d+)\]")


class HostColours:
    """The span to colour in a line: its `[algo-N]` prefix (after the time, when shown), in
    the host's colour. Asked only for the rows on screen."""

    def __init__(self, colours: list[str]) -> None:
        self.styles = [Style.parse(f"bold {colour}") for colour in colours]

    def __call__(self, line: str) -> list[tuple[int, int, Style]]:
        match = _HOST.match(line, line.find(" ") + 1 if line[:1].isdigit() else 0)
        if match is None:
            return []
        style = self.styles[(int(match.group(1)) - 1) % len(self.styles)]
        return [(match.start(), match.end(), style)]


def metrics_text(tracker: MetricTracker, width: int, hosts: int, accent: str) -> Text:
    """One line per metric: the first host's sparkline and last value, and on a multi-node
    run the range of every host's last value (built where the tracker is fed)."""
    seen = tracker.seen
    if not seen:
        return Text()
    label = max(len(s.name) for s in seen)
    tails = [_metric_tail(series, hosts > 1) for series in seen]
    room = max(width - label - max(len(tail) for tail in tails) - 4, 8)
    text = Text(no_wrap=True, overflow="crop")  # one line a metric, whatever the width
    for i, (series, tail) in enumerate(zip(seen, tails, strict=True)):
        text.append(f"{clean(series.name):<{label}} ", style="bold")
        text.append(sparkline(series.values, room), style=accent)
        text.append(tail + ("\n" if i < len(seen) - 1 else ""))
    return text


def search_pattern(text: str) -> tuple[re.Pattern[str], str | None]:
    """The search box's pattern, and a note when it is not what was typed.

    A regular expression, case-insensitive unless it has a capital letter (smart case, as in
    less and ripgrep: `error` finds `Error`, `Error` finds only `Error`). One that is not
    valid (often half-typed: `loss=(`) is searched as typed, and the note says why."""
    flags = 0 if any(char.isupper() for char in text) else re.IGNORECASE
    try:
        return re.compile(text, flags), None
    except re.error as exc:
        return re.compile(re.escape(text), flags), f"searched as typed: {exc.msg}"


def wrapped(text: str, width: int) -> list[str]:
    """`text` cut into pieces of at most `width` terminal cells (a CJK character takes two)."""
    if width < 8 or len(text) <= width // 2:
        return [text]
    if text.isascii():  # the common case: one cell a character, cut by slicing
        if len(text) <= width:
            return [text]
        return [text[i : i + width] for i in range(0, len(text), width)]
    return chop_cells(text, width) if cell_len(text) > width else [text]


def _metric_tail(series: MetricSeries, hosts: bool) -> str:
    """` 0.4395` on one host; ` 0.4395 algo-1 · 2 hosts 0.4395–0.4407` on several."""
    tail = f" {series.last:g}"
    if hosts:
        tail += f" {series.leader}"
    if series.spread is not None:
        low, high = series.spread
        values = f"{low:g}" if low == high else f"{low:g}–{high:g}"
        tail += f" · {len(series.hosts)} hosts {values}"
    return tail


NO_LOG = "A {kind} writes no log of its own: enter lists its training jobs."


class LogPane(Vertical):
    """One job's log at a time; `show(job)` switches, cancelling the old tail."""

    BINDINGS = [
        Binding("f", "toggle_follow", "Follow", tooltip="Follow the logs on/off"),
        Binding("w", "toggle_wrap", "Wrap", tooltip="Wrap long log lines"),
        Binding("t", "toggle_timestamps", "Times", tooltip="Show log timestamps"),
        Binding("/", "search", "Search", tooltip="Search every log line (regex; esc clears)"),
        Binding("g", "top", "Top", show=False, tooltip="The first log line"),
        Binding("G", "bottom", "Bottom", show=False, tooltip="The last log line (follows again)"),
        Binding("ctrl+s", "save", "Save", tooltip="Save the whole log to ./<job>.log"),
        Binding("y", "copy_line", "Copy", show=False, tooltip="Copy the last log line on screen"),
        Binding("h", "cycle_host", "Host", show=False,
                tooltip="One host's lines at a time (algo-1, algo-2, …), then all again"),
    ]  # fmt: skip

    class TailChanged(Message):
        """The tail's condition changed: the job's status, or a problem (None: all well)."""

        def __init__(self, job: str, status: str | None, problem: str | None) -> None:
            super().__init__()
            self.job = job
            self.status = status
            self.problem = problem

    follow: reactive[bool] = reactive(True)
    wrap: reactive[bool] = reactive(False)
    timestamps: reactive[bool] = reactive(False)
    # What the header shows (bound into it): the job, and the tail's condition.
    job: var[str | None] = var(None)
    hosts: var[int] = var(1)
    status: var[str | None] = var(None)
    problem: var[str | None] = var(None)
    ended: var[bool] = var(False)
    """Whether the tail has drained the last lines of a job that ended."""
    received: var[int] = var(0)
    """Events written to the history for this job, as the header shows it: set when the
    drain has written all it had, and at each of the view's paints (in a flood the header
    repainted alone between two of them cost a third of a view's paint each time)."""
    filling: var[bool] = var(False)
    search: var[str | None] = var(None)
    matches: var[int] = var(0)
    search_note: var[str | None] = var(None)
    """Why the search is of the text as typed (it is not a valid regular expression)."""
    host: var[str | None] = var(None)
    """The one host shown (`h` cycles), or None for every host."""

    def __init__(self, backend: Backend, thresholds: Thresholds | None = None) -> None:
        super().__init__(id="logs")
        self.backend = backend
        self.thresholds = thresholds or Thresholds()
        """When a job in Training is flagged (the settings' `stalls`)."""
        self.listed: Kind = TRAINING
        """The kind the jobs pane lists: a job it highlights is of this kind."""
        self.kind: Kind = TRAINING
        """The kind of the job shown (the listed kind, or a tuning job's training job
        opened with `l`): where it logs."""
        self.history: LogHistory | None = None
        self.metrics = MetricTracker([])
        """The job's metric definitions, fed every line."""
        self.buffer = LogBuffer()
        self._metric_feed: queue.SimpleQueue[MetricLines] | None = None
        """The lines for the metrics worker of the job shown (None: no metrics)."""
        self._width = 0
        """The width the view was last laid out for (wrap and sparklines follow it)."""
        self._arrived = asyncio.Event()
        """Set when the tail adds lines for the drain to write."""
        self._caught_up = asyncio.Event()
        """Set when the view is no longer `backlogged`: the tail reads on."""
        self._emptied = asyncio.Event()
        """Set when the drain has written every line the tail added."""
        self._switch_timer: Timer | None = None
        self._pattern: re.Pattern[str] | None = None
        self._filter: Callable[[LogEvent], bool] | None = None
        """What the view shows of the history while searching or showing one host (None:
        every line)."""

    def compose(self) -> ComposeResult:
        yield LogsHeader(id="logs-title").data_bind(
            LogPane.job, LogPane.hosts, LogPane.status, LogPane.problem, LogPane.follow,
            LogPane.ended, LogPane.received, LogPane.filling, LogPane.wrap, LogPane.search,
            LogPane.matches, LogPane.search_note, LogPane.host,
        )  # fmt: skip
        yield Static("", id="logs-metrics", markup=False)
        yield HostLines(self.backend, self.last_line_time, self.thresholds, id="logs-hosts")
        yield LogView(MAX_VIEW, render_row=self._line_of, on_paint=self._count, id="logs-view")
        yield OrderedInput(placeholder="search: a regular expression (esc: clear)",
                           id="logs-search", done=self._search_key)  # fmt: skip

    def on_mount(self) -> None:
        self.view.spans = HostColours(host_colours(self.app))
        self.query_one("#logs-search").display = False
        self.query_one("#logs-metrics").display = False

    def on_unmount(self) -> None:
        self._stop_measuring()
        if self.history is not None:
            self.history.close()

    @property
    def lines_received(self) -> int:
        """Events written to the history for this job (tests and the bench wait on it; the
        header's `received` follows it at the view's paints in a flood)."""
        return self.history.count if self.history is not None else 0

    @property
    def view(self) -> LogView:
        return self.query_one("#logs-view", LogView)

    def use_backend(self, backend: Backend) -> None:
        """Tail from `backend` (another profile or region): nothing is shown until the
        jobs pane highlights one of its jobs."""
        self.backend = backend
        self.query_one(HostLines).backend = backend
        self.show(None, at_once=True)

    def last_line_time(self) -> dt.datetime | None:
        """The time of the newest log line of the job shown (None: none yet)."""
        recent = self.buffer.recent
        if not recent:
            return None
        return dt.datetime.fromtimestamp(recent[-1].timestamp / 1000, dt.UTC)

    def use_kind(self, kind: Kind) -> None:
        """Tail jobs of `kind` (from its log group) once the jobs pane highlights one."""
        self.listed = kind
        self.show(None, at_once=True)

    @property
    def source(self) -> LogSource | None:
        """Where the jobs shown log (None: a tuning job, which writes no log of its own)."""
        return self.backend.logs_of(self.kind)

    # --- switching jobs --------------------------------------------------------------
    def show(self, job: str | None, *, at_once: bool = False, kind: Kind | None = None) -> None:
        """Tail `job` (None: nothing), of `kind` (None: the kind listed). Cursor moves
        settle for a moment before the tail starts, so scrolling through the job list does
        not start a tail per row."""
        if self._switch_timer is not None:
            self._switch_timer.stop()
            self._switch_timer = None
        kind = kind or self.listed
        if (job, kind) == (self.job, self.kind):
            return
        if at_once:
            self._start(job, kind)
        else:
            self._switch_timer = self.set_timer(0.15, lambda: self._start(job, kind))

    def _start(self, job: str | None, kind: Kind) -> None:
        self.kind = kind
        self.workers.cancel_group(self, "tail")
        if self.history is not None:
            self.history.close()
        self.job, self.status, self.problem, self.ended = job, None, None, False
        self.history = LogHistory() if job else None
        self._stop_measuring()
        self.metrics = MetricTracker([])
        self.query_one("#logs-metrics").display = False
        self.buffer.reset()
        self.received = self.matches = 0
        self.filling = False
        self.host = None
        self._filter = self._make_filter()
        self.view.clear()
        self.follow = True
        self.query_one(HostLines).watch_job(job if kind is TRAINING else None)
        if job is None:
            self.workers.cancel_group(self, "drain")
        elif self.source is None:
            self.workers.cancel_group(self, "drain")
            self.view.write_lines([NO_LOG.format(kind=self.kind.noun)])
        else:
            self._tail(job)
            self._drain()

    @work(exclusive=True, group="tail", exit_on_error=False)
    async def _tail(self, job: str) -> None:
        described = await self._describe(job)
        self.hosts = described.instance_count
        algorithm = described.raw.get("AlgorithmSpecification", {})
        self.metrics = MetricTracker(algorithm.get("MetricDefinitions", []))
        for problem in self.metrics.problems:
            self.notify(problem, severity="warning")
        if algorithm.get("MetricDefinitions"):
            self._metric_feed = queue.SimpleQueue()
            self._measure(self.metrics, self._metric_feed)
        if described.is_terminal:
            await self._open_at_end(job)
        source = self.source
        assert source is not None  # `_start` tails only a kind that logs
        tailer = LogTailer(source, job, follow=True, hosts=self.hosts)
        buffer = self.buffer
        async for batch in tailer.batches():
            if batch.events:
                buffer.add(batch.events)
                self._arrived.set()
                if buffer.backlogged:  # the view is behind: read no further yet
                    self._caught_up.clear()
                    await self._caught_up.wait()
            if batch.done and buffer.pending:  # the last lines are on screen before "ended"
                self._emptied.clear()
                self._arrived.set()
                await self._emptied.wait()
            if batch.done and buffer.filled():  # the history is whole
                self.filling = False
                self._rewrite()
            if batch.status != self.status or batch.problem != self.problem or batch.done:
                self.status, self.problem, self.ended = batch.status, batch.problem, batch.done
                self.post_message(self.TailChanged(job, batch.status, batch.problem))
            await asyncio.sleep(0)  # a history of a million lines must not hold the keys

    async def _open_at_end(self, job: str) -> None:
        """A finished job: its end on screen first, read with one call a stream (people open
        a finished job to see how it ended), whatever the log's length. The tail then fills
        the history from the head for search and save, and the view again once it is whole.
        """
        source = self.source
        assert source is not None
        streams = await source.streams(job)
        share = max(MAX_VIEW // max(len(streams), 1), 100)
        pages = await asyncio.gather(*(source.last(stream, share) for stream in streams))
        self.buffer.open_at_end(sorted((e for page in pages for e in page), key=time_order))
        self.filling = True
        self._write(self.buffer.recent)
        self.view.scroll_end(animate=False)

    async def _describe(self, job: str) -> TrainingJob:
        """The job, retried while the endpoint is away or throttling."""
        failures = 0
        while True:
            try:
                return await self.backend.jobs.describe_job(job, self.kind)
            except ServiceError as exc:
                if not exc.retryable:
                    raise
                failures += 1
                wait = TailPolicy.for_source(self.source or self.backend.logs).backoff.wait(
                    failures
                )
                self.problem = retrying(exc, wait)
                self.post_message(self.TailChanged(job, self.status, self.problem))
                await asyncio.sleep(wait)

    @on(Worker.StateChanged)
    def _tail_ended(self, event: Worker.StateChanged) -> None:
        if event.worker.group not in ("tail", "drain"):
            return
        event.stop()
        if event.worker.state == WorkerState.ERROR and self.job is not None:
            self.problem = f"log tail stopped: {event.worker.error}"
            log.info("%s: %s", self.job, self.problem)
            self.post_message(self.TailChanged(self.job, self.status, self.problem))

    @work(exclusive=True, group="drain", exit_on_error=False)
    async def _drain(self) -> None:
        """Write the lines the tail adds, a slice of time per turn of the event loop, and
        none while a key press is on its way: in a flood a key waits behind one slice at
        most, and the tail reads on meanwhile (its parsing threads share the GIL)."""
        arrived = self._arrived
        while True:
            await arrived.wait()
            arrived.clear()
            given = 0
            while self.buffer.pending and self.history is not None:
                if given < YIELDS and self._input_waiting():
                    given += 1
                else:
                    given = 0
                    self._flush(SLICE)
                await asyncio.sleep(0)

    def _input_waiting(self) -> bool:
        """Whether a message waits on the path between the app and the focused widget. A
        key press travels down that path and back up it, a turn of the event loop a step:
        with a slice written at every step it waited six slices, not one."""
        focused = self.app.focused
        path = focused.ancestors_with_self if focused is not None else (self.app.screen, self.app)
        return any(node.message_queue_size for node in path)

    def _flush(self, budget: float) -> None:
        """Write pending lines, a chunk at a time, for about `budget` seconds."""
        buffer, history = self.buffer, self.history
        if history is not None:
            deadline = time.perf_counter() + budget
            while buffer.pending:
                self._accept(history, buffer.take())
                if time.perf_counter() >= deadline:
                    break
            if not buffer.pending and not self.view.paint_pending:  # else at that paint
                self._count()
        if not buffer.backlogged:
            self._caught_up.set()
        if not buffer.pending:
            self._emptied.set()

    def _accept(self, history: LogHistory, events: list[LogEvent]) -> None:
        """A chunk into the history, the metrics and, where it shows, the view."""
        history.append(events)
        if self._metric_feed is not None:
            self._metric_feed.put([(host_of(event.stream), event.message) for event in events])
        passes = self._filter
        placed = self.buffer.place(events, searching=passes is not None)
        if placed.kind == "late":  # a host whose lines reached CloudWatch late
            shown = len(self._lines_of(placed.displaced))
            view = self.view
            view.replace_tail(view.line_count - shown, self._lines_of(placed.events), self.follow)
        elif placed.kind == "append":
            events = placed.events
            if passes is not None:
                events = [event for event in events if passes(event)]
                self.matches += len(events)
            self._write(events)

    @work(thread=True, group="metrics", exit_on_error=False)
    def _measure(self, tracker: MetricTracker, feed: queue.SimpleQueue[MetricLines]) -> None:
        """Feed the job's metric regexes, off the event loop: the patterns come from the
        job's description, written by anyone, and even within their time budget a bad one
        must not hold the keys. An empty batch asks for a redraw (a resize); None ends it."""
        worker = get_current_worker()
        while True:
            try:
                lines = feed.get(timeout=0.5)
            except queue.Empty:
                if worker.is_cancelled:  # the app is closing: never hold its exit
                    return
                continue
            if lines is None:
                return
            changed = tracker.feed(lines) if lines else True
            notices = tracker.take_notices()  # a pattern that blew its time budget
            if changed:
                accent = self.app.theme_variables.get("accent", "")
                text = metrics_text(tracker, self.size.width, self.hosts, accent)
                self.app.call_from_thread(self._show_metrics, tracker, text)
            for notice in notices:
                self.app.call_from_thread(self.notify, notice, severity="warning", timeout=10)

    def _show_metrics(self, tracker: MetricTracker, text: Text) -> None:
        if tracker is not self.metrics:
            return  # another job's, drawn after the switch
        box = self.query_one("#logs-metrics", Static)
        shown = bool(text.plain)
        if shown != box.display:
            box.display = shown
            self._keep_following()  # the view just got shorter
        box.update(text)

    def _stop_measuring(self) -> None:
        if self._metric_feed is not None:
            self._metric_feed.put(None)
            self._metric_feed = None

    def _lines_of(self, events: Iterable[LogEvent]) -> list[str]:
        """The view's lines for `events`: host prefixes, times and wrapping as switched, a
        multi-line message on several lines."""
        rendered = render_events(events, hosts=self.hosts > 1, timestamps=self.timestamps)
        if self.wrap:
            width = max(self.view.scrollable_content_region.width - 1, 8)
            return [
                piece
                for text in rendered
                for line in text.split("\n")
                for piece in wrapped(line, width)
            ]
        if any("\n" in text for text in rendered):
            return [line for text in rendered for line in text.split("\n")]
        return rendered

    def _count(self) -> None:
        """The header's line count brought up to the history's."""
        if self.history is not None:
            self.received = self.history.count

    def _line_of(self, event: LogEvent) -> str:
        """The view's line for an event written as a row (plain, one line, no time)."""
        return render_event(event, hosts=self.hosts > 1, timestamps=False)

    def _write(self, events: Iterable[LogEvent]) -> None:
        """Events into the view: plain ones as rows, drawn when first on screen (in a flood
        most never are); the others as lines now (times, wrapping, escapes, tabs)."""
        events = events if isinstance(events, list) else list(events)
        width = None if self.timestamps or self.wrap else plain_width(events, hosts=self.hosts > 1)
        if width is None:
            self.view.write_lines(self._lines_of(events), scroll_end=self.follow)
        else:
            self.view.write_rows(events, width, scroll_end=self.follow)

    def _rewrite(self) -> None:
        """Render the kept lines again (times or wrap switched, search cleared, late lines
        put in their place); a reader scrolled up stays where they were."""
        view = self.view
        place = view.scroll_y
        view.clear()
        self._write(self.buffer.recent)
        if self.follow:
            view.scroll_end(animate=False)
        else:
            view.scroll_to(y=place, animate=False)

    def _keep_following(self) -> None:
        if self.follow:
            self.call_after_refresh(self.view.scroll_end, animate=False)

    def on_resize(self) -> None:
        """A new width: the sparklines are drawn for it, and wrapped lines cut again."""
        width = self.size.width
        if width != self._width:
            self._width = width
            if self._metric_feed is not None:
                self._metric_feed.put([])  # drawn again for the new width
            if self.wrap:
                self._rewrite()
        self._keep_following()

    # --- keys ------------------------------------------------------------------------
    def watch_follow(self, follow: bool) -> None:
        if self.is_mounted:
            self.view.auto_scroll = follow
            if follow:
                self.view.scroll_end(animate=False)

    def action_toggle_follow(self) -> None:
        self.follow = not self.follow

    def action_toggle_wrap(self) -> None:
        self.wrap = not self.wrap
        self._refilter()

    def action_toggle_timestamps(self) -> None:
        self.timestamps = not self.timestamps
        self._refilter()

    def action_top(self) -> None:
        self.follow = False
        self.view.scroll_home(animate=False)

    def action_bottom(self) -> None:
        self.follow = True

    def action_search(self) -> None:
        box = self.query_one("#logs-search", Input)
        box.display = True
        focus_now(box)

    def action_copy_line(self) -> None:
        line = self.view.last_line_shown()
        if line is None:
            self.notify("no log line to copy", severity="warning")
            return
        self.app.copy_to_clipboard(line)
        self.notify(f"copied the log line: {line}")

    def action_save(self) -> None:
        if self.history is None or self.job is None:
            self.notify("no job selected", severity="warning")
            return
        self._save(self.history, Path.cwd() / f"{self.job}.log", self.hosts > 1)

    @work(thread=True, group="log-save", exit_on_error=False)
    def _save(self, history: LogHistory, dest: Path, hosts: bool) -> None:
        try:
            count = history.save(dest, hosts=hosts)
        except OSError as exc:
            self.app.call_from_thread(self.notify, f"not saved: {exc}", severity="error")
            return
        self.app.call_from_thread(self.notify, f"saved {count:,} lines to {dest}")

    # --- search ----------------------------------------------------------------------
    @on(Input.Changed, "#logs-search")
    def _search_changed(self, event: Input.Changed) -> None:
        event.stop()
        text = event.value
        self._pattern, self.search_note = search_pattern(text) if text else (None, None)
        self.search = text or None
        self._filter = self._make_filter()
        self._refilter()

    def _search_key(self, key: str) -> None:
        """Enter keeps the search and goes back to the lines; Esc clears it."""
        if key == "escape":
            self.key_escape()
        else:
            focus_now(self.view)

    def key_escape(self) -> None:
        box = self.query_one("#logs-search", Input)
        if box.display:
            box.value = ""
            box.display = False
            focus_now(self.view)

    def action_cycle_host(self) -> None:
        """All hosts, then algo-1, algo-2 … one at a time, then all again."""
        if self.hosts < 2:
            self.notify("this job has one host", severity="information")
            return
        order: list[str | None] = [None, *(f"algo-{n}" for n in range(1, self.hosts + 1))]
        self.host = order[(order.index(self.host) + 1) % len(order)]
        self._filter = self._make_filter()
        self._refilter()

    def _make_filter(self) -> Callable[[LogEvent], bool] | None:
        """What passes the search and the host shown (None: everything does)."""
        pattern, host = self._pattern, self.host
        if pattern is None and host is None:
            return None
        search = pattern.search if pattern is not None else None

        def passes(event: LogEvent) -> bool:
            if host is not None and host_of(event.stream) != host:
                return False
            return search is None or search(event.message) is not None

        return passes

    def _refilter(self) -> None:
        """Show the kept lines, or, while searching or showing one host, every line of the
        history that passes."""
        if self._filter is None or self.history is None:
            self.workers.cancel_group(self, "log-search")
            self._rewrite()
            return
        self._search(self.history, self._filter, self.history.count)

    @work(thread=True, exclusive=True, group="log-search", exit_on_error=False)
    def _search(self, history: LogHistory, passes: Callable[[LogEvent], bool], upto: int) -> None:
        worker = get_current_worker()
        found, total = history.matching(passes, MAX_VIEW)
        if not worker.is_cancelled:
            self.app.call_from_thread(self._show_matches, passes, found, total, upto)

    def _show_matches(
        self, passes: Callable[[LogEvent], bool], found: list[LogEvent], total: int, upto: int
    ) -> None:
        if passes is not self._filter:
            return
        # Lines that arrived while the search ran were written past `upto`.
        since = self.lines_received - upto
        later = list(self.buffer.recent)[-since:] if since > 0 else []
        more = [event for event in later if passes(event)]
        self.matches = total + len(more)
        self.view.clear()
        self._write(found + more)
