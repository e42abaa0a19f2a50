"""The smtui app: the backend, the themes, the screens, and the operations on a job.

The main screen (`main.py`) owns the views, the panes and their keys; the details screen
has its own. Both call the operations here (stop, resubmit, download, details, copy), which
open a dialog or a form and run the work in a worker whose failure is shown once, named.

The screens and dialogs (and what they need: validation, the request model, archives) are
imported when first opened, and the hidden data and configs views (with the config
loader) when they mount, not before the first frame.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import tempfile
from collections.abc import Callable, Coroutine, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import App, SystemCommand
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from smtui.core.errors import UsageError
from smtui.core.jobs import TERMINAL
from smtui.core.kinds import TRAINING, TUNING, Kind
from smtui.core.notify import Notice
from smtui.core.safetext import clean
from smtui.core.secrets import redact_url
from smtui.core.spec import JobSpec
from smtui.services.backend import Backend
from smtui.services.debuglog import write_crash
from smtui.services.errors import ServiceError
from smtui.services.loghistory import sweep_stale
from smtui.tui import memory
from smtui.tui.guard import MUTATING
from smtui.tui.jobs import JobsPane
from smtui.tui.logs import LogPane
from smtui.tui.main import MainScreen
from smtui.tui.themes import DEFAULT_THEME, load_themes, remember_theme, remembered_theme

if TYPE_CHECKING:
    from smtui.core.overrides import Overrides
    from smtui.tui.configs import ConfigsPane
    from smtui.tui.data import DataPane

ACTION_GROUP = "job-action"
COPY_SHOWN = 200
"""How much of a copied text its notification repeats."""
log = logging.getLogger("smtui.tui")


def _where(backend: Backend) -> str:
    """`aws · dev · eu-west-1`, `local · ~/.smtui`: the header's subtitle."""
    where = backend.where
    return where if where.startswith(backend.name) else f"{backend.name} · {where}"


class SmtuiApp(App[None]):
    """The backend, the themes and the screens; the operations on a job (stop, resubmit,
    download, details, copy) that both the main screen and the details screen offer."""

    CSS_PATH = Path(__file__).with_name("smtui.tcss")  # absolute: subclasses live elsewhere
    TITLE = "smtui"

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
        self._overrides = overrides
        self.sub_title = _where(backend)
        if backend.readonly:
            self.title = f"{self.TITLE} · READ-ONLY"
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
        self.tracebacks = False
        """`--debug`: a bug's traceback is shown on leaving, not only kept in a crash file."""
        self.crash_file: Path | None = None
        self.clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)
        """Now, for elapsed times and the status line (tests fix it for snapshots)."""
        folder = (config.parent if config else Path.cwd()).resolve()

        def hidden_views() -> tuple[DataPane, ConfigsPane]:
            from smtui.tui.configs import ConfigsPane
            from smtui.tui.data import DataPane

            chosen = config.resolve() if config else None
            return DataPane(self.backend), ConfigsPane(folder, self.overrides, chosen)

        from smtui.services.settings import notify_command, stall_thresholds

        self.notify_command = notify_command()
        """The settings' notify-command, run when a job is told of (`tell`)."""

        # A bad `stalls` in the settings stops the start, naming the file and the key.
        self.main = MainScreen(JobsPane(backend), LogPane(backend, stall_thresholds()),
                               hidden_views)  # fmt: skip

    @property
    def overrides(self) -> Overrides:
        """The command line's flags: the configs pane and the submit form resolve with them
        (none by default; the config loader is imported when first asked)."""
        if self._overrides is None:
            from smtui.core.overrides import Overrides

            self._overrides = Overrides()
        return self._overrides

    def get_default_screen(self) -> MainScreen:
        return self.main

    @property
    def jobs(self) -> JobsPane:
        return self.main.jobs

    @property
    def logs(self) -> LogPane:
        return self.main.logs

    @property
    def data(self) -> DataPane:
        return self.main.data

    @property
    def configs(self) -> ConfigsPane:
        return self.main.configs

    def on_mount(self) -> None:
        self.call_after_refresh(memory.settle)  # the app's own objects are long-lived now
        # History files of tails whose app was killed (SIGKILL leaves them): removed.
        self.run_worker(lambda: sweep_stale(Path(tempfile.gettempdir())), thread=True)
        for warning in self._warnings:
            self.notify(warning, severity="warning", timeout=10, markup=False)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Every notification, as plain text: they carry others' words (error bodies, job
        names, file names), which must neither be read as markup nor drive the terminal, and
        may quote an endpoint URL with its password (redacted)."""
        super().notify(
            clean(redact_url(message), multiline=True),
            title=clean(title),
            severity=severity,
            timeout=timeout,
            markup=False,
        )

    def _handle_exception(self, error: Exception) -> None:
        """A bug: its traceback goes to a crash file, and the user is told where, rather
        than shown a traceback whose locals may hold others' text or secrets. `--debug`
        (and a test's headless app) get Textual's own handling, which shows it.

        This overrides Textual's hook for an unhandled error, a private method: Textual is
        pinned to a minor release, and `test_a_bug_in_the_tui_leaves_a_crash_file` fails
        if the hook moves."""
        self.crash_file = write_crash(error)
        if self.tracebacks or self.is_headless:
            super()._handle_exception(error)
            return
        where = (
            f"the traceback is in {self.crash_file}"
            if self.crash_file
            else ("its traceback could not be saved; run with --debug to see it")
        )
        message = f"smtui stopped on a bug ({type(error).__name__}): {where}"
        self.exit(return_code=1, message=Text(clean(redact_url(message))))

    def watch_theme(self, theme: str) -> None:
        remember_theme(theme)  # chosen with --theme or the palette: kept for the next start

    # --- operations on a job -----------------------------------------------------------
    def open_details(self, job: str, kind: Kind = TRAINING) -> None:
        from smtui.tui.details import DetailsScreen

        if not isinstance(self.screen, DetailsScreen):
            self.push_screen(DetailsScreen(self.backend, job, kind))

    def tell(self, notice: Notice) -> None:
        """A job ended or stalled: the terminal's bell and a desktop notification (OSC 9
        and 777, through SSH and tmux), a note here, and the settings' notify-command."""
        from smtui.core.notify import sequences

        if self._driver is not None:  # as App.bell writes the bell
            self._driver.write(sequences(notice, os.environ))
            self._driver.flush()
        said = f"{notice.job}: {notice.status}" + (f": {notice.reason}" if notice.reason else "")
        ended_well = notice.status == "Completed"
        self.notify(clean(said), severity="information" if ended_well else "warning",
                    markup=False)  # fmt: skip
        if self.notify_command:
            self._act(self._run_notify(notice), f"notify {notice.job}")

    async def _run_notify(self, notice: Notice) -> None:
        import asyncio

        from smtui.services.notify import run_command

        assert self.notify_command is not None
        problem = await asyncio.to_thread(run_command, self.notify_command, notice)
        if problem:
            self.notify(clean(problem), severity="error", markup=False)

    def show_logs(self, job: str, kind: Kind) -> None:
        """Back to the main screen with `job`'s logs in the logs pane, whatever the jobs
        pane lists (a tuning job's training job shows under the tuning jobs); a move of
        the cursor shows the listed job's again."""
        from smtui.tui.main import MainScreen

        while not isinstance(self.screen, MainScreen):
            self.pop_screen()
        self.logs.show(job, at_once=True, kind=kind)

    def refused(self, what: str) -> bool:
        """In read-only mode, say that `what` is turned off, and return True."""
        if not self.backend.readonly:
            return False
        from smtui.services.readonly import refusal

        self.notify(refusal(what), severity="warning")
        return True

    def open_unlisted(self, job: str, kind: Kind = TRAINING) -> None:
        """A job the list does not hold: its details, and its logs beneath them."""
        self._act(self._open_unlisted(job, kind), f"open {job}")

    async def _open_unlisted(self, job: str, kind: Kind) -> None:
        await self.backend.jobs.describe_job(job, kind)  # NotFound: named by `_action_failed`
        self.notify(f"{job} is not among the jobs listed (older than the pages loaded, or "
                    "filtered out): its details and logs are shown")  # fmt: skip
        self.logs.show(job, at_once=True)
        self.open_details(job, kind)

    def open_shell(self, job: str, host: str) -> None:
        """A shell on `job`'s `host` (`services/shell.py`), the app suspended while it runs."""
        self._act(self._shell(job, host), f"shell on {job} {host}")

    async def _shell(self, job: str, host: str) -> None:
        from smtui.services.shell import prepare_shell
        from smtui.tui.dialogs import ConfirmDialog

        described = await self.backend.jobs.describe_job(job)

        async def ask(question: str) -> bool:
            answer: bool | None = await self.push_screen_wait(ConfirmDialog(question))
            return bool(answer)

        command = await prepare_shell(self.backend, described, host, ask)
        with self.suspend():
            for note in command.notes:
                print(clean(note))
            code = command.run()
        self.notify(f"the shell on {job}'s {host} ended (exit code {code})")

    # --- another profile or region -----------------------------------------------------
    def regions(self) -> Sequence[str]:
        """The regions to offer (`:region`, the palette): botocore's, once loaded."""
        if self.backend.name != "aws":
            return ()
        from smtui.services.aws.regions import sagemaker_regions

        return sagemaker_regions()

    def load_regions(self) -> None:
        """Read botocore's regions in a thread (0.1 s of files), for `regions`."""
        if self.backend.name == "aws":
            self.run_worker(self.regions, thread=True, group="regions", exit_on_error=False)

    def switch_place(self, *, profile: str | None = None, region: str | None = None) -> None:
        """Every pane on another AWS profile or region (`:profile`, `:region`, the
        palette), remembered for the next start."""
        to = f"profile {profile}" if profile else f"region {region}"
        self._act(self._switch_place(profile, region), f"switch to {to}")

    async def _switch_place(self, profile: str | None, region: str | None) -> None:
        import asyncio
        import os

        from smtui.services.factory import make_backend, moved
        from smtui.services.settings import remember_place

        settings = self.backend.settings
        if settings is None or settings.name != "aws":
            raise UsageError("the local backend runs on this machine: it has no profiles or "
                             "regions (start with --backend aws)")  # fmt: skip
        if (busy := self.main.busy()) is not None:
            raise UsageError(busy)
        new = await asyncio.to_thread(moved, settings, profile, region, os.environ)
        if new == settings:
            self.notify(f"already on {_where(self.backend)}")
            return
        backend = make_backend(new)
        self.backend = backend
        self.sub_title = _where(backend)
        for attr in ("profile", "region"):
            # The configs pane and the submit form resolve to the same place.
            self.overrides.set(attr, getattr(new, attr), f":{attr} in the app")
        self.main.use_backend(backend)
        await asyncio.to_thread(remember_place, new.profile, new.region)
        self.notify(f"now on {self.sub_title}")

    def open_submit(self, config: Path, spec: JobSpec) -> None:
        """The submit form; the new job is then selected with its logs following."""
        if self.refused("submitting a job"):
            return

        def submitted(job: str | None) -> None:
            if job:
                self._follow_new(job)

        from smtui.tui.submit import SubmitScreen

        self.push_screen(SubmitScreen(self.backend, config, spec, self.overrides), submitted)

    def action_help(self) -> None:
        from smtui.tui.dialogs import HelpScreen

        self.push_screen(HelpScreen(self.main.key_bindings(), readonly=self.backend.readonly))

    def stop_job(self, job: str, status: str | None, kind: Kind = TRAINING) -> None:
        """Ask, then stop `job`; a job that has ended is not asked about."""
        if self.refused("stopping a job"):
            return
        if status in TERMINAL:
            self.notify(f"{job} has ended ({status}): nothing to stop", severity="warning",
                        markup=False)  # fmt: skip
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._act(self._stop(job, kind), f"stop {job}")

        from smtui.tui.dialogs import ConfirmDialog

        question = f"Stop {kind.noun} {job}?"
        if kind is TUNING:
            question += " (its running training jobs stop too)"
        self.push_screen(ConfirmDialog(question), answered)

    def stop_jobs(self, jobs: dict[str, str | None], kind: Kind = TRAINING) -> None:
        """Ask once, listing them, then stop every job of `jobs` (name: status as listed)
        that has not ended; the marks are cleared once the stops are sent."""
        if self.refused("stopping jobs"):
            return
        live = [job for job, status in jobs.items() if status not in TERMINAL]
        ended = len(jobs) - len(live)
        if not live:
            ended_all = "the marked job has" if len(jobs) == 1 else "the marked jobs have all"
            self.notify(f"{ended_all} ended: nothing to stop", severity="warning")
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.jobs.clear_marks()
                self._act(self._stop_all(live, kind), f"stop {len(live)} jobs")

        from smtui.tui.dialogs import ConfirmDialog

        skipped = ""
        if ended:
            skipped = (
                f" ({ended} marked {'job has' if ended == 1 else 'jobs have'} ended: left out)"
            )
        question = f"Stop these {len(live)} {kind.plural}?{skipped}"
        if len(live) == 1:
            question = f"Stop this {kind.noun}?{skipped}"
        self.push_screen(ConfirmDialog(question, items=live), answered)

    async def _stop_all(self, jobs: list[str], kind: Kind) -> None:
        """Stop each of `jobs`, a few at a time; each failure is named, the rest go on."""
        import asyncio

        limit = asyncio.Semaphore(self.jobs.model.policy.describe_at_once)
        failed: list[str] = []

        async def stop(job: str) -> None:
            async with limit:
                try:
                    await self.backend.jobs.stop_job(job, kind)
                except ServiceError as exc:
                    failed.append(job)
                    self.notify(str(exc), title=f"stop {job} failed", severity="error",
                                timeout=10)  # fmt: skip

        await asyncio.gather(*(stop(job) for job in jobs))
        stopped = len(jobs) - len(failed)
        if stopped:
            self.notify(f"stopping {stopped} job{'s' if stopped != 1 else ''}")
        self.jobs.refresh_jobs()

    async def _stop(self, job: str, kind: Kind) -> None:
        await self.backend.jobs.stop_job(job, kind)
        self.notify(f"stopping {job}", markup=False)
        self.jobs.refresh_jobs()

    def change_warm_pool(self, job: str) -> None:
        """Ask how long to keep `job`'s warm pool (0 releases it), then send it."""
        if self.refused("changing a warm pool"):
            return
        self._act(self._warm_pool(job), f"warm pool of {job}")

    async def _warm_pool(self, name: str) -> None:
        from smtui.tui.dialogs import KeepAliveDialog

        job = await self.backend.jobs.describe_job(name)
        if (problem := job.warm_pool_problem()) is not None:
            self.notify(clean(problem), severity="warning", markup=False)
            return
        seconds = await self.push_screen_wait(KeepAliveDialog(name, job.warm_pool()))
        if seconds is None:
            return
        await self.backend.jobs.keep_warm_pool(name, seconds)
        from smtui.core.jobs import keep_alive_said

        self.notify(clean(keep_alive_said(name, seconds)), markup=False)
        self.jobs.refresh_jobs()

    def open_resubmit(self, job: str) -> None:
        if self.refused("resubmitting a job"):
            return
        self._act(self._open_resubmit(job), f"resubmit {job}")

    async def _open_resubmit(self, name: str) -> None:
        job = await self.backend.jobs.describe_job(name)
        from smtui.services.submit import resubmit
        from smtui.tui.dialogs import ResubmitDialog

        edit = await self.push_screen_wait(ResubmitDialog(job))
        if edit is None:
            return
        submitted = await resubmit(
            self.backend,
            name,
            edit.params,
            edit.instance_type,
            edit.instance_count,
            removed=edit.removed,
        )
        for note in submitted.notes:  # a warm pool it will reuse, the stored config
            self.notify(clean(note), markup=False)
        from smtui.tui.details import DetailsScreen

        while isinstance(self.screen, DetailsScreen):
            self.pop_screen()
        self._follow_new(submitted.job_name)

    def _follow_new(self, job: str) -> None:
        self.notify(f"submitted {job}", markup=False)
        self.main.follow_new(job)

    def download(self, job: str) -> None:
        """The job's model.tar.gz into `./<job>/`; one already there is replaced only when
        the user says so (as the CLI's `--force`)."""
        from smtui.services.artifacts import ARCHIVE
        from smtui.tui.dialogs import ConfirmDialog

        def start(force: bool | None = True) -> None:
            if force:
                self._act(self._download(job), f"download {job}")

        existing = Path.cwd() / job / ARCHIVE
        if existing.exists():
            self.push_screen(ConfirmDialog(f"{existing} exists. Replace it?"), start)
        else:
            start()

    async def _download(self, job: str) -> None:
        self.notify(f"downloading {job}'s model artifacts…", markup=False)
        from smtui.services.artifacts import download_artifacts

        target = await download_artifacts(self.backend, job, Path.cwd() / job, extract=False)
        self.notify(f"saved {target}", markup=False)

    def copy(self, text: str, what: str) -> None:
        """Put `text` on the clipboard of the user's terminal (OSC 52, so over SSH too)."""
        self.copy_to_clipboard(text)
        first = text.strip().splitlines()[0] if text.strip() else text
        if len(first) > COPY_SHOWN or first != text:
            first = f"{first[:COPY_SHOWN]}… ({len(text):,} characters)"
        self.notify(f"copied the {what}: {clean(first)}", markup=False)

    def _act(self, work: Coroutine[Any, Any, None], name: str) -> None:
        """Run an operation's `work` in a worker of the `job-action` group, named for its
        failure (`stop run-1 failed: …`, said once by `_action_failed`)."""
        self.run_worker(work, name=name, group=ACTION_GROUP, exit_on_error=False)

    @on(Worker.StateChanged)
    def _action_failed(self, event: Worker.StateChanged) -> None:
        """Every operation's failure lands here, once, named: `stop run-1 failed: …`."""
        worker = event.worker
        if worker.group == ACTION_GROUP and worker.state == WorkerState.ERROR:
            event.stop()
            log.info("%s failed: %s", worker.name, worker.error)
            self.notify(clean(str(worker.error), multiline=True), title=f"{worker.name} failed",
                        severity="error", timeout=10, markup=False)  # fmt: skip

    async def _run_pane_action(self, action: str, node: Any) -> None:
        """A key's action from the palette: a hidden view's is mounted first."""
        if node in (self.main.data, self.main.configs):
            await self.main.mount_views()
        await self.run_action(action, node)

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Textual's (themes, quit…), then every key of the main screen and its panes,
        named as the help and the footer name them."""
        from smtui.tui.dialogs import key_label

        yield from super().get_system_commands(screen)
        if screen is not self.main:
            return  # a form or dialog: its own keys, and the themes above
        for node, binding in self.main.key_bindings():
            if binding.action.startswith("app.") or not binding.tooltip:
                continue
            if self.backend.readonly and binding.action in MUTATING:
                continue  # greyed out on its key; not offered here

            def run(node: object = node, action: str = binding.action) -> None:
                self.call_later(self._run_pane_action, action, node)

            yield SystemCommand(binding.tooltip, f"key: {key_label(binding)}", run)
        yield from self._place_commands()

    def _place_commands(self) -> Iterable[SystemCommand]:
        """`AWS profile: dev`, `AWS region: eu-west-1`: each moves every pane there."""
        if self.backend.name != "aws":
            return
        import os
        from functools import partial

        from smtui.core.awsprofile import profile_names

        for profile in profile_names(os.environ):
            yield SystemCommand(f"AWS profile: {clean(profile)}", "every pane on it (:profile)",
                                partial(self.switch_place, profile=profile))  # fmt: skip
        for region in self.regions():
            yield SystemCommand(f"AWS region: {region}", "every pane on it (:region)",
                                partial(self.switch_place, region=region))  # fmt: skip
