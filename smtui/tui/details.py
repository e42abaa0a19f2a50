"""The details screen (`enter` on a job): the whole job as the console shows it, failure
reason first, the stored config last; `v` shows the raw Describe… response.

Each value is a row of a list: long ones wrap (an ARN, a URL, an environment value is never
cut off), and `y` copies the row under the cursor, whole. A tuning job opens on its
training jobs, best objective first; `enter` on one (or on a training job's tuning job)
opens that job's details.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, cast

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from smtui.core.jobs import TrainingJob, Trial
from smtui.core.jobview import Link, Section, sections
from smtui.core.kinds import TRAINING, TUNING, Kind
from smtui.core.s3uri import S3Uri
from smtui.services.backend import Backend
from smtui.services.errors import NotFound, ServiceError
from smtui.services.submit import configs_uri
from smtui.tui.clock import app_now
from smtui.tui.colours import status_colour
from smtui.tui.fields import KeysInOrder
from smtui.tui.guard import allowed
from smtui.tui.plain import plain

if TYPE_CHECKING:
    from smtui.tui.app import SmtuiApp

LABEL_WIDTH = 26
"""Labels longer than this (or than a fifth of the screen) wrap in their column, so the
values keep most of the width: at 80 columns a training job's ARN fits on one line."""


class DetailRows(KeysInOrder, OptionList):
    """The sections' rows; keys typed in one read act in order (`KeysInOrder`)."""


def _row(label: str, value: str, width: int) -> Table:
    grid = Table.grid(padding=(0, 2), expand=True)
    grid.add_column(style="bold", width=width)
    grid.add_column(ratio=1)
    shown = plain(value)
    shown.overflow = "fold"  # an ARN or a URL has no spaces to wrap at
    grid.add_row(plain(label), shown)
    return grid


class DetailsScreen(Screen[None]):
    """One job described; the stored config (when smtui submitted it) at the end."""

    BINDINGS = [
        Binding("escape,q", "app.pop_screen", "Back"),
        Binding("r", "resubmit", "Resubmit", tooltip="Resubmit this job with changes"),
        Binding("x", "stop_job", "Stop", tooltip="Stop this job (asks first)"),
        Binding("d", "download", "Get model", tooltip="Download model.tar.gz to ./<job>/"),
        Binding("y", "copy", "Copy", tooltip="Copy the value under the cursor, whole (OSC 52)"),
        Binding("v", "raw", "Raw", tooltip="The Describe… response as YAML or JSON"),
        Binding(
            "K",
            "warm_pool",
            "Warm pool",
            show=False,
            tooltip="Keep this job's warm pool longer, or release it (0 s)",
        ),
        Binding(
            "l",
            "logs",
            "Logs",
            tooltip="Back to the jobs view, with this job's logs "
            "in the logs pane (a tuning job's training job: under the tuning jobs)",
        ),
        Binding(
            "exclamation_mark",
            "shell",
            "Shell",
            show=False,
            tooltip="A shell on this job's algo-1 (SSM on aws)",
        ),
    ]

    def __init__(self, backend: Backend, job: str, kind: Kind = TRAINING) -> None:
        super().__init__()
        self.backend = backend
        self.job = job
        self.kind = kind
        self.described: TrainingJob | None = None
        self.rows: list[tuple[str, str]] = []
        """Every row shown, (label, value), in order: what `y` copies from."""
        self.links: dict[int, Link] = {}
        """The rows (by index into `rows`) that open another job."""
        self.complete = False
        """Whether the tags, the log streams and the stored config are in too."""

    def compose(self) -> ComposeResult:
        with Vertical(id="details"):
            yield Static(plain(f"{self.job}: loading…"), id="details-heading", markup=False)
            yield Static("", id="details-failure", markup=False)
            yield DetailRows(id="details-rows")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#details-failure").display = False
        self.query_one("#details-rows").focus()
        self.load()

    @property
    def smtui(self) -> SmtuiApp:
        return cast("SmtuiApp", self.app)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("resubmit", "download", "shell", "warm_pool") and self.kind is not TRAINING:
            return None  # a tuning or processing job has no model, config or shell here
        if action == "logs" and self.backend.logs_of(self.kind) is None:
            return None  # a tuning job writes no log of its own
        return allowed(self, action)  # read-only mode greys out stop and resubmit

    def action_resubmit(self) -> None:
        self.smtui.open_resubmit(self.job)

    def action_stop_job(self) -> None:
        status = self.described.status if self.described else None
        self.smtui.stop_job(self.job, status, self.kind)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Enter on a row that links to a job (a tuning job's training job, a training
        job's tuning job): that job's details; back to it when it is the screen below."""
        event.stop()
        if event.option.id is None or (link := self.links.get(int(event.option.id))) is None:
            return
        kind, name = link
        stack = self.app.screen_stack
        below = stack[-2] if len(stack) > 1 else None
        if isinstance(below, DetailsScreen) and (below.kind, below.job) == (kind, name):
            self.app.pop_screen()
        else:
            self.app.push_screen(DetailsScreen(self.backend, name, kind))

    def action_download(self) -> None:
        self.smtui.download(self.job)

    def action_warm_pool(self) -> None:
        self.smtui.change_warm_pool(self.job)

    def action_logs(self) -> None:
        self.smtui.show_logs(self.job, self.kind)

    def action_shell(self) -> None:
        self.smtui.open_shell(self.job, "algo-1")

    def action_copy(self) -> None:
        """The highlighted row's value (the ARN until the cursor moves)."""
        listing = self.query_one("#details-rows", OptionList)
        index = listing.highlighted
        option = listing.get_option_at_index(index) if index is not None else None
        if option is None or option.id is None:
            self.smtui.copy(self.job, "job name")
            return
        label, value = self.rows[int(option.id)]
        self.smtui.copy(value, label)

    def action_raw(self) -> None:
        if self.described is None:
            self.notify("the job is not described yet", severity="warning")
            return
        from smtui.tui.raw import RawScreen

        self.app.push_screen(RawScreen(self.described))

    def text(self) -> str:
        """Every row as `label: value` lines (what the screen says, unwrapped)."""
        return "\n".join(f"{label}: {value}" for label, value in self.rows)

    @work(exclusive=True, group="details", exit_on_error=False)
    async def load(self) -> None:
        trials: list[Trial] | None = None
        try:
            if self.kind is TUNING:  # it opens on its training jobs: both come first
                job, trials = await asyncio.gather(
                    self.backend.jobs.describe_job(self.job, self.kind),
                    self.backend.jobs.trials(self.job),
                )
            else:
                job = await self.backend.jobs.describe_job(self.job, self.kind)
        except ServiceError as exc:
            self.query_one("#details-heading", Static).update(plain(exc, style="bold red"))
            return
        self.described = job
        self._heading(job)
        # At once; the rest follows.
        prices = self.backend.prices
        self._show(sections(job, now=app_now(self.app), trials=trials, prices=prices),
                   trials=trials)  # fmt: skip
        tags, streams, config, hosts, saved = await asyncio.gather(
            self._tags(job), self._streams(job), self._config(job), self._hosts(job),
            self._checkpoint(job),
        )  # fmt: skip
        found = sections(job, tags=tags, streams=streams, now=app_now(self.app), trials=trials,
                         prices=prices)  # fmt: skip
        for extra in (saved, hosts):  # after the job's summary: what its money buys
            if extra is not None and extra.rows:
                found.insert(1, extra)
        if config is not None:
            found.append(config)
        self._show(found)
        self.complete = True

    async def _tags(self, job: TrainingJob) -> dict[str, str]:
        try:
            return await self.backend.jobs.tags(job)
        except ServiceError as exc:
            return {"(cannot list them)": str(exc)}

    async def _streams(self, job: TrainingJob) -> list[str]:
        source = self.backend.logs_of(job.kind)
        if source is None:
            return []  # a tuning job: its training jobs log
        try:
            return await source.streams(job.name)
        except ServiceError:
            return []  # the logs pane says why

    async def _hosts(self, job: TrainingJob) -> Section | None:
        """Each host's metrics, read once (`tui/hosts.py` reads them while watched)."""
        from smtui.core.hostmetrics import job_flags, read_results
        from smtui.core.jobview import hosts_section
        from smtui.tui.hosts import WINDOW

        metrics = self.backend.metrics
        if job.kind is not TRAINING or metrics is None:
            return None
        now = app_now(self.app)
        try:
            results = await metrics.host_metrics(job.name, job.instance_count, now - WINDOW, now)
        except ServiceError as exc:
            return Section("Hosts", [("(cannot read metrics)", str(exc))])
        series = read_results(results, job.instance_count)
        logs = self.smtui.logs
        # The quiet flag needs the newest log line: known when the logs pane shows the job.
        watched = logs.job == job.name
        found = job_flags(job, series, now=now, thresholds=logs.thresholds,
                          last_log=logs.last_line_time() if watched else None,
                          log_watched=watched)  # fmt: skip
        return hosts_section(job, series, found)

    async def _checkpoint(self, job: TrainingJob) -> Section | None:
        """A running job's newest checkpoint and its age (a spot job resumes from it)."""
        uri = job.raw.get("CheckpointConfig", {}).get("S3Uri")
        if job.kind is not TRAINING or job.is_terminal or not uri:
            return None
        where = S3Uri.parse(uri).folder  # SageMaker accepted it: an s3:// URI
        try:
            objects = await self.backend.storage.list_all(str(where))
        except ServiceError as exc:
            return Section("Checkpoints", [("(cannot list them)", str(exc))])
        from smtui.core.formats import duration

        if not objects:
            return Section("Checkpoints", [("newest checkpoint", f"none yet under {uri}")])
        newest = max(objects, key=lambda item: item.modified)
        age = app_now(self.app) - newest.modified
        limit = self.smtui.logs.thresholds.checkpoint_minutes
        said = f"{duration(age)} ago: {S3Uri(where.bucket, newest.key)}"
        if age.total_seconds() > limit * 60:
            said = f"⚠ {said} (older than {limit:g} min: a restart would lose that much)"
        return Section("Checkpoints", [("newest checkpoint", said)])

    async def _config(self, job: TrainingJob) -> Section | None:
        if job.kind is not TRAINING:
            return None  # smtui submits training jobs only
        where = configs_uri(job.raw, job.name)
        config = "(none stored: not submitted by smtui, or removed since)"
        if where:
            try:
                config = (await self.backend.storage.read_bytes(where)).decode(errors="replace")
            except NotFound:
                pass  # the job was not submitted by smtui (or the file was removed)
            except ServiceError as exc:  # denied, throttled, unreachable: say so
                config = f"(cannot read it: {exc})"
        return Section("Submitted config", [(where or "config", config)])

    def _heading(self, job: TrainingJob) -> None:
        colour = status_colour(self.app, job.status)
        heading = Text.assemble(
            (job.name, "bold"),
            "  ",
            (job.status, f"bold {colour}"),
            f"  ({job.secondary_status})" if job.secondary_status else "",
        )
        self.query_one("#details-heading", Static).update(heading)
        failure = self.query_one("#details-failure", Static)
        if job.failure_reason:
            failure.display = True
            failure.update(plain(f"Failure reason: {job.failure_reason}", style="bold"))

    def _show(self, found: list[Section], trials: list[Trial] | None = None) -> None:
        """The sections as rows under their titles; the cursor stays on its row, or, the
        first time, goes to the best of a tuning job's `trials` (else the first row)."""
        listing = self.query_one("#details-rows", OptionList)
        before = listing.highlighted
        longest = max((len(k) for s in found for k, _ in s.rows), default=8)
        width = min(LABEL_WIDTH, max(self.app.size.width // 5, 12), longest)
        self.rows, self.links = [], {}
        options: list[Option] = []
        best: int | None = None
        for section in found:
            if options:
                options.append(Option(Text(""), disabled=True))
            options.append(Option(Text(section.title, style="bold underline"), disabled=True))
            for index, (label, value) in enumerate(section.rows):
                if (link := section.links.get(index)) is not None:
                    self.links[len(self.rows)] = link
                    if best is None and trials and link[1] == label:  # a trial's own row
                        best = len(options)
                options.append(Option(_row(label, value, width), id=str(len(self.rows))))
                self.rows.append((label, value))
        listing.clear_options()
        listing.add_options(options)
        first = (
            best
            if best is not None
            else next(i for i, option in enumerate(options) if not option.disabled)
        )
        listing.highlighted = before if before is not None and before < len(options) else first
