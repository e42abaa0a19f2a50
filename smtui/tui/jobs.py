"""The jobs pane: every job of a kind (training jobs; `:tuning`, `:processing` for the
others), newest first, updated in place while you watch.

The pane draws and fetches; what a page means (rows added, changed and removed, which jobs
to describe, when to list again) is decided by its model, `JobList` (`tui/joblist.py`).
"""

from __future__ import annotations

import asyncio
import logging

from rich.cells import cell_len
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import reactive, var
from textual.timer import Timer
from textual.widgets import DataTable, Input, Static
from textual.widgets.data_table import ColumnKey
from textual.worker import Worker, WorkerState

from smtui.core.formats import duration, money
from smtui.core.jobs import STATUSES, TrainingJob
from smtui.core.jobstate import capacity_wait
from smtui.core.kinds import TRAINING, Kind
from smtui.services.backend import Backend, JobPage
from smtui.services.errors import ServiceError
from smtui.tui.clock import app_now
from smtui.tui.colours import status_text
from smtui.tui.fields import KeysInOrder, OrderedInput, focus_now
from smtui.tui.headers import JobsHeader
from smtui.tui.joblist import JobList, RefreshPolicy
from smtui.tui.plain import plain

COLUMNS = (
    ("name", "Name"),
    ("status", "Status"),
    ("secondary", "Secondary"),
    ("instance", "Instance×N"),
    ("elapsed", "Elapsed"),
    ("cost", "Est. cost"),
    ("created", "Created"),
)
WIDE_COLUMNS = (
    ("arn", "ARN"),
    ("role", "Role"),
    ("image", "Image"),
    ("spot", "Spot"),
    ("warm_pool", "Warm pool"),
    ("tuning", "Tuning job"),
)
"""Added by the wide view (`W`), after the others: the table then scrolls sideways."""
COMPACT = ("name", "status", "instance", "elapsed", "cost")
"""The columns below `WIDE` cells: the status cell then shows the secondary status
(Training, Uploading, MaxRuntimeExceeded) in the colour of the status, and Created goes
(the rows are newest first anyway), so name, status, elapsed time and cost fit 80 columns."""
WIDE = 100
PAGE = 50
log = logging.getLogger("smtui.tui")
HEIGHT_SHARE = 0.4
"""The jobs table takes at most this share of the screen's rows: the logs get the rest."""
MIN_HEIGHT = 4
MARK = "● "
"""Before the name of a marked job."""
SORT_KEYS = {"N": "name", "U": "status", "A": "created", "E": "elapsed", "C": "cost"}


def job_of(cell: object) -> str:
    """The job a name cell shows (its mark taken off)."""
    return str(cell).removeprefix(MARK)


class JobTable(KeysInOrder, DataTable[str | Text]):
    """The jobs, one row each; keys typed in one read act in order (`KeysInOrder`)."""


class JobsPane(Vertical):
    """The job table with its filters; posts `JobsPane.Highlighted` as the cursor moves."""

    BINDINGS = [
        Binding("/", "filter", "Filter", tooltip="Filter the jobs by name"),
        Binding("S", "cycle_status", "Status", tooltip="Cycle the status filter"),
        Binding("ctrl+r", "refresh", "Refresh", show=False, tooltip="List the jobs now"),
        Binding("space", "mark", "Mark", show=False,
                tooltip="Mark the job (or unmark it): x then stops every marked job"),
        *(
            Binding(key, f"sort('{sort}')", f"Sort {sort}", show=False,
                    tooltip=f"Sort the listed jobs by {sort} (again: reverse)")
            for key, sort in SORT_KEYS.items()
        ),
        Binding("W", "toggle_wide", "Wide", show=False,
                tooltip="Wide view: ARN, role, image, spot, warm pool and tuning job columns"),
    ]  # fmt: skip

    class Highlighted(Message):
        """The cursor is on this job (None: the table is empty)."""

        def __init__(self, job: str | None) -> None:
            super().__init__()
            self.job = job

    class Opened(Message):
        """Enter on a job: show its details."""

        def __init__(self, job: str) -> None:
            super().__init__()
            self.job = job

    class Ended(Message):
        """A listed job was running at the last refresh and has ended (for notices)."""

        def __init__(self, job: TrainingJob) -> None:
            super().__init__()
            self.job = job

    class Refreshed(Message):
        """A refresh ended: the problem if it failed, else None."""

        def __init__(self, problem: str | None) -> None:
            super().__init__()
            self.problem = problem

    status_filter: reactive[str | None] = reactive(None)
    name_filter: reactive[str] = reactive("")
    count: var[int] = var(0)
    """Jobs listed (what the header says, bound into it)."""
    more: var[bool] = var(False)
    marked: var[int] = var(0)
    sort: var[str] = var("created")
    descending: var[bool] = var(True)
    wide: var[bool] = var(False)
    kind: var[Kind] = var(TRAINING)
    """The kind of job listed (`use_kind`)."""

    def __init__(self, backend: Backend) -> None:
        super().__init__(id="jobs")
        self.backend = backend
        self.model = JobList(RefreshPolicy.for_backend(backend), lambda: self.backend.prices)
        self._timer: Timer | None = None
        self._highlighted: str | None = None
        self._ended: set[str] = set()
        """Jobs seen to end, to be told (`Ended`) once their description is in."""
        self.flags: dict[str, str] = {}
        """What is wrong with a watched job (`tui/hosts.py`), shown in its row."""
        self.first_page = asyncio.Event()
        """Set once the first page since the filters (or the account) changed is in."""
        self.columns: tuple[str, ...] = tuple(key for key, _ in COLUMNS)
        """The keys of the columns shown: all of them, or `COMPACT` on a narrow screen."""

    def compose(self) -> ComposeResult:
        yield JobsHeader(readonly=self.backend.readonly, id="jobs-title").data_bind(
            JobsPane.count,
            JobsPane.more,
            JobsPane.status_filter,
            JobsPane.name_filter,
            JobsPane.marked,
            JobsPane.sort,
            JobsPane.descending,
            JobsPane.kind,
        )
        yield OrderedInput(placeholder="filter jobs by name (esc: done)", id="jobs-filter",
                           done=lambda _key: self._close_filter())  # fmt: skip
        table: DataTable[str | Text] = JobTable(id="jobs-table", cursor_type="row")
        self._add_columns(table)
        yield table
        yield Static("", id="jobs-empty", markup=False)

    def _add_columns(self, table: DataTable[str | Text]) -> None:
        labels = dict(COLUMNS + WIDE_COLUMNS)
        for key in self.columns:
            table.add_column(labels[key], key=key)

    def on_resize(self) -> None:
        self._set_columns()

    def _set_columns(self) -> None:
        """The columns for the pane's width, and the wide view's when it is on."""
        wanted = tuple(key for key, _ in COLUMNS) if self.size.width >= WIDE else COMPACT
        if self.wide:
            wanted += tuple(key for key, _ in WIDE_COLUMNS)
        if wanted == self.columns:
            return
        self.columns = wanted
        table = self.table
        table.clear(columns=True)
        self._add_columns(table)
        rows = {name: self._cells(name) for name in self.model.summaries}
        for name, cells in rows.items():
            table.add_row(*cells, key=name)
        # The table measures new rows when next idle, after it has painted (and cached)
        # them in header-wide columns; measured now, the first paint is right.
        for index, column in enumerate(table.ordered_columns):
            widths = [cell_len(str(cells[index])) for cells in rows.values()]
            column.content_width = max([column.content_width, *widths])
        self._sort()
        if self._highlighted is not None and self._highlighted in self.model:
            table.move_cursor(row=table.get_row_index(self._highlighted), scroll=True)

    def on_mount(self) -> None:
        self.query_one("#jobs-filter").display = False
        self.query_one("#jobs-empty").display = False
        self._rows_changed()
        self.refresh_jobs()
        self.set_interval(1.0, self._tick)

    @property
    def table(self) -> DataTable[str | Text]:
        return self.query_one("#jobs-table", DataTable)

    @property
    def selected(self) -> str | None:
        """The job under the cursor now: what an action applies to.

        Read from the table, not from the last `RowHighlighted`: that message arrives after
        the keys typed with the move (`Down Down x` in one read), which would then act on
        the row the cursor left."""
        table = self.table
        if not table.row_count:
            return None
        name = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return name if name in self.model else None

    def status_of(self, name: str) -> str | None:
        """The job's status as last listed (None when it is not in the list)."""
        return self.model.status_of(name)

    def use_backend(self, backend: Backend) -> None:
        """List `backend`'s jobs instead (another profile or region), from the first page;
        the sort and the filters stay, the marks go with the rows."""
        self._start_over(backend, self.kind)

    def use_kind(self, kind: Kind) -> None:
        """List jobs of `kind` instead (`:tuning`), as `use_backend` does."""
        if kind is not self.kind:
            self._start_over(self.backend, kind)

    def _start_over(self, backend: Backend, kind: Kind) -> None:
        self.workers.cancel_group(self, "jobs")
        self.workers.cancel_group(self, "jobs-more")
        if self._timer is not None:
            self._timer.stop()
        self.backend, self.kind = backend, kind
        model = JobList(RefreshPolicy.for_backend(backend), lambda: self.backend.prices)
        model.sort, model.descending = self.model.sort, self.model.descending
        self.model = model
        self.first_page.clear()
        self.table.clear()
        self._highlight(None)
        self._rows_changed()
        self.refresh_jobs()

    # --- refreshing ----------------------------------------------------------------
    @work(exclusive=True, group="jobs", exit_on_error=False)
    async def refresh_jobs(self) -> None:
        """List the first page with the filters: its rows at once, then describe what
        changed (the instances and cost fill in as the descriptions come)."""
        page = await self.backend.jobs.list_jobs(
            self.status_filter, self.name_filter or None, PAGE, kind=self.kind
        )
        self._apply_page(page, first=True)
        # The rows are painted first: the first describe builds the backend's client in a
        # thread (boto3's import and SageMaker model, 0.5 s of CPU), which would otherwise
        # hold the GIL against the first frame's paint.
        await self.wait_for_refresh()
        await self._describe(self.model.stale(page.jobs))

    @work(exclusive=True, group="jobs-more", exit_on_error=False)
    async def load_more(self) -> None:
        """The next (older) page, when the cursor reaches the last row."""
        token = self.model.next_token
        if token is None:
            return
        page = await self.backend.jobs.list_jobs(
            self.status_filter, self.name_filter or None, PAGE, token, kind=self.kind
        )
        self._apply_page(page, first=False)
        await self._describe(self.model.stale(page.jobs))

    async def _describe(self, names: list[str]) -> None:
        limit = asyncio.Semaphore(self.model.policy.describe_at_once)
        kind = self.kind

        async def describe(name: str) -> TrainingJob:
            async with limit:
                return await self.backend.jobs.describe_job(name, kind)

        results = await asyncio.gather(*(describe(n) for n in names), return_exceptions=True)
        failures = []
        updated = False
        for result in results:
            if isinstance(result, TrainingJob):
                if result.name in self._ended and result.is_terminal:
                    self._ended.discard(result.name)
                    self.post_message(self.Ended(result))
                if self.model.described(result):
                    self._update_row(result.name)
                    updated = True
            elif isinstance(result, ServiceError):
                failures.append(result)  # one job's failure must not hide the others
            else:
                raise result
        if updated and self.model.sort in ("elapsed", "cost"):  # what they sort by came in
            self._sort_keeping_cursor()
        if failures:
            raise failures[0]  # reported like a failed list, and retried with the next refresh

    def _apply_page(self, page: JobPage, *, first: bool) -> None:
        table = self.table
        change = self.model.apply(page, first=first)
        if first:
            self.first_page.set()
        for gone in change.removed:
            table.remove_row(gone)
        for name in change.updated:
            self._update_row(name)
        for name in change.added:
            table.add_row(*self._cells(name), key=name)
        self._ended |= set(change.ended)  # told once described: with the failure reason
        if change.added or (change.updated and self.model.sort != "created"):
            self._sort()  # a status or name may have moved in the order
        if (wanted := self.model.take_wanted()) is not None:
            self.select(wanted)
        self._rows_changed()
        if self._highlighted is not None and self._highlighted in self.model:
            row = table.get_row_index(self._highlighted)
            if table.cursor_row != row:  # rows were sorted in above it, or the list rebuilt
                table.move_cursor(row=row, scroll=True)
        else:  # none yet, or its row went away
            under = None
            if table.row_count:
                under = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
            self._highlight(under)

    def _sort(self) -> None:
        """In the model's order (`_apply_page` then puts the cursor back on its job)."""
        now = app_now(self.app)
        self.table.sort(
            "name",
            key=lambda cell: self.model.sort_key(job_of(cell), now),
            reverse=self.model.descending,
        )

    def _cells(self, name: str) -> list[str | Text]:
        summary = self.model.summaries[name]
        job = self.model.details.get(name)
        # The list is fetched on every refresh, so its status is the newest; a description
        # fills in what ListTrainingJobs leaves out (and the secondary status where absent).
        secondary = summary.secondary_status or (job.secondary_status if job else None) or ""
        if flagged := self.flags.get(name):
            secondary = flagged  # in Training: what is wrong says more (`⚠ idle+1`)
        elif job is not None and (wait := capacity_wait(job)) is not None:
            secondary = f"⌛ capacity {duration(wait.lasted(app_now(self.app)))}"
        status = status_text(self.app, summary.status)
        if "secondary" not in self.columns and secondary and self.kind is TRAINING:
            status.plain = secondary  # Training, MaxRuntimeExceeded: in the status's colour
        now = app_now(self.app)
        marked = name in self.model.marked
        # Every cell is a Text: a str would be read as markup, and these are others' words.
        cells: dict[str, str | Text] = {
            "name": plain(f"{MARK}{name}" if marked else name, "bold" if marked else ""),
            "status": status,
            "secondary": plain(secondary),
            "instance": plain(
                f"{job.instance_type.removeprefix('ml.')}×{job.instance_count}" if job else "…"
            ),
            "elapsed": Text(duration(job.elapsed(now)) if job else "…"),
            "cost": Text(money(job.cost(now, self.backend.prices)) if job else "…"),
            "created": Text(summary.created.astimezone().strftime("%m-%d %H:%M")),
        }
        if self.wide:
            cells |= {
                "arn": plain(job.arn if job else "…"),
                "role": plain(job.role_arn if job else "…"),
                "image": plain(job.image if job else "…"),
                "spot": Text(("yes" if job.use_spot else "no") if job else "…"),
                "warm_pool": plain(job.warm_pool() if job else "…"),
                "tuning": plain((job.tuning_job or "") if job else "…"),
            }
        return [cells[key] for key in self.columns]

    def _update_row(self, name: str) -> None:
        if name not in self.model:
            return
        table = self.table
        for key, value in zip(self.columns, self._cells(name), strict=True):
            # A column widens for a wider value, and never narrows: Textual narrows by
            # measuring every cell of the column, for each narrower one updated, which with
            # 300 rows made each round of descriptions (and each second's tick) O(rows²).
            wider = cell_len(str(value)) > table.columns[ColumnKey(key)].content_width
            table.update_cell(name, key, value, update_width=wider)

    def _tick(self) -> None:
        """Elapsed time and cost of running jobs move every second."""
        for name in self.model.moving():
            self._update_row(name)

    def _schedule(self, delay: float) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(delay, self.refresh_jobs)

    @on(Worker.StateChanged)
    def _refresh_ended(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.group not in ("jobs", "jobs-more"):
            return
        event.stop()
        if worker.state == WorkerState.SUCCESS:
            wait = self.model.succeeded()
            if worker.group == "jobs":
                self._schedule(wait)
                self.post_message(self.Refreshed(None))
        elif worker.state == WorkerState.ERROR:
            wait, problem = self.model.failed(worker.error)
            log.info("job list: %s", problem)
            if worker.group == "jobs":
                self._schedule(wait)
            self.post_message(self.Refreshed(problem))

    def select(self, name: str) -> None:
        """Put the cursor on `name` now, or as soon as a refresh lists it."""
        if name in self.model:
            self.model.wanted = None
            table = self.table
            table.move_cursor(row=table.get_row_index(name), scroll=True)
            self._highlight(name)
        else:
            self.model.wanted = name

    # --- the cursor and keys ---------------------------------------------------------
    def _highlight(self, name: str | None) -> None:
        if name != self._highlighted:
            self._highlighted = name
            self.post_message(self.Highlighted(name))

    @on(DataTable.RowHighlighted, "#jobs-table")
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self._highlight(event.row_key.value)
        if event.cursor_row >= self.table.row_count - 1 and self.model.more:
            self.load_more()

    @on(DataTable.RowSelected, "#jobs-table")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value is not None:
            self.post_message(self.Opened(event.row_key.value))

    def action_filter(self) -> None:
        box = self.query_one("#jobs-filter", Input)
        box.display = True
        focus_now(box)

    def action_cycle_status(self) -> None:
        order: list[str | None] = [None, *STATUSES]
        self.status_filter = order[(order.index(self.status_filter) + 1) % len(order)]

    def action_refresh(self) -> None:
        self.refresh_jobs()

    def action_mark(self) -> None:
        """Mark the job under the cursor, or unmark it."""
        name = self.selected
        if name is None:
            return
        self.model.toggle_mark(name)
        self._update_row(name)
        self.marked = len(self.model.marked)

    def flag(self, name: str, text: str) -> None:
        """Show what is wrong with `name` in its row (empty: nothing)."""
        if self.flags.get(name, "") == text:
            return
        if text:
            self.flags[name] = text
        else:
            self.flags.pop(name, None)
        self._update_row(name)

    def clear_marks(self) -> None:
        marked = list(self.model.marked)
        self.model.marked.clear()
        for name in marked:
            self._update_row(name)
        self.marked = 0

    def action_sort(self, sort: str) -> None:
        """Sort by `sort` (the same key again reverses), the cursor kept on its job."""
        self.model.sort_by(sort)
        self.sort, self.descending = self.model.sort, self.model.descending
        self._sort_keeping_cursor()

    def _sort_keeping_cursor(self) -> None:
        selected = self.selected
        self._sort()
        if selected is not None:
            self.table.move_cursor(row=self.table.get_row_index(selected), scroll=True)

    def action_toggle_wide(self) -> None:
        self.wide = not self.wide
        self._set_columns()

    @on(Input.Changed, "#jobs-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.name_filter = event.value.strip()

    def key_escape(self) -> None:
        if self.query_one("#jobs-filter").display:
            self._close_filter()

    def _close_filter(self) -> None:
        box = self.query_one("#jobs-filter", Input)
        box.display = bool(box.value)
        focus_now(self.table)

    def watch_status_filter(self) -> None:
        self._restart()

    def watch_name_filter(self) -> None:
        self._restart()

    def _restart(self) -> None:
        """Filters changed: start again from the first page."""
        if not self.is_mounted:
            return
        self.model.reset()
        self.first_page.clear()
        self.table.clear()
        self._rows_changed()
        self.refresh_jobs()

    def _rows_changed(self) -> None:
        self.count, self.more = len(self.model), self.model.more
        self.marked = len(self.model.marked)  # a row that went took its mark with it
        self.fit_height()
        empty = self.query_one("#jobs-empty", Static)
        empty.display = self.model.listed and not self.model
        if empty.display:
            empty.update(self._empty_text())

    def _empty_text(self) -> str:
        """What an empty list means, and what to do about it."""
        if (reason := self.backend.jobs.why_not(self.kind)) is not None:
            return f"{reason[0].upper()}{reason[1:]}. `:jobs` lists the training jobs."
        if self.status_filter or self.name_filter:
            return "No job matches the filters: `/` and `S` change them (esc clears the name)."
        if self.kind is not TRAINING:
            return (
                f"No {self.kind.plural} on {self.backend.where}. `:jobs` lists the training jobs."
            )
        return (
            f"No training jobs on {self.backend.where}. "
            "`s` submits one from the selected config (`3` lists them; `smtui init` writes one)."
        )

    def fit_height(self) -> None:
        """As tall as the rows (and header), up to `HEIGHT_SHARE` of the screen.

        Set here, not by CSS: a container of `height: auto` takes its child's height before
        the child's `max-height` caps it, so with hundreds of jobs the pane pushed the logs
        off the screen."""
        cap = max(int(self.app.size.height * HEIGHT_SHARE), MIN_HEIGHT)
        self.table.styles.height = min(max(self.table.row_count + 1, MIN_HEIGHT), cap)
