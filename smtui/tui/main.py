"""The main screen: the three views (jobs with the selected job's logs, data, configs), the
status line, and the keys that apply there.

It owns the main keys, so a form or a dialog on top has only its own (there `q` is a letter
and ctrl+q quits), and every query it makes is of its own widgets, whatever screen is on
top when a refresh lands. It routes the panes' messages: a highlighted job goes to the logs
pane, a selected config to the data pane, a refresh's outcome to the status line.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Callable, Iterator, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, cast

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import ContentSwitcher, Footer, Header

from smtui.core.awsprofile import profile_names
from smtui.core.hostmetrics import short, summary
from smtui.core.kinds import PROCESSING, TRAINING, TUNING, Kind
from smtui.core.notify import Notice
from smtui.tui.commandline import CommandLine
from smtui.tui.commands import Command
from smtui.tui.fields import focus_now
from smtui.tui.guard import allowed
from smtui.tui.hosts import HostLines
from smtui.tui.jobs import JobsPane
from smtui.tui.logs import LogPane
from smtui.tui.spend import RunningSpend
from smtui.tui.status import StatusLine

if TYPE_CHECKING:
    from smtui.services.backend import Backend
    from smtui.tui.app import SmtuiApp
    from smtui.tui.configs import ConfigsPane
    from smtui.tui.data import DataPane

HiddenViews = Callable[[], "tuple[DataPane, ConfigsPane]"]
"""Makes the data and configs views (imported then: they are not on the first frame)."""

JOB_ACTIONS = frozenset(
    {"stop_job", "resubmit", "download", "details", "copy", "shell", "warm_pool"}
)
"""The keys that act on the selected job: they apply on the jobs view only."""
TRAINING_ONLY = frozenset({"resubmit", "download", "shell", "warm_pool"})
"""The job keys for training jobs only: dimmed while tuning or processing jobs are listed."""
FIRST_PAGE_WAIT = 10.0
"""Seconds `:job` waits for the list a filter change started (then it opens the job)."""
COMMAND_KINDS = {"jobs": TRAINING, "tuning": TUNING, "processing": PROCESSING}
"""The commands that list a kind of job."""


class MainScreen(Screen[None]):
    """Jobs and logs (1), data (2), configs (3), a status line and the footer."""

    BINDINGS = [
        Binding("q", "app.quit", "Quit", id="quit", tooltip="Quit smtui"),
        Binding("question_mark", "app.help", "Help", id="help", tooltip="Every key"),
        Binding("1", "show('jobs-view')", "Jobs", show=False, id="view-jobs",
                tooltip="The jobs and the selected job's logs"),
        Binding("2", "show('data')", "Data", show=False, id="view-data",
                tooltip="The S3 data of the selected config, and its sync"),
        Binding("3", "show('configs')", "Configs", show=False, id="view-configs",
                tooltip="The configs in this folder, resolved"),
        Binding("s", "submit", "Submit", id="submit",
                tooltip="Submit a job from the selected config"),
        Binding("x", "stop_job", "Stop", id="stop",
                tooltip="Stop the selected job, or every marked one (asks first)"),
        Binding("r", "resubmit", "Resubmit", id="resubmit",
                tooltip="Resubmit the selected job with changes"),
        Binding("d", "download", "Model", id="download",
                tooltip="Download the selected job's model.tar.gz to ./<job>/"),
        Binding("y", "copy", "Copy", show=False, id="copy",
                tooltip="Copy the selected job's name (OSC 52: works over SSH)"),
        Binding("exclamation_mark", "shell", "Shell", show=False, id="shell",
                tooltip="A shell on the selected job's host: the one the logs show (h), else "
                "algo-1 (SSM on aws: remote debug is offered when off)"),
        Binding("K", "warm_pool", "Warm pool", show=False, id="warm-pool",
                tooltip="Keep the selected job's warm pool longer, or release it (0 s)"),
        Binding("colon", "command_line", "Command", show=False, id="command-line",
                tooltip="The command line: :jobs, :tuning, :processing, :job NAME, "
                ":profile NAME, :region NAME, :q"),
    ]  # fmt: skip

    def __init__(self, jobs: JobsPane, logs: LogPane, hidden_views: HiddenViews) -> None:
        super().__init__()
        self.jobs = jobs
        self.logs = logs
        self._hidden_views = hidden_views
        self.status = StatusLine(id="status")
        self.command_line = CommandLine(self._candidates, self.run_command)
        self._views_mounted: asyncio.Event | None = None
        self.followed: set[str] = set()
        """Jobs submitted from this app: their end is told (`SmtuiApp.tell`)."""
        self.spend = RunningSpend(jobs.backend, lambda: self.jobs.model.details,
                                  lambda: self.jobs.model.settled, self._say_spend)  # fmt: skip

    @cached_property
    def _views(self) -> tuple[DataPane, ConfigsPane]:
        return self._hidden_views()

    @property
    def data(self) -> DataPane:
        return self._views[0]

    @property
    def configs(self) -> ConfigsPane:
        return self._views[1]

    @property
    def smtui(self) -> SmtuiApp:
        """The app, with its operations on jobs."""
        return cast("SmtuiApp", self.app)

    def compose(self) -> ComposeResult:
        yield Header(icon="◆")
        with ContentSwitcher(initial="jobs-view", id="views"):
            with Vertical(id="jobs-view"):
                yield self.jobs
                yield self.logs
        yield self.status
        yield self.command_line
        yield self.spend
        yield Footer(compact=True)  # every key in 80 columns

    def on_mount(self) -> None:
        # The data and configs views start hidden, and are mounted (and their modules and
        # the config loader imported) when a key first needs them: about 0.1 s of work that
        # neither the first frame nor a log flood should wait behind.
        self.status.where = self.app.sub_title
        # The host lines read a job's description from the list's, not with a call a read.
        self.logs.query_one(HostLines).known = lambda job: self.jobs.model.details.get(job)
        self.jobs.table.focus()
        job = self.smtui.initial_job
        if job:
            self.jobs.select(job)
            # After the first frame: a flood of lines then pours into a settled screen.
            self.call_after_refresh(self.logs.show, job, at_once=True)

    def on_resize(self) -> None:
        self.jobs.fit_height()

    def _say_spend(self, said: str | None) -> None:
        """The header: where, then what the running jobs cost an hour (`RunningSpend`)."""
        self.sub_title = f"{self.app.sub_title} · {said}" if said else None

    async def mount_views(self) -> None:
        """Mount the data and configs views (once; later calls wait for the first)."""
        if self._views_mounted is not None:
            await self._views_mounted.wait()
            return
        self._views_mounted = asyncio.Event()
        for pane in (self.data, self.configs):
            pane.display = False  # the switcher shows one view; it hides only at a switch
        await self.query_one(ContentSwitcher).mount(self.data, self.configs)
        self._views_mounted.set()

    @property
    def view(self) -> str:
        """The view shown: `jobs-view`, `data` or `configs`."""
        return self.query_one(ContentSwitcher).current or "jobs-view"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The job keys apply (and show in the footer) on the jobs view only; in read-only
        mode those that change something are greyed out."""
        if action in JOB_ACTIONS and self.view != "jobs-view":
            return False
        if action in TRAINING_ONLY and self.jobs.kind is not TRAINING:
            return None
        return allowed(self, action)

    # --- routing ---------------------------------------------------------------------
    @on(JobsPane.Highlighted)
    def _job_highlighted(self, event: JobsPane.Highlighted) -> None:
        self.logs.show(event.job)

    @on(JobsPane.Opened)
    def _job_opened(self, event: JobsPane.Opened) -> None:
        self.smtui.open_details(event.job, self.jobs.kind)

    @on(JobsPane.Refreshed)
    def _jobs_refreshed(self, event: JobsPane.Refreshed) -> None:
        if event.problem is None:
            self.status.refreshed = self.smtui.clock()
        self.status.set_problem("jobs", event.problem)

    @on(LogPane.TailChanged)
    def _tail_changed(self, event: LogPane.TailChanged) -> None:
        self.status.set_problem("logs", event.problem)

    @on(JobsPane.Ended)
    def _job_ended(self, event: JobsPane.Ended) -> None:
        """A job watched (its logs shown) or submitted from this app ended: say so."""
        job = event.job
        if job.kind is TRAINING and (job.name in self.followed or job.name == self.logs.job):
            self.smtui.tell(Notice(job.name, job.status, job.failure_reason or ""))

    @on(HostLines.Flagged)
    def _job_flagged(self, event: HostLines.Flagged) -> None:
        """An idle host, a quiet log, a straggler: on the job's row and the status line."""
        if event.job != self.logs.job:  # no longer watched: its flags go, nothing is said
            if not event.found:
                self.jobs.flag(event.job, "")
                if self.status.problems.get("stalls", "").startswith(f"{event.job}: "):
                    self.status.set_problem("stalls", None)
            return
        if event.found and not event.first and not self.jobs.flags.get(event.job):
            self.smtui.tell(Notice(event.job, "Stalled", summary(event.found)))  # just now
        self.jobs.flag(event.job, short(event.found))
        text = summary(event.found)
        self.status.set_problem("stalls", f"{event.job}: {text}" if text else None)

    def on_configs_pane_selected(self, event: ConfigsPane.Selected) -> None:
        self.data.use(self.configs.spec)

    # --- actions ---------------------------------------------------------------------
    async def action_show(self, view: str) -> None:
        """Switch the main view: `jobs-view` (1), `data` (2) or `configs` (3)."""
        await self.mount_views()
        self.query_one(ContentSwitcher).current = view
        if view == "jobs-view":
            focus_now(self.jobs.table)
        elif view == "data":
            self.data.focus_tree()
        else:
            self.configs.focus_list()
        self.refresh_bindings()  # the job keys apply on the jobs view only

    def _selected(self) -> str | None:
        job = self.jobs.selected
        if job is None:
            self.notify("no job selected", severity="warning")
        return job

    async def action_submit(self) -> None:
        """The submit form for the selected config (`s`)."""
        await self.mount_views()
        configs = self.configs
        await configs.loaded()  # `s` pressed as the app starts waits for the config
        if configs.selected is None:
            self.notify("no config to submit from: `smtui init` writes one", severity="warning")
            return
        if configs.spec is None or configs.spec.config_path != configs.selected:
            await self.action_show("configs")
            self.notify(f"{configs.selected.name} cannot be read; its problems are shown",
                        severity="error", markup=False)  # fmt: skip
            return
        self.smtui.open_submit(configs.selected, configs.spec)

    def action_stop_job(self) -> None:
        """The marked jobs, when there are marks; else the selected job."""
        marked = self.jobs.model.marked_in_order(self.smtui.clock())
        kind = self.jobs.kind
        if marked:
            self.smtui.stop_jobs({job: self.jobs.status_of(job) for job in marked}, kind)
            return
        job = self._selected()
        if job is not None:
            self.smtui.stop_job(job, self.jobs.status_of(job), kind)

    def action_resubmit(self) -> None:
        job = self._selected()
        if job is not None:
            self.smtui.open_resubmit(job)

    def action_download(self) -> None:
        job = self._selected()
        if job is not None:
            self.smtui.download(job)

    def action_details(self) -> None:
        job = self._selected()
        if job is not None:
            self.smtui.open_details(job, self.jobs.kind)

    def action_warm_pool(self) -> None:
        job = self._selected()
        if job is not None:
            self.smtui.change_warm_pool(job)

    def action_copy(self) -> None:
        job = self._selected()
        if job is not None:
            self.smtui.copy(job, "job name")

    def action_shell(self) -> None:
        job = self._selected()
        if job is not None:
            host = self.logs.host if self.logs.job == job else None
            self.smtui.open_shell(job, host or "algo-1")

    def use_kind(self, kind: Kind) -> None:
        """List jobs of `kind` (`:jobs`, `:tuning`, `:processing`); the logs pane follows."""
        if kind is self.jobs.kind:
            return
        self.jobs.use_kind(kind)
        self.logs.use_kind(kind)
        self.status.set_problem("jobs", None)
        self.status.set_problem("logs", None)
        self.refresh_bindings()  # resubmit, download and shell are for training jobs only

    def follow_new(self, job: str) -> None:
        """A job just submitted: selected (as soon as a refresh lists it), logs following;
        its end is told wherever the cursor is then."""
        self.followed.add(job)
        self.use_kind(TRAINING)
        self.query_one(ContentSwitcher).current = "jobs-view"
        self.jobs.table.focus()
        self.refresh_bindings()
        self.jobs.select(job)
        self.jobs.refresh_jobs()
        self.logs.show(job, at_once=True)

    # --- another account -----------------------------------------------------------
    def busy(self) -> str | None:
        """Why the panes cannot move to another account now (None: they can)."""
        if self._views_mounted is None:
            return None
        if self.data.progress is not None:
            return "a sync is running: let it end, or cancel it (esc on the data view), first"
        if self.data.watching:
            return "data/ is being watched and synced: stop watching (w on the data view) first"
        return None

    def use_backend(self, backend: Backend) -> None:
        """Every pane on `backend` (another profile or region): the list starts again, the
        logs pane empties until a job is highlighted, the configs resolve again."""
        self.status.where = self.app.sub_title
        self.status.set_problem("jobs", None)
        self.status.set_problem("logs", None)
        self.jobs.use_backend(backend)
        self.logs.use_backend(backend)
        self.spend.use_backend(backend)
        if self._views_mounted is not None:
            self.data.use_backend(backend)
            self.configs.load()  # the app's overrides name the new place

    # --- the command line ----------------------------------------------------------
    def action_command_line(self, text: str = "") -> None:
        """`:` opens the command line (with `text` after the colon)."""
        self.command_line.open(text)
        self.smtui.load_regions()  # for :region's completion, in a thread

    def _candidates(self, kind: str) -> Sequence[str]:
        if kind == "jobs":
            return self.jobs.model.order(self.smtui.clock())  # as listed, top first
        if kind == "profiles":
            return profile_names(os.environ)
        return self.smtui.regions()

    async def run_command(self, command: Command | None) -> None:
        """What a command line asks for (it has closed; None: Esc closed it)."""
        if command is None:
            await self.action_show(self.view)  # the focus back on the view
            return
        name, arg = command.name, command.arg or ""
        if name in COMMAND_KINDS:
            self.use_kind(COMMAND_KINDS[name])
            await self.action_show("jobs-view")
            return
        if name in ("data", "configs"):
            await self.action_show(name)
            return
        await self.action_show(self.view)
        if name == "job":
            await self.jump_to(arg)
        elif name in ("profile", "region"):
            self.smtui.switch_place(**{name: arg})
        elif name == "help":
            self.smtui.action_help()
        else:
            self.app.exit()

    async def jump_to(self, job: str) -> None:
        """The cursor on `job` when it is listed; else its details and logs (it may be
        older than the pages loaded, or filtered out). Just after a filter change, the
        filtered list decides: `/run-28⏎:job run-283⏎` in one read means its row."""
        await self.action_show("jobs-view")
        if not self.jobs.model.listed:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.jobs.first_page.wait(), FIRST_PAGE_WAIT)
        if job in self.jobs.model:
            self.jobs.select(job)
        else:
            self.smtui.open_unlisted(job, self.jobs.kind)

    def key_bindings(self) -> Iterator[tuple[object, Binding]]:
        """Every binding of this screen and its panes, with the node it runs on: what the
        help screen and the command palette are built from."""
        for node in (self, self.jobs, self.logs, self.data, self.configs):
            for binding in node.BINDINGS:
                if isinstance(binding, Binding):
                    yield node, binding
