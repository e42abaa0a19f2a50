"""The smtui app: wiring of the views and panes, the actions on a job, the status line.

The panes own their data and workers; this class routes their messages (a highlighted job
goes to the logs pane, a resolved config to the data pane, a refresh result to the status
line) and runs the actions that open a dialog or a form (stop, resubmit, download, submit).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import ContentSwitcher, Footer, Header, Static
from textual.worker import Worker, WorkerState

from smtui.core.config import Overrides
from smtui.core.edits import EditedJob
from smtui.core.errors import UsageError
from smtui.services.artifacts import download_artifacts
from smtui.services.backend import Backend
from smtui.services.submit import resubmit
from smtui.tui.configs import ConfigsPane
from smtui.tui.data import DataPane
from smtui.tui.details import DetailsScreen
from smtui.tui.dialogs import ConfirmDialog, HelpScreen, ResubmitDialog
from smtui.tui.jobs import JobsPane
from smtui.tui.logs import LogPane
from smtui.tui.submit import SubmitScreen
from smtui.tui.themes import DEFAULT_THEME, load_themes, remember_theme, remembered_theme

ACTION_GROUP = "job-action"
JOB_ACTIONS = frozenset({"stop_job", "resubmit", "download"})
"""The keys that act on the selected job: the jobs view's and the details screen's."""
MAIN_ACTIONS = JOB_ACTIONS | {"quit_app", "help", "show", "submit"}
"""The app's own keys, for its main screen; a form or dialog on top brings its own, so
there `q` is a letter, not a way to lose the form (ctrl+q still quits from anywhere)."""


class SmtuiApp(App[None]):
    """Three views (jobs with the selected job's logs, data, configs), a status line, and
    the keys that apply in the footer."""

    CSS_PATH = Path(__file__).with_name("smtui.tcss")  # absolute: subclasses live elsewhere
    TITLE = "smtui"
    BINDINGS = [
        Binding("q", "quit_app", "Quit"),
        Binding("question_mark", "help", "Help"),
        Binding("1", "show('jobs-view')", "Jobs", show=False),
        Binding("2", "show('data')", "Data", show=False),
        Binding("3", "show('configs')", "Configs", show=False),
        Binding("s", "submit", "Submit"),
        Binding("x", "stop_job", "Stop"),
        Binding("r", "resubmit", "Resubmit"),
        Binding("d", "download", "Download"),
    ]

    def __init__(
        self,
        backend: Backend,
        *,
        theme: str | None = None,
        job: str | None = None,
        config: Path | None = None,
        overrides: Overrides | None = None,
    ) -> None:
        super().__init__()
        self.backend = backend
        self.initial_job = job
        self.overrides = overrides or Overrides()
        """The command line's flags: the configs pane and the submit form resolve with them."""
        where = backend.where
        self.sub_title = where if where.startswith(backend.name) else f"{backend.name} · {where}"
        loaded = load_themes()
        for shipped_or_own in loaded.themes.values():
            self.register_theme(shipped_or_own)
        self._warnings = loaded.warnings
        if theme and theme not in self.available_themes:
            known = ", ".join(sorted(self.available_themes))
            raise UsageError(f"--theme: there is no theme '{theme}'; choose one of {known}")
        remembered = remembered_theme()
        if remembered not in self.available_themes:
            remembered = None
        self.theme = theme or remembered or DEFAULT_THEME
        self.clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)
        """Now, for elapsed times and the status line (tests fix it for snapshots)."""
        self._refreshed: dt.datetime | None = None
        self._problems: dict[str, str] = {}
        """What is wrong now, by where it comes from (jobs list, log tail)."""
        self.jobs = JobsPane(backend)
        self.logs = LogPane(backend)
        folder = (config.parent if config else Path.cwd()).resolve()
        self.configs = ConfigsPane(folder, self.overrides, config.resolve() if config else None)
        self.data = DataPane(backend)

    def compose(self) -> ComposeResult:
        yield Header(icon="◆")
        with ContentSwitcher(initial="jobs-view", id="views"):
            with Vertical(id="jobs-view"):
                yield self.jobs
                yield self.logs
            yield self.data
            yield self.configs
        yield Static("", id="status")
        yield Footer()

    def on_mount(self) -> None:
        for warning in self._warnings:
            self.notify(warning, severity="warning", timeout=10)
        jobs = self.jobs
        jobs.table.focus()
        if self.initial_job:
            jobs.select(self.initial_job)
            self.logs.show(self.initial_job, at_once=True)
        self._show_status()

    def watch_theme(self, theme: str) -> None:
        remember_theme(theme)  # chosen with --theme or the palette: kept for the next start

    # --- routing ---------------------------------------------------------------------
    @on(JobsPane.Highlighted)
    def _job_highlighted(self, event: JobsPane.Highlighted) -> None:
        self.logs.show(event.job)

    @on(JobsPane.Opened)
    def _job_opened(self, event: JobsPane.Opened) -> None:
        self.action_details()

    @on(JobsPane.Refreshed)
    def _jobs_refreshed(self, event: JobsPane.Refreshed) -> None:
        self._refreshed = self.clock()
        self._problem("jobs", event.problem)

    @on(ConfigsPane.Selected)
    def _config_selected(self, event: ConfigsPane.Selected) -> None:
        self.data.use(self.configs.spec)

    @on(LogPane.TailChanged)
    def _tail_changed(self, event: LogPane.TailChanged) -> None:
        self._problem("logs", event.problem)

    def _problem(self, where: str, problem: str | None) -> None:
        if problem:
            self._problems[where] = problem
        else:
            self._problems.pop(where, None)
        self._show_status()

    def _show_status(self) -> None:
        line = Text(f" {self.sub_title}")
        if self._refreshed is not None:
            line.append(f" · refreshed {self._refreshed.astimezone():%H:%M:%S}")
        for where, problem in self._problems.items():
            line.append(f" · ⚠ {where}: {problem}", style=self.theme_variables.get("error", ""))
        self.query_one("#status", Static).update(line)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Which of the app's keys apply (and show in the footer) where the user is."""
        if action not in MAIN_ACTIONS:
            return True
        screen = self.screen
        if isinstance(screen, DetailsScreen):
            return action in JOB_ACTIONS or action == "help"
        if screen is not self.screen_stack[0]:
            return False
        if action in JOB_ACTIONS:
            return self.query_one("#views", ContentSwitcher).current == "jobs-view"
        return True

    # --- actions on a job ------------------------------------------------------------
    def _target(self) -> str | None:
        """The job an action applies to: the one on the details screen, else the cursor's."""
        if isinstance(self.screen, DetailsScreen):
            return self.screen.job
        if self.screen is not self.screen_stack[0]:
            return None  # a dialog is open
        job = self.jobs.selected
        if job is None:
            self.notify("no job selected", severity="warning")
        return job

    def action_details(self) -> None:
        job = self._target()
        if job is not None and not isinstance(self.screen, DetailsScreen):
            self.push_screen(DetailsScreen(self.backend, job))

    def action_show(self, view: str) -> None:
        """Switch the main view: `jobs-view` (1), `data` (2) or `configs` (3)."""
        self.query_one("#views", ContentSwitcher).current = view
        if view == "jobs-view":
            self.jobs.table.focus()
        elif view == "data":
            self.data.query_one("#data-tree").focus()
        else:
            self.configs.query_one("#configs-list").focus()
        self.refresh_bindings()  # the job keys apply on the jobs view only

    def action_submit(self) -> None:
        """The submit form for the selected config (`s`)."""
        configs = self.configs
        if configs.selected is None:
            self.notify("no config to submit from: `smtui init` writes one", severity="warning")
            return
        if configs.spec is None or configs.spec.config_path != configs.selected:
            self.action_show("configs")
            self.notify(f"{configs.selected.name} cannot be read; its problems are shown",
                        severity="error")  # fmt: skip
            return

        def submitted(job: str | None) -> None:
            if job:
                self.action_show("jobs-view")
                self._follow_new(job)

        form = SubmitScreen(self.backend, configs.selected, configs.spec, self.overrides)
        self.push_screen(form, submitted)

    async def action_quit_app(self) -> None:
        """`q` on the main screen; `ctrl+q` (Textual's own quit) works on every screen."""
        await self.action_quit()

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    def action_stop_job(self) -> None:
        job = self._target()
        if job is None:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._stop(job)

        self.push_screen(ConfirmDialog(f"Stop training job {job}?"), answered)

    @work(group=ACTION_GROUP, exit_on_error=False)
    async def _stop(self, job: str) -> None:
        await self.backend.jobs.stop_job(job)
        self.notify(f"stopping {job}")
        self.jobs.refresh_jobs()

    def action_resubmit(self) -> None:
        job = self._target()
        if job is not None:
            self._open_resubmit(job)

    @work(group=ACTION_GROUP, exit_on_error=False)
    async def _open_resubmit(self, name: str) -> None:
        job = await self.backend.jobs.describe_job(name)
        edit = await self.push_screen_wait(ResubmitDialog(job))
        if edit is not None:
            self._resubmit(name, edit)

    @work(group=ACTION_GROUP, exit_on_error=False)
    async def _resubmit(self, name: str, edit: EditedJob) -> None:
        submitted = await resubmit(
            self.backend,
            name,
            edit.params,
            edit.instance_type,
            edit.instance_count,
            removed=edit.removed,
        )
        while isinstance(self.screen, DetailsScreen):
            self.pop_screen()
        self._follow_new(submitted.job_name)

    def _follow_new(self, job: str) -> None:
        """A job just submitted: selected (as soon as a refresh lists it), logs following."""
        self.notify(f"submitted {job}")
        self.jobs.select(job)
        self.jobs.refresh_jobs()
        self.logs.show(job, at_once=True)

    def action_download(self) -> None:
        job = self._target()
        if job is not None:
            self._download(job)

    @work(group=ACTION_GROUP, exit_on_error=False)
    async def _download(self, job: str) -> None:
        self.notify(f"downloading {job}'s model artifacts…")
        target = await download_artifacts(self.backend, job, Path.cwd() / job, extract=False)
        self.notify(f"saved {target}")

    @on(Worker.StateChanged)
    def _action_failed(self, event: Worker.StateChanged) -> None:
        """Every action's failure lands here, shown as an error notification."""
        worker = event.worker
        if worker.group == ACTION_GROUP and worker.state == WorkerState.ERROR:
            self.notify(str(worker.error), title="failed", severity="error", timeout=10)

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if screen is not self.screen_stack[0]:
            return  # a form or dialog: its own keys, and the themes above
        yield SystemCommand(
            "Jobs", "The jobs and their logs (1)", lambda: self.action_show("jobs-view")
        )
        yield SystemCommand(
            "Configs", "The configs, resolved (3)", lambda: self.action_show("configs")
        )
        yield SystemCommand(
            "Submit", "Submit a job from the selected config (s)", self.action_submit
        )
        yield SystemCommand("Job details", "Everything about the job", self.action_details)
        yield SystemCommand("Stop job", "Stop the selected training job", self.action_stop_job)
        yield SystemCommand("Resubmit job", "Clone the job with changes", self.action_resubmit)
        yield SystemCommand("Download artifacts", "Fetch model.tar.gz", self.action_download)
        yield SystemCommand("Help", "Every key binding", self.action_help)
        jobs, logs = self.jobs, self.logs
        yield SystemCommand("Filter jobs by name", "Type part of a name", jobs.action_filter)
        yield SystemCommand("Status filter", "Cycle the statuses", jobs.action_cycle_status)
        yield SystemCommand("Refresh jobs", "List jobs now", jobs.action_refresh)
        yield SystemCommand("Follow logs", "Toggle following", logs.action_toggle_follow)
        yield SystemCommand("Wrap log lines", "Toggle wrapping", logs.action_toggle_wrap)
        yield SystemCommand("Log timestamps", "Toggle timestamps", logs.action_toggle_timestamps)
        yield SystemCommand("Search logs", "Regular expression over every line", logs.action_search)
        yield SystemCommand("Save log", "Write the whole log to ./<job>.log", logs.action_save)
